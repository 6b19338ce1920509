// SPDX-License-Identifier: GPL-3.0-or-later
// Validates every *.json in a directory:
//   node validate-payloads.mjs [--expect-invalid] DIR
// A payload with "schema": "refill-…" is checked against data/refill-v2.schema.json with ajv (so a
// refill-v1 body, which nothing produces any more, is refused by the schema's "const")
// (JSON Schema draft 2020-12, strict mode, formats from ajv-formats). A payload with a
// "resourceType" is checked against FHIR R4's definitions with the npm package "fhir", plus the
// rules of FHIR's JSON format and invariants that package does not check (no empty strings,
// arrays or objects; every contained resource referenced, every "#id" reference resolved).
// Prints one line per file; exits non-zero when any file fails (or, with --expect-invalid, when
// any file passes).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fhirPackage from 'fhir';

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.join(here, '..', '..', 'data', 'refill-v2.schema.json');

function refillValidator() {
  // Strict, except for "required" inside anyOf branches, an idiom strictRequired refuses.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
}

function validateRefill(validate, payload) {
  if (validate(payload))
    return [];
  return validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
}

// FHIR JSON: no empty strings, arrays or objects anywhere (ele-1 and the JSON format's rules).
function emptyValues(value, where, problems) {
  if (typeof value === 'string' && value.trim() === '')
    problems.push(`${where}: empty string`);
  else if (Array.isArray(value)) {
    if (value.length === 0)
      problems.push(`${where}: empty array`);
    value.forEach((item, i) => emptyValues(item, `${where}[${i}]`, problems));
  } else if (value !== null && typeof value === 'object') {
    if (Object.keys(value).length === 0)
      problems.push(`${where}: empty object`);
    for (const [key, item] of Object.entries(value))
      emptyValues(item, `${where}.${key}`, problems);
  }
}

function localReferences(value, found) {
  if (Array.isArray(value))
    value.forEach((item) => localReferences(item, found));
  else if (value !== null && typeof value === 'object') {
    if (typeof value.reference === 'string' && value.reference.startsWith('#'))
      found.add(value.reference.slice(1));
    Object.values(value).forEach((item) => localReferences(item, found));
  }
}

// dom-3: every contained resource is referenced; and every local reference resolves.
function containedReferences(resource, problems) {
  const ids = new Set();
  for (const contained of resource.contained ?? []) {
    if (!contained.id)
      problems.push(`contained ${contained.resourceType} has no id`);
    else if (ids.has(contained.id))
      problems.push(`contained id "${contained.id}" is used twice`);
    ids.add(contained.id);
    if (contained.contained)
      problems.push(`contained ${contained.id} contains resources itself (dom-2)`);
  }
  const referenced = new Set();
  localReferences(resource, referenced);
  for (const id of ids)
    if (!referenced.has(id))
      problems.push(`contained "${id}" is never referenced (dom-3)`);
  for (const id of referenced)
    if (!ids.has(id))
      problems.push(`reference "#${id}" does not resolve`);
}

// FHIR's date type allows any date the pattern allows; a birth date must also be a real one.
function realDates(resource, problems) {
  for (const contained of resource.contained ?? []) {
    const date = contained.birthDate;
    if (date === undefined)
      continue;
    const parsed = new Date(`${date}T00:00:00Z`);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date)
      problems.push(`${contained.id}.birthDate "${date}" is not a real date`);
  }
}

function validateFhir(fhir, resource) {
  const problems = [];
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  for (const m of result.messages) {
    if (m.severity === 'error' || m.severity === 'fatal')
      problems.push(`${m.location}: ${m.message}`);
  }
  if (!result.valid && problems.length === 0)
    problems.push('the FHIR validator refused the resource');
  if (resource.resourceType !== 'Task')
    problems.push(`resourceType is ${resource.resourceType}, expected Task`);
  emptyValues(resource, resource.resourceType, problems);
  containedReferences(resource, problems);
  realDates(resource, problems);
  return problems;
}

function main() {
  const args = process.argv.slice(2);
  const expectInvalid = args[0] === '--expect-invalid';
  const dir = expectInvalid ? args[1] : args[0];
  if (!dir) {
    console.error('usage: node validate-payloads.mjs [--expect-invalid] DIR');
    process.exit(2);
  }

  const validate = refillValidator();
  const fhir = new fhirPackage.Fhir();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  let failures = 0;
  const counts = { refill: 0, fhir: 0 };

  if (files.length === 0) {
    console.error(`no payloads in ${dir}`);
    process.exit(1);
  }
  for (const file of files) {
    let problems;
    let kind = 'unknown';
    try {
      const payload = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      if (payload && typeof payload.schema === 'string' && payload.schema.startsWith('refill-')) {
        kind = 'refill';
        problems = validateRefill(validate, payload);
      } else if (payload && typeof payload.resourceType === 'string') {
        kind = 'fhir';
        problems = validateFhir(fhir, payload);
      } else {
        problems = ['neither a refill payload nor a FHIR resource'];
      }
    } catch (e) {
      problems = [`not JSON: ${e.message}`];
    }
    if (kind in counts)
      counts[kind]++;
    const valid = problems.length === 0;
    if (valid === !expectInvalid) {
      console.log(`ok ${kind} ${file}${expectInvalid ? ' (refused: ' + problems[0] + ')' : ''}`);
    } else {
      failures++;
      console.log(`FAIL ${kind} ${file}`);
      if (expectInvalid)
        console.log('  was accepted, but must be refused');
      for (const p of problems)
        console.log(`  ${p}`);
    }
  }
  console.log(`${files.length - failures}/${files.length} ${expectInvalid ? 'refused as expected' : 'valid'}` +
              ` (refill-v2: ${counts.refill}, FHIR R4: ${counts.fhir})`);
  if (!expectInvalid && (counts.refill === 0 || counts.fhir === 0)) {
    console.log('FAIL expected both refill-v2 and FHIR payloads');
    failures++;
  }
  process.exit(failures === 0 ? 0 : 1);
}

main();
