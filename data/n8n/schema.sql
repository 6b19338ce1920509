-- SPDX-License-Identifier: GPL-3.0-or-later
-- The reference workflow's tables (README, "Setting up the workflow"). Run once against the
-- database its "Medication Refill database" credential names:  psql -d medrefill -f schema.sql
--
-- refill_idempotency: one row per Idempotency-Key, written in the same statement (one transaction)
-- that files the request (file-once.sql). A repeat with the same body gets the first reference;
-- the same key with another body is refused (422); a repeat that arrives while the first attempt
-- is being filed waits on the key's row and then answers as a repeat, or, when its snapshot began
-- before that attempt committed, answers 409 and is sent again.
CREATE TABLE IF NOT EXISTS refill_idempotency (
  idempotency_key uuid        PRIMARY KEY,
  body_sha256     text        NOT NULL CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
  reference       text        NOT NULL UNIQUE,
  received_at     timestamptz NOT NULL DEFAULT now()
);

-- What the pharmacy reads: each accepted request once, with who the token said sent it.
CREATE TABLE IF NOT EXISTS refill_requests (
  reference        text        PRIMARY KEY REFERENCES refill_idempotency (reference),
  idempotency_key  uuid        NOT NULL UNIQUE REFERENCES refill_idempotency (idempotency_key),
  received_at      timestamptz NOT NULL DEFAULT now(),
  mode             text        NOT NULL CHECK (mode IN ('kiosk', 'desk')),
  patient_oid      text        NOT NULL,
  submitted_by_oid text,
  body             jsonb       NOT NULL,
  status           text        NOT NULL DEFAULT 'new'
);
