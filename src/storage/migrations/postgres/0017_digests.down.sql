DROP INDEX digest_runs_unit;
DROP TABLE digest_runs;
ALTER TABLE webhooks DROP COLUMN unit_id;
