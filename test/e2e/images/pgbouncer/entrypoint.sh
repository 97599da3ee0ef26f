#!/bin/sh
# What edoburu/pgbouncer's entrypoint does: write the config from the environment unless one is mounted.
set -e
standin-invocation "$@"
PG_CONFIG_DIR=/etc/pgbouncer
if [ -n "$DATABASE_URL" ]; then
  echo "stand-in: DATABASE_URL is not supported, use DB_HOST/DB_USER/..." >&2; exit 1
fi
AUTH_FILE=${AUTH_FILE:-$PG_CONFIG_DIR/userlist.txt}
[ -e "$AUTH_FILE" ] || touch "$AUTH_FILE"
# a password goes into the auth file (md5 unless plain/scram), never into pgbouncer.ini
if [ -n "$DB_USER" ] && [ -n "$DB_PASSWORD" ] && ! grep -q "^\"$DB_USER\"" "$AUTH_FILE"; then
  case "$AUTH_TYPE" in
    plain|scram-sha-256) pass=$DB_PASSWORD ;;
    *) pass="md5$(printf '%s%s' "$DB_PASSWORD" "$DB_USER" | md5sum | cut -d' ' -f1)" ;;
  esac
  printf '"%s" "%s"\n' "$DB_USER" "$pass" >> "$AUTH_FILE"
  echo "Wrote authentication credentials to $AUTH_FILE"
fi
if [ ! -f "$PG_CONFIG_DIR/pgbouncer.ini" ]; then
  echo "Create pgbouncer config in $PG_CONFIG_DIR"
  [ -n "$DB_HOST" ] || { echo "Setup pgbouncer config error! You must set DB_HOST env" >&2; exit 1; }
  {
    echo "################## Auto generated ##################"
    echo "[databases]"
    # users missing from the auth file are looked up on the server as auth_user
    echo "${DB_NAME:-*} = host=$DB_HOST port=${DB_PORT:-5432} auth_user=${DB_USER:-postgres}"
    echo "[pgbouncer]"
    echo "listen_addr = ${LISTEN_ADDR:-0.0.0.0}"
    echo "listen_port = ${LISTEN_PORT:-5432}"
    echo "unix_socket_dir = ${UNIX_SOCKET_DIR:-}"
    echo "user = postgres"
    echo "auth_file = $AUTH_FILE"
    echo "auth_type = ${AUTH_TYPE:-md5}"
    [ -z "$POOL_MODE" ] || echo "pool_mode = $POOL_MODE"
    [ -z "$MAX_CLIENT_CONN" ] || echo "max_client_conn = $MAX_CLIENT_CONN"
    [ -z "$DEFAULT_POOL_SIZE" ] || echo "default_pool_size = $DEFAULT_POOL_SIZE"
    echo "ignore_startup_parameters = ${IGNORE_STARTUP_PARAMETERS:-extra_float_digits}"
    echo "admin_users = ${ADMIN_USERS:-postgres}"
    [ -z "$STATS_USERS" ] || echo "stats_users = $STATS_USERS"
    [ -z "$SERVER_RESET_QUERY" ] || echo "server_reset_query = $SERVER_RESET_QUERY"
    echo "################## end file ##################"
  } > "$PG_CONFIG_DIR/pgbouncer.ini"
  cat "$PG_CONFIG_DIR/pgbouncer.ini"
fi
echo "Starting $*..."
exec "$@"
