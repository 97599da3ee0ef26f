#!/usr/bin/env bash
# Contract of the real entrypoint: as root, make /data writable for symbolicator and step down.
set -eu
standin-invocation "$@"
if [ "$(id -u)" == "0" ]; then
  chown symbolicator:symbolicator /data
  exec gosu symbolicator /bin/symbolicator "$@"
fi
exec /bin/symbolicator "$@"
