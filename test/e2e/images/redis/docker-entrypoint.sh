#!/bin/sh
set -e
if [ -z "${STANDIN_ANNOUNCED:-}" ]; then standin-invocation "$@"; export STANDIN_ANNOUNCED=1; fi
# like the official image: flags or a .conf as first arg mean redis-server
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
  find . \! -user redis -exec chown redis '{}' +
  # official images are built with protected-mode off; Debian's binary is not.
  # Put it right after the optional config file so later user flags still win.
  shift
  case "${1:-}" in
    *.conf) conf="$1"; shift; set -- redis-server "$conf" --protected-mode no "$@" ;;
    *)      set -- redis-server --protected-mode no "$@" ;;
  esac
  exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
