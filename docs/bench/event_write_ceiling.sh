#!/usr/bin/env bash
# PostgreSQL alone writing what an ingested event must write, with no service in front: per
# event one alert row (with the indexes dedup and the alert lists need) and one audit entry, the
# events of two tenants per transaction, their tenant rows locked first. The rate it reaches is a
# ceiling for HTTP and AMQP ingest on the same machine, which also has to run the service.
#
#     docs/bench/event_write_ceiling.sh [events per tenant per transaction, 32] [seconds, 15]
#
# Needs psql, pgbench and bc, and PostgreSQL at $PGHOST (127.0.0.1) as $PGUSER (postgres).
set -euo pipefail
per_tenant=${1:-32}
seconds=${2:-15}
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
db=oneprotect_write_ceiling
cd "$(dirname "$0")/../.."

psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -q -d postgres -c "DROP DATABASE IF EXISTS $db"' EXIT
for migration in migrations/postgres/*/up.sql; do psql -q -d $db -f "$migration"; done
psql -q -d $db <<'SQL'
INSERT INTO tenants (id, slug, name, ticket_prefix, created_at)
  SELECT gen_random_uuid()::text, 'tenant-' || g, 'Tenant', 'T', now() FROM generate_series(1, 100) g;
INSERT INTO integrations SELECT gen_random_uuid()::text, id, 'load', md5(id), now() FROM tenants;
CREATE TABLE pairs AS
  SELECT row_number() OVER () AS n, t.id AS tenant_id, i.id AS integration_id
  FROM tenants t JOIN integrations i ON i.tenant_id = t.id;
SQL

script=$(mktemp)
trap 'rm -f "$script"; psql -q -d postgres -c "DROP DATABASE IF EXISTS $db"' EXIT
# Audit seqs only need to be unique per tenant: the tenant lock orders transactions, so the
# microsecond clock times 1000 plus the row number is.
cat >"$script" <<SQL
\set a random(1, 100)
\set b random(1, 100)
BEGIN;
UPDATE tenants t SET write_seq = t.write_seq + 1 FROM pairs p WHERE p.n IN (:a, :b) AND t.id = p.tenant_id;
INSERT INTO alerts (id, tenant_id, integration_id, dedup_key, status, severity, summary, resource, details,
                    event_count, first_seen_at, last_seen_at)
  SELECT gen_random_uuid()::text, p.tenant_id, p.integration_id, gen_random_uuid()::text, 'triggered', 'high',
         'load', NULL, '{}', 1, now(), now()
  FROM pairs p, generate_series(1, $per_tenant) g WHERE p.n IN (:a, :b);
INSERT INTO audit_entries (id, tenant_id, seq, at, actor_type, actor_id, actor_name, actor_role, action,
                           target_type, target_id, changes, request_id, channel, prev_hash, hash)
  SELECT gen_random_uuid()::text, p.tenant_id,
         (extract(epoch FROM clock_timestamp()) * 1e6)::bigint * 1000 + g, now(), 'integration', NULL, 'load',
         NULL, 'alert.created', 'alert', gen_random_uuid()::text, '{"summary":"load","severity":"high"}', NULL,
         'http', repeat('a', 64), repeat('b', 64)
  FROM pairs p, generate_series(1, $per_tenant) g WHERE p.n IN (:a, :b);
COMMIT;
SQL
tps=$(pgbench -n -c 4 -T "$seconds" -f "$script" $db | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
# Two tenants per transaction, unless the two draws named the same one (1 time in 100).
echo "$per_tenant events per tenant, 2 tenants per transaction: $tps transactions/s = $(echo "$tps * 2 * $per_tenant * 0.995" | bc | cut -d. -f1) events/s"
