#!/usr/bin/env bash
# Create the app's database on a PostgreSQL 15 server with PostGIS 3 (Debian packages
# `postgresql` and `postgresql-15-postgis-3`) and print the PANJ_DATABASE_URL to use.
#
#   usage: deploy/postgis-setup.sh [DB_NAME] [DB_USER]
#   run as a database superuser, e.g. `runuser -u postgres -- deploy/postgis-setup.sh`;
#   PGHOST / PGPORT pick the server (libpq's own variables).
#
# The user gets no password: connect over the local socket (peer/trust) or add one with
# ALTER ROLE ... PASSWORD and put it in the URL. The app's tables are created by its own
# migrations (`python -m panjmap db init`), not here.
set -euo pipefail
db=${1:-panjmap}
user=${2:-panjmap}
case "$db$user" in *[!A-Za-z0-9_]*) echo "names may hold only letters, digits and _" >&2; exit 2 ;; esac

psql -v ON_ERROR_STOP=1 -d postgres -qAt <<SQL
SELECT 'CREATE ROLE $user LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user')\gexec
SELECT 'CREATE DATABASE $db OWNER $user' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')\gexec
SQL
# PostGIS is created by a superuser once; the owner then creates its tables with it.
PGOPTIONS="-c client_min_messages=warning" psql -v ON_ERROR_STOP=1 -d "$db" -qc "CREATE EXTENSION IF NOT EXISTS postgis"

host=${PGHOST:-/var/run/postgresql}
port=${PGPORT:-5432}
if [[ $host == /* ]]; then
  echo "postgresql+psycopg://$user@/$db?host=$host&port=$port"
else
  echo "postgresql+psycopg://$user@$host:$port/$db"
fi
