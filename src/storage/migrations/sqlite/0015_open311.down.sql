DROP INDEX ledger_entity_at;
DROP INDEX cases_updated;
DROP TABLE open311_requests;
DROP TABLE open311_keys;
DROP TABLE open311_settings;
