// Answer (Code node of data/n8n/medication-refill.json; copied in by build-workflow.py): what the
// File once statement said, as the app's delivery contract expects it.
const row = $input.first().json;
switch (row.outcome) {
  case 'filed':
  case 'repeat':
    return [{ json: { status: 200, response: { status: 'received', reference: row.reference,
                                               repeat: row.outcome === 'repeat' } } }];
  case 'conflict':
    return [{ json: { status: 422, response: {
      error: 'idempotency_key_reused',
      error_description: 'This Idempotency-Key was already used for a different request.' } } }];
  default:
    return [{ json: { status: 409, response: {
      error: 'request_in_progress',
      error_description: 'The same request is being filed right now; send it again shortly.' } } }];
}
