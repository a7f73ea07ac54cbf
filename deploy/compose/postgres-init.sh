#!/bin/sh
# Runs once, when the compose PostgreSQL volume is first initialised
# (/docker-entrypoint-initdb.d). One database and one login role per service: each
# service owns its database and cannot connect to another's.
set -eu

create_service_database() {
  name="$1"
  password="$2"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
SQL
}

create_service_database facilities "${FACILITIES_DB_PASSWORD:?}"
create_service_database booking "${BOOKING_DB_PASSWORD:?}"
create_service_database notifications "${NOTIFICATIONS_DB_PASSWORD:?}"

# No double booking is an exclusion constraint over tstzrange, which needs btree_gist.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname booking \
  -c 'CREATE EXTENSION IF NOT EXISTS btree_gist'
