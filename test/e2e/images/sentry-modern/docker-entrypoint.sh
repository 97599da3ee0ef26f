#!/bin/bash
# The entrypoint of the official 21.x+ images (same rule as 20.7.0): `sentry` is prepended for flags and
# for words that name a module in sentry/runner/commands/.
set -e

# first check if we're passing flags, if so
# prepend with sentry
if [ "${1:0:1}" = '-' ]; then
	set -- sentry "$@"
fi

if [[ $1 =~ ^[[:alnum:]]+$ ]] && [ -f "@COMMANDS@/$1.py" ]; then
	set -- sentry "$@"
fi

if [ "$1" = 'sentry' ]; then
	set -- tini -- "$@"
	if [ "$(id -u)" = '0' ]; then
		mkdir -p /data/files
		find /data ! -user sentry -exec chown sentry {} \;
		set -- gosu sentry "$@"
	fi
fi

exec "$@"
