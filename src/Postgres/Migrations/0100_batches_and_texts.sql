-- 0100 (issue 16, bulk): batches, report filters and optional message texts (README "Bulk send", "Reports").
-- batch_id: the batch_id of POST /send/batch (NULL for a single /send); GET /batches/{id} counts per status over it.
-- text: the message text, stored only for accounts whose setting store_text is on (off by default); NULL otherwise.
ALTER TABLE messages ADD COLUMN batch_id uuid NULL;
ALTER TABLE messages ADD COLUMN text text NULL;

-- Batch counts and the batch filter of the report: only batched rows are indexed.
CREATE INDEX messages_batch_idx ON messages (batch_id, id DESC) INCLUDE (status) WHERE batch_id IS NOT NULL;
-- Report filter by phone, newest first.
CREATE INDEX messages_user_msisdn_idx ON messages (user_id, msisdn, id DESC);

ALTER TABLE account_settings ADD COLUMN store_text boolean NOT NULL DEFAULT false;
