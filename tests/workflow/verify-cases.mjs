// SPDX-License-Identifier: GPL-3.0-or-later
// The reference workflow's "Verify the token" node (data/n8n/verify-token.js) over the requests in
// the JSON file argv[2] ({"settings":{…},"cases":[{"headers":{…},"body":…},…]}), run as
// test-verify-token.mjs runs it; prints one JSON array of what the node decided for each
// ({"ok":true} or {"ok":false,"status":N,"response":{…}}). test-sink-parity.c compares it with the
// sandbox's sink on the same requests.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const code = readFileSync(new URL('../../data/n8n/verify-token.js', import.meta.url), 'utf8');
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const node = new AsyncFunction('$', '$input', 'require', 'console', code);
const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const quiet = { log () {} };
const out = [];

for (const c of input.cases) {
  const items = { 'Refill webhook': { headers: c.headers, body: c.body },
                  'Clinic settings': input.settings };
  const $ = (name) => ({ first: () => ({ json: items[name] }) });
  const [{ json }] = await node($, { first: () => ({ json: items['Refill webhook'] }) }, require,
                                quiet);
  out.push(json.ok ? { ok: true } : { ok: false, status: json.status, response: json.response });
}
console.log(JSON.stringify(out));
