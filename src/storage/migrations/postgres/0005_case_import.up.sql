-- History import (issue 7, part 6): a case brought in from an earlier system keeps the number it
-- had there (a 12345 hotline or 数字城管 work order number) and the name of that source, as the
-- import mapping calls it. Unique per tenant and source, so importing the same file again finds
-- the cases already there and writes nothing twice (docs/operations.md, "Importing past work
-- orders"). Both are NULL for a case reported in civicloop.
ALTER TABLE cases ADD COLUMN original_no TEXT;
ALTER TABLE cases ADD COLUMN import_source TEXT;
CREATE UNIQUE INDEX cases_original_no ON cases (tenant_id, import_source, original_no)
  WHERE original_no IS NOT NULL;
