-- Text search looks in one column the service computes (summary, dedup key, resource and the
-- string values of details, lowercased: src/domain/search_text.rs), indexed by an FTS5 table
-- with the trigram tokenizer: a quoted phrase matches any substring of three characters or
-- more, as PostgreSQL's pg_trgm index does. The FTS table holds only the index (its content
-- is the alerts table); the triggers keep it in step, and touch it on an update only when the
-- text changed, so triage updates cost nothing extra. The index finds alerts by their rowid:
-- a migration that rebuilds `alerts` must keep its rowids or end with
-- `INSERT INTO alerts_search (alerts_search) VALUES ('rebuild')`. The backfill's lower()
-- folds ASCII only; the service's text, from then on, all of Unicode.
ALTER TABLE alerts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE alerts SET search_text = lower(summary || char(10) || dedup_key
    || coalesce(char(10) || resource, '')
    || coalesce((SELECT char(10) || group_concat(value, char(10)) FROM json_tree(alerts.details)
                  WHERE type = 'text'), ''));

CREATE VIRTUAL TABLE alerts_search USING fts5(
    search_text, content = 'alerts', content_rowid = 'rowid', tokenize = 'trigram case_sensitive 1');
INSERT INTO alerts_search (alerts_search) VALUES ('rebuild');

CREATE TRIGGER alerts_search_insert AFTER INSERT ON alerts BEGIN
    INSERT INTO alerts_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER alerts_search_delete AFTER DELETE ON alerts BEGIN
    INSERT INTO alerts_search (alerts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER alerts_search_update AFTER UPDATE OF search_text ON alerts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO alerts_search (alerts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO alerts_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
