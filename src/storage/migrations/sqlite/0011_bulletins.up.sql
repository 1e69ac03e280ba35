-- Bulletins (通报, issue 8 part 7): drafted from the KPIs by the tenant's template, edited,
-- approved and published (app/bulletin_service.hpp). `content` holds the editable sections and
-- `snapshot` the figures, ranking, lists and photos taken when the draft was made: a published
-- bulletin prints these, never today's counters, so its numbers are frozen with it. `number`
-- (unique per tenant) is given once, at the first publish; a publish retried after a crash finds
-- it and reuses it. The PDF is kept in the media store under its SHA-256 (pdf_sha256).
CREATE TABLE bulletins (
  tenant_id     INTEGER NOT NULL,
  id            INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  state         TEXT NOT NULL,
  title         TEXT NOT NULL,
  period_kind   TEXT NOT NULL,
  period_from   TEXT NOT NULL,
  period_to     TEXT NOT NULL,
  version       INTEGER NOT NULL,
  content       TEXT NOT NULL,
  snapshot      TEXT NOT NULL,
  year          INTEGER,
  seq           INTEGER,
  number        TEXT,
  schedule_key  TEXT,
  created_by    INTEGER,
  created_at    INTEGER NOT NULL,
  updated_by    INTEGER,
  updated_at    INTEGER NOT NULL,
  submitted_by  INTEGER,
  submitted_at  INTEGER,
  approved_by   INTEGER,
  approved_at   INTEGER,
  published_by  INTEGER,
  published_at  INTEGER,
  pdf_sha256    TEXT,
  pdf_size      INTEGER,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX bulletins_number ON bulletins (tenant_id, number);
CREATE UNIQUE INDEX bulletins_schedule ON bulletins (tenant_id, schedule_key);
CREATE INDEX bulletins_state ON bulletins (tenant_id, state, id);
CREATE INDEX bulletins_pdf ON bulletins (tenant_id, pdf_sha256);

-- The units a bulletin is addressed to (主送): they receive it when it is published, and their
-- people may read it then (and only then).
CREATE TABLE bulletin_recipients (
  tenant_id   INTEGER NOT NULL,
  bulletin_id INTEGER NOT NULL,
  unit_id     INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, bulletin_id, unit_id)
);
CREATE INDEX bulletin_recipients_unit ON bulletin_recipients (tenant_id, unit_id, bulletin_id);

-- The tenant's template (the preset's bulletins.json, or what the office saved), as the document.
CREATE TABLE bulletin_settings (
  tenant_id  INTEGER NOT NULL PRIMARY KEY,
  doc        TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
