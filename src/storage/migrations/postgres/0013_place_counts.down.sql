DROP INDEX cases_open_community;
DROP INDEX cases_open_subdistrict;
