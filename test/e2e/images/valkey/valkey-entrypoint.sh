#!/bin/sh
# valkey's entrypoint: flags or a .conf mean valkey-server; valkey-server runs like redis-server
set -e
standin-invocation "$@"; export STANDIN_ANNOUNCED=1
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- valkey-server "$@"; fi
if [ "$1" = 'valkey-server' ]; then shift; set -- redis-server "$@"; fi
exec docker-entrypoint.sh "$@"
