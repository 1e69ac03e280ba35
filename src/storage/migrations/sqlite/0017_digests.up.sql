-- Digests (工作提示, issue 8 part 9): each unit's head gets a daily or weekly message with the
-- unit's own figures and rank (app/digest_service.hpp). A robot bound to a unit (unit_id) is that
-- unit's own group chat: it gets the unit's digests and none of the tenant-wide messages.
ALTER TABLE webhooks ADD COLUMN unit_id INTEGER;

-- One row per unit, kind and period sent, written in the same transaction as its messages: the
-- key refuses a period a second time, whatever restarts or second servers there are.
CREATE TABLE digest_runs (
  tenant_id     INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  period_from   TEXT NOT NULL,
  unit_id       INTEGER NOT NULL,
  robots        INTEGER NOT NULL,
  notified      INTEGER NOT NULL,
  sent_at       INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, kind, period_from, unit_id)
);
CREATE INDEX digest_runs_unit ON digest_runs (tenant_id, unit_id, sent_at);
