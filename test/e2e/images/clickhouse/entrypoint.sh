#!/bin/bash
# Same contract as the official 19.17 entrypoint: no args or --flags start the server as user
# clickhouse; anything else (clickhouse-client ...) is exec'd as given.
set -e
standin-invocation "$@"
if [[ $# -lt 1 ]] || [[ "$1" == "--"* ]]; then
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /var/lib/clickhouse /var/log/clickhouse-server
    chown -R clickhouse:clickhouse /var/lib/clickhouse /var/log/clickhouse-server
    exec gosu clickhouse /usr/bin/clickhouse-server --config-file="$CLICKHOUSE_CONFIG" "$@"
  fi
  exec /usr/bin/clickhouse-server --config-file="$CLICKHOUSE_CONFIG" "$@"
fi
exec "$@"
