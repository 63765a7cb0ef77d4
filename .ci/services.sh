#!/usr/bin/env bash
# Start PostgreSQL and Redis for the production-stack test run (Debian packages), and print
# the environment that points Konnect Admin at them. Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >&2
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >&2
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q && break; sleep 0.5; done
su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='konnect'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE konnect LOGIN CREATEDB PASSWORD 'konnect-ci'\"" >&2
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='konnect_admin'\"" | grep -q 1 \
  || su postgres -c "createdb -O konnect konnect_admin" >&2
redis-cli ping >/dev/null 2>&1 || redis-server --daemonize yes --save "" --appendonly no >&2
for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done
echo "DATABASE_URL=postgres://konnect:konnect-ci@127.0.0.1:5432/konnect_admin"
echo "CELERY_BROKER_URL=redis://127.0.0.1:6379/0"
echo "CACHE_URL=redis://127.0.0.1:6379/1"
