// SPDX-License-Identifier: GPL-3.0-or-later
// The reference workflow's "Verify the token" node (data/n8n/verify-token.js), run outside n8n the
// way n8n's Code node runs it (an async function body given $ and $input), against tokens signed
// here with jose and a JWKS served on 127.0.0.1: every refusal the workflow promises, and the two
// ways a request is accepted. TAP output. The same code runs in real n8n in tests/interop/n8n.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { generateKeyPair, exportJWK, SignJWT } from 'jose';

const require = createRequire(import.meta.url);
const top = new URL('../../', import.meta.url);
const code = readFileSync(new URL('data/n8n/verify-token.js', top), 'utf8');
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const node = new AsyncFunction('$', '$input', 'require', 'console', code);

const ISSUER = 'https://tenant.ciamlogin.com/tenant-id/v2.0';
const AUDIENCE = '0a1b2c3d-1111-4222-8333-444455556666';
const clinic = await generateKeyPair('RS256');
const stranger = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(clinic.publicKey)), kid: 'clinic-1', alg: 'RS256', use: 'sig' };
const server = http.createServer((req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ keys: [jwk] }));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const settings = {
  issuer: ISSUER, jwks_uri: `http://127.0.0.1:${server.address().port}/keys`, audience: AUDIENCE,
  scope: 'Refill.Submit', staff_role: 'FrontDesk', max_request_age_days: 7, clock_skew_minutes: 5,
};

async function token ({ oid = 'oid-jack', scp = 'Refill.Submit', roles, aud = AUDIENCE,
                        iss = ISSUER, key = clinic.privateKey, kid = 'clinic-1',
                        issuedAgo = 0, lifetime = 3600, noExp = false } = {}) {
  const now = Math.floor(Date.now() / 1000) - issuedAgo;
  const claims = { oid, tid: 'tenant-id', scp };
  if (roles) claims.roles = roles;
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(iss).setAudience(aud).setIssuedAt(now).setNotBefore(now);
  if (!noExp) jwt.setExpirationTime(now + lifetime);
  return jwt.sign(key);
}

// A refill-v2 body: patient is the directory's record, patient_supplied what was typed.
function request ({ mode = 'kiosk', patient = 'oid-jack', submitter = null, createdAgo = 0,
                    supplied = null } = {}) {
  const id = randomUUID();
  const body = {
    schema: 'refill-v2', request_id: id, mode,
    created_at: new Date(Date.now() - createdAgo * 1000).toISOString(),
    submitted_by: submitter ? { id: submitter, name: 'Sam Staff' } : null,
    patient: { object_id: patient, display_name: 'Jack Smith' },
  };
  if (supplied) body.patient_supplied = supplied;
  body.consent = true;
  return { key: id, body };
}

async function run (bearer, { key, body }, extraHeaders = {}) {
  const headers = { 'content-type': 'application/json', 'idempotency-key': key, ...extraHeaders };
  if (bearer !== null) headers.authorization = 'Bearer ' + bearer;
  const items = { 'Refill webhook': { headers, body }, 'Clinic settings': settings };
  const $ = (name) => ({ first: () => ({ json: items[name] }) });
  const quiet = { log () {} };
  const out = await node($, { first: () => ({ json: items['Refill webhook'] }) }, require, quiet);
  return out[0].json;
}

let n = 0;
let failed = 0;
function check (name, got, want) {
  n++;
  const bad = Object.entries(want).filter(([k, v]) => got[k] !== v);
  if (bad.length === 0) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${n} - ${name}\n# wanted ${JSON.stringify(want)}\n# got ${JSON.stringify(got)}`);
  }
}

const cases = [
  ['a patient\'s own kiosk request is accepted', () => token(), request(),
   { ok: true, mode: 'kiosk', patient_oid: 'oid-jack', submitted_by_oid: null }],
  ['typed details do not change whose request it is', () => token(),
   request({ supplied: { address: { street: '2 Harbour Road' }, job_title: null } }),
   { ok: true, mode: 'kiosk', patient_oid: 'oid-jack' }],
  ['an object id among the typed details is not the patient: 403', () => token(),
   request({ patient: 'oid-ana', supplied: { object_id: 'oid-jack' } }), { ok: false, status: 403 }],
  ['a staff member\'s desk request is accepted', () => token({ oid: 'oid-staff', roles: ['FrontDesk'] }),
   request({ mode: 'desk', patient: 'oid-ana', submitter: 'oid-staff' }),
   { ok: true, mode: 'desk', patient_oid: 'oid-ana', submitted_by_oid: 'oid-staff' }],
  ['a queued request whose token expired after it was made is accepted',
   () => token({ issuedAgo: 3 * 24 * 3600 }), request({ createdAgo: 3 * 24 * 3600 - 600 }), { ok: true }],
  ['no token: 401', null, request(), { ok: false, status: 401 }],
  ['a token signed by another key: 401', () => token({ key: stranger.privateKey }), request(),
   { ok: false, status: 401 }],
  ['a token with an unknown kid: 401', () => token({ key: stranger.privateKey, kid: 'other' }),
   request(), { ok: false, status: 401 }],
  ['a token for another audience (Graph): 401', () => token({ aud: '00000003-0000-0000-c000-000000000000' }),
   request(), { ok: false, status: 401 }],
  ['a token from another issuer: 401', () => token({ iss: 'https://evil.example/v2.0' }), request(),
   { ok: false, status: 401 }],
  ['a token that had expired when the request was made: 401',
   () => token({ issuedAgo: 7200, lifetime: 3600 }), request(), { ok: false, status: 401 }],
  ['a token without exp (it would never expire): 401', () => token({ noExp: true }), request(),
   { ok: false, status: 401 }],
  ['a request older than seven days: 401', () => token({ issuedAgo: 8 * 24 * 3600 }),
   request({ createdAgo: 8 * 24 * 3600 - 60 }), { ok: false, status: 401 }],
  ['a token without Refill.Submit: 403', () => token({ scp: 'User.Read' }), request(),
   { ok: false, status: 403 }],
  ['a kiosk token for someone other than the patient: 403', () => token({ oid: 'oid-zoe' }), request(),
   { ok: false, status: 403 }],
  ['a kiosk request claiming a submitter: 403', () => token(), request({ submitter: 'oid-jack' }),
   { ok: false, status: 403 }],
  ['a patient\'s token on a desk request: 403', () => token({ oid: 'oid-jack' }),
   request({ mode: 'desk', patient: 'oid-ana', submitter: 'oid-jack' }), { ok: false, status: 403 }],
  ['a staff token whose oid is not the submitter: 403', () => token({ oid: 'oid-staff', roles: ['FrontDesk'] }),
   request({ mode: 'desk', patient: 'oid-ana', submitter: 'oid-other' }), { ok: false, status: 403 }],
];

console.log(`1..${cases.length + 3}`);
for (const [name, make, req, want] of cases)
  check(name, await run(make ? await make() : null, req), want);

const mismatched = request();
check('an Idempotency-Key that is not the request id: 400',
      await run(await token(), { key: randomUUID(), body: mismatched.body }), { ok: false, status: 400 });
const same = request();
const a = await run(await token(), same);
const b = await run(await token(), same);
n++;
if (a.sha === b.sha && a.reference !== b.reference) console.log(`ok ${n} - the same body hashes the same`);
else { failed++; console.log(`not ok ${n} - the same body hashes the same`); }
const changed = { key: same.key, body: { ...same.body, notes: 'another body' } };
const c = await run(await token(), changed);
n++;
if (c.sha !== a.sha) console.log(`ok ${n} - another body under the same key hashes differently`);
else { failed++; console.log(`not ok ${n} - another body under the same key hashes differently`); }

server.close();
process.exit(failed ? 1 : 0);
