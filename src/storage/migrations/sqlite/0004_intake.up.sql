-- Intake that places every report: what happens to a report whose point lies outside the
-- tenant's area. 'refuse' answers case.outside_area (with the distance); 'flag' accepts it with no
-- area, flagged for the office to place by hand (docs/architecture.md, "Placing a report").
ALTER TABLE workflow_settings ADD COLUMN outside_area_policy TEXT NOT NULL DEFAULT 'refuse';
