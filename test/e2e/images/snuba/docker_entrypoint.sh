#!/bin/bash
# Contract of snuba 20.7.0's entrypoint: every line traced (set -ex); leading flags mean `snuba`;
# a first word that `snuba WORD --help` accepts runs as `gosu snuba snuba WORD ...`; anything
# else is exec'd as given (as root).
standin-invocation "$@"
set -ex
[ "${1:0:1}" != '-' ] || set -- snuba "$@"
if snuba "$1" --help > /dev/null 2>&1; then
  set -- gosu snuba snuba "$@"
fi
exec "$@"
