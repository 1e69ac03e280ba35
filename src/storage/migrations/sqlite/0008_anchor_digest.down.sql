DROP TABLE anchor_digests;
ALTER TABLE workflow_settings DROP COLUMN anchor_digest;
