-- File once (Postgres node of data/n8n/medication-refill.json; copied in by build-workflow.py).
-- One statement, so one transaction: the key is claimed and the request filed together, or
-- neither (a worker killed half-way leaves nothing behind, and the app's retry files it).
-- Parameters: $1 key, $2 body SHA-256, $3 new reference, $4 mode, $5 patient oid,
-- $6 submitter oid (NULL for a kiosk), $7 body (JSON text).
-- One row out: 'filed' (new), 'repeat' (same key, same body: the first reference), 'conflict'
-- (same key, another body). No row: another execution holds the key and had not committed when
-- this statement began (READ COMMITTED: its row is not in our snapshot); answered 409, retried.
WITH claim AS (
  INSERT INTO refill_idempotency (idempotency_key, body_sha256, reference)
  VALUES ($1::uuid, $2, $3)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING idempotency_key, reference
), filed AS (
  INSERT INTO refill_requests (reference, idempotency_key, mode, patient_oid, submitted_by_oid, body)
  SELECT reference, idempotency_key, $4, $5, $6, $7::jsonb FROM claim
  RETURNING reference
)
SELECT 'filed' AS outcome, reference FROM filed
UNION ALL
SELECT CASE WHEN i.body_sha256 = $2 THEN 'repeat' ELSE 'conflict' END, i.reference
  FROM refill_idempotency i
 WHERE i.idempotency_key = $1::uuid AND NOT EXISTS (SELECT 1 FROM claim);
