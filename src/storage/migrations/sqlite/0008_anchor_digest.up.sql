-- The daily anchor digest (app/anchor_digest.hpp): whether the tenant's robots get it (off by
-- default), and the days it was queued for. The day's row and its robot messages are written in
-- one transaction, and the key refuses a second row for the same day: a day is never sent twice,
-- whatever restarts or second servers there are.
ALTER TABLE workflow_settings ADD COLUMN anchor_digest INTEGER NOT NULL DEFAULT 0;

CREATE TABLE anchor_digests (
  tenant_id  INTEGER NOT NULL,
  day        TEXT NOT NULL,
  head_seq   INTEGER NOT NULL,
  head_hash  TEXT NOT NULL,
  sent_at    INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day)
);
