-- The dashboard's report sums (issue 8 part 6): what the district's command centre reads for its
-- source mix, top categories and hotspots, kept by the KPI projector beside kpi_counters (three
-- upserts more per counter row that counts reports, storage/kpi_repo.cpp), so that the dashboard
-- reads a few thousand rows whatever the number of cases instead of grouping kpi_counters.
-- Both are sums of kpi_counters.reported; `kpi rebuild` empties and refills them with it.

-- Reports per report day and source ('source', code) or category ('category', code).
CREATE TABLE kpi_report_days (
  tenant_id  INTEGER NOT NULL,
  day        INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  code       TEXT NOT NULL,
  reported   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, kind, code)
);

-- Reports per month of the report day (YYYYMM), grid and category: the hotspots, most first.
CREATE TABLE kpi_hotspot_months (
  tenant_id      INTEGER NOT NULL,
  month          INTEGER NOT NULL,
  grid_id        INTEGER NOT NULL,
  category_code  TEXT NOT NULL,
  reported       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, month, grid_id, category_code)
);
CREATE INDEX kpi_hotspot_months_top ON kpi_hotspot_months (tenant_id, month, reported);

-- A database made before this migration: the sums of the counters it already has.
INSERT INTO kpi_report_days (tenant_id, day, kind, code, reported)
SELECT tenant_id, day, 'source', source, sum(reported) FROM kpi_counters
WHERE reported <> 0 GROUP BY tenant_id, day, source;
INSERT INTO kpi_report_days (tenant_id, day, kind, code, reported)
SELECT tenant_id, day, 'category', category_code, sum(reported) FROM kpi_counters
WHERE reported <> 0 GROUP BY tenant_id, day, category_code;
INSERT INTO kpi_hotspot_months (tenant_id, month, grid_id, category_code, reported)
SELECT tenant_id, day / 100, grid_id, category_code, sum(reported) FROM kpi_counters
WHERE reported <> 0 AND grid_id <> 0 GROUP BY tenant_id, day / 100, grid_id, category_code;
