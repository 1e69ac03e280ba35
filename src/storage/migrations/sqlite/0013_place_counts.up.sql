-- A leader's places (我的联系点, issue 8 part 5): the open cases of a subdistrict and of a
-- community or village, with their overdue flag and escalation level in the index, so the counts
-- of GET /api/v1/places/mine read only the open cases of each place from the index, never the
-- table (docs/architecture.md, "A leader's places").
CREATE INDEX cases_open_subdistrict ON cases (tenant_id, subdistrict_id, overdue, escalation_level)
  WHERE state NOT IN ('closed', 'voided', 'duplicate');
CREATE INDEX cases_open_community ON cases (tenant_id, community_id, overdue, escalation_level)
  WHERE state NOT IN ('closed', 'voided', 'duplicate');
