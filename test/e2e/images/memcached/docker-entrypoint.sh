#!/bin/sh
set -e
standin-invocation "$@"
# like the official image: flags as first arg mean memcached
if [ "${1#-}" != "$1" ]; then set -- memcached "$@"; fi
exec "$@"
