// Verify the token (Code node of data/n8n/medication-refill.json; kept here as a file so that it
// can be read and reviewed, and copied into the workflow by data/n8n/build-workflow.py).
//
// The request is believed only as far as its bearer token goes: an access token for the clinic's
// own API, signed by the tenant (checked against its JWKS by kid), issued by the tenant's issuer,
// for this API (aud), with the Refill.Submit scope, valid when the request was made. The token's
// oid must be the patient (a kiosk request) or the staff member who submitted it (a desk request,
// which also needs the staff app role). Nothing the device says about who it is counts.
//
// Needs NODE_FUNCTION_ALLOW_EXTERNAL=jose and NODE_FUNCTION_ALLOW_BUILTIN=crypto,url.
const { createRemoteJWKSet, jwtVerify } = require('jose');
const crypto = require('crypto');
const { URL } = require('url');  // not a global in the Code node's sandbox

const item = $('Refill webhook').first().json;
const headers = item.headers || {};
const body = item.body;
const settings = $('Clinic settings').first().json;
const MINUTE = 60 * 1000;

function refuse (status, error, description) {
  return [{ json: { ok: false, status, response: { error, error_description: description } } }];
}

const auth = String(headers.authorization || '');
const bearer = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(auth);
if (!bearer)
  return refuse(401, 'invalid_token', 'The request carries no access token for the clinic API.');

const key = String(headers['idempotency-key'] || '').toLowerCase();
if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(key))
  return refuse(400, 'invalid_request', 'The request has no valid Idempotency-Key.');
if (body === null || typeof body !== 'object' || Array.isArray(body))
  return refuse(400, 'invalid_request', 'The request body is not a JSON object.');
if (String(body.request_id || '').toLowerCase() !== key)
  return refuse(400, 'invalid_request', 'The Idempotency-Key is not the request id.');
if (body.mode !== 'kiosk' && body.mode !== 'desk')
  return refuse(400, 'invalid_request', 'The request names no mode (kiosk or desk).');

// A request may wait in the app's outbox for up to seven days, so its token may have expired by
// the time it arrives: the token must have been valid when the request was made (created_at),
// and created_at must lie within the outbox's window.
const createdAt = Date.parse(body.created_at);
const now = Date.now();
if (Number.isNaN(createdAt))
  return refuse(400, 'invalid_request', 'The request has no valid created_at.');
if (createdAt > now + settings.clock_skew_minutes * MINUTE ||
    createdAt < now - settings.max_request_age_days * 24 * 60 * MINUTE)
  return refuse(401, 'invalid_token', 'The request is older than the clinic accepts, or from the future.');

let claims;
try {
  const keys = createRemoteJWKSet(new URL(settings.jwks_uri));
  ({ payload: claims } = await jwtVerify(bearer[1], keys, {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: ['RS256'],
    requiredClaims: ['exp'],   // a token without one would never expire
    currentDate: new Date(createdAt),
    clockTolerance: settings.clock_skew_minutes * 60,
  }));
} catch (e) {
  // Which check failed is for the workflow's own log, not for the sender.
  console.log('refill token refused: ' + String(e && e.message).slice(0, 200));
  return refuse(401, 'invalid_token', 'The access token is not a valid token for this clinic.');
}

const scopes = String(claims.scp || '').split(' ');
if (!scopes.includes(settings.scope))
  return refuse(403, 'insufficient_scope', 'The access token does not allow sending refill requests.');

const oid = String(claims.oid || '');
const roles = Array.isArray(claims.roles) ? claims.roles : [];
const patientOid = String((body.patient || {}).object_id || '');
let submittedBy = null;
if (body.mode === 'kiosk') {
  if (body.submitted_by != null || oid === '' || oid !== patientOid)
    return refuse(403, 'forbidden', 'The access token belongs to someone other than the patient.');
} else {
  if (!roles.includes(settings.staff_role))
    return refuse(403, 'forbidden', 'The access token is not a front-desk staff member\'s.');
  submittedBy = String((body.submitted_by || {}).id || '');
  if (oid === '' || submittedBy !== oid)
    return refuse(403, 'forbidden', 'The access token belongs to someone other than the submitter.');
}
if (patientOid === '')
  return refuse(400, 'invalid_request', 'The request names no patient.');

return [{
  json: {
    ok: true,
    key,
    sha: crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex'),
    reference: 'MR-' + crypto.randomBytes(6).toString('hex').toUpperCase(),
    mode: body.mode,
    patient_oid: patientOid,
    submitted_by_oid: submittedBy,
    body: JSON.stringify(body),
  },
}];
