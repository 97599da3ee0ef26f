#!/bin/sh
# What edoburu/pgbouncer's entrypoint does: write the config from the environment unless one is mounted.
set -e
standin-invocation "$@"
PG_CONFIG_DIR=/etc/pgbouncer
if [ -n "$DATABASE_URL" ]; then
  echo "stand-in: DATABASE_URL is not supported, use DB_HOST/DB_USER/..." >&2; exit 1
fi
if [ ! -e "$PG_CONFIG_DIR/pgbouncer.ini" ]; then
  [ -n "$DB_HOST" ] || { echo "DB_HOST must be set" >&2; exit 1; }
  if [ -n "$DB_USER" ] && [ -n "$DB_PASSWORD" ] && [ ! -e "$PG_CONFIG_DIR/userlist.txt" ]; then
    printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" > "$PG_CONFIG_DIR/userlist.txt"
  fi
  {
    echo "################## Auto generated ##################"
    echo "[databases]"
    echo "${DB_NAME:-*} = host=$DB_HOST port=${DB_PORT:-5432}${DB_USER:+ user=$DB_USER}${DB_PASSWORD:+ password=$DB_PASSWORD}"
    echo "[pgbouncer]"
    echo "listen_addr = ${LISTEN_ADDR:-0.0.0.0}"
    echo "listen_port = ${LISTEN_PORT:-5432}"
    echo "unix_socket_dir = ${UNIX_SOCKET_DIR:-}"
    echo "auth_file = $PG_CONFIG_DIR/userlist.txt"
    echo "auth_type = ${AUTH_TYPE:-md5}"
    echo "pool_mode = ${POOL_MODE:-session}"
    echo "max_client_conn = ${MAX_CLIENT_CONN:-100}"
    echo "default_pool_size = ${DEFAULT_POOL_SIZE:-20}"
    echo "ignore_startup_parameters = ${IGNORE_STARTUP_PARAMETERS:-extra_float_digits}"
    [ -z "$ADMIN_USERS" ] || echo "admin_users = $ADMIN_USERS"
    [ -z "$STATS_USERS" ] || echo "stats_users = $STATS_USERS"
    [ -z "$SERVER_RESET_QUERY" ] || echo "server_reset_query = $SERVER_RESET_QUERY"
  } > "$PG_CONFIG_DIR/pgbouncer.ini"
  touch "$PG_CONFIG_DIR/userlist.txt"
  echo "Wrote authentication credentials to $PG_CONFIG_DIR/userlist.txt"
fi
echo "Starting $*..."
exec "$@"
