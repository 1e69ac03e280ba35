ALTER TABLE webhooks DROP COLUMN locale;
ALTER TABLE notifications DROP COLUMN message_args;
ALTER TABLE notifications DROP COLUMN message_key;
DROP TABLE message_templates;
