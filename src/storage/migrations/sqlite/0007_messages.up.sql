-- Wording is data: each tenant's message templates per locale (notifications, robot messages,
-- document headings, Excel headers, labels), loaded from the preset's messages/LOCALE.json at
-- `civicloop init` and whenever a tenant has none (docs/operations.md, "Wording").
CREATE TABLE message_templates (
  tenant_id     INTEGER NOT NULL,
  locale        TEXT NOT NULL,
  message_key   TEXT NOT NULL,
  message_text  TEXT NOT NULL,
  PRIMARY KEY (tenant_id, locale, message_key)
);

-- A notification keeps its template key and arguments, so that each reader sees it in his own
-- language; title and body stay the text in the tenant's first locale (and for older rows).
ALTER TABLE notifications ADD COLUMN message_key TEXT;
ALTER TABLE notifications ADD COLUMN message_args TEXT;

-- The language a robot's group chat is written in.
ALTER TABLE webhooks ADD COLUMN locale TEXT NOT NULL DEFAULT 'zh-CN';
