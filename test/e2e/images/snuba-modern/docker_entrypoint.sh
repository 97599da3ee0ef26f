#!/bin/bash
# Contract of the newer snuba entrypoint: leading flags mean `snuba`; a first word that
# `snuba WORD --help` accepts runs as `gosu snuba snuba WORD ...`; anything else is exec'd as given.
standin-invocation "$@"
set -e
[ "${1:0:1}" != '-' ] || set -- snuba "$@"
if snuba "$1" --help > /dev/null 2>&1; then
  set -- snuba "$@"
  [ "$(id -u)" != 0 ] || set -- gosu snuba "$@"
fi
exec "$@"
