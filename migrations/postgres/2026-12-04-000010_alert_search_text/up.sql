-- Text search looks in one column the service computes (summary, dedup key, resource and the
-- string values of details, lowercased: src/domain/search_text.rs), indexed with trigrams, so
-- that PostgreSQL and SQLite search the same text. Existing alerts get it computed here; the
-- service writes it with every alert from now on (PostgreSQL's lower() follows the database's
-- locale where Rust's follows Unicode: they agree on what alerts hold in practice). Details
-- with an escaped NUL cannot become jsonb: their strings are left out of the text.
ALTER TABLE alerts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE alerts SET search_text = lower(concat_ws(E'\n', summary, dedup_key, resource,
    CASE WHEN details NOT LIKE '%\\u0000%' THEN
        (SELECT string_agg(v #>> '{}', E'\n')
           FROM jsonb_path_query(details::jsonb, 'strict $.** ? (@.type() == "string")') AS v)
    END));
-- No default from now on: an insert that forgot the column fails instead of hiding an alert.
ALTER TABLE alerts ALTER COLUMN search_text DROP DEFAULT;

DROP INDEX alerts_summary_trgm;
DROP INDEX alerts_dedup_key_trgm;
DROP INDEX alerts_resource_trgm;
CREATE INDEX alerts_search_text_trgm ON alerts USING gin (search_text gin_trgm_ops);
