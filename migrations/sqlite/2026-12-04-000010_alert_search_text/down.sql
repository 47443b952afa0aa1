DROP TRIGGER alerts_search_update;
DROP TRIGGER alerts_search_delete;
DROP TRIGGER alerts_search_insert;
DROP TABLE alerts_search;
ALTER TABLE alerts DROP COLUMN search_text;
