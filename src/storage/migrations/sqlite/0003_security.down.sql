ALTER TABLE workflow_settings DROP COLUMN reporter_sees_notice;
DROP TABLE recovery_codes;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_pending;
ALTER TABLE users DROP COLUMN totp_secret;
DROP INDEX login_throttle_evict;
DROP TABLE login_throttle;
