#!/bin/sh
# Deployments from the Aspire manifest: PostgreSQL's image runs this once, on its first start, as the
# superuser, so the roles exist before the migration worker connects as gpudev_owner. The passwords come
# from the container's environment (the manifest's secret parameters) as session settings, never as text
# of a statement. gpudev-bootstrap.psql is GpuDev.Database's DatabaseBootstrap.Script (a test keeps them equal).
set -eu
PGOPTIONS="-c gpudev.owner_password=${GPUDEV_OWNER_PASSWORD} -c gpudev.runtime_password=${GPUDEV_RUNTIME_PASSWORD}" \
  psql --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -f /docker-entrypoint-initdb.d/gpudev-bootstrap.psql
