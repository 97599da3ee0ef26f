#!/bin/bash
# Prepare a real Docker engine for the end-to-end tests (run as root; safe to re-run):
#   1. apt packages (docker.io, compose v1, debootstrap, docker-registry for the mirror test, and the
#      real parsers the tests use),
#   2. dockerd, started here only when `docker info` fails (its PID goes to $E2E_DIR/dockerd.pid),
#   3. compose v2 as a CLI plugin in a private DOCKER_CONFIG (bookworm has no compose v2).
# Progress goes to stderr; stdout gets `export` lines, also written to $E2E_DIR/env.sh.
set -Eeuo pipefail
E2E_DIR=${E2E_DIR:-/tmp/sentry-onprem-e2e}
PKGS=(docker.io docker-compose debootstrap nginx-light python3-yaml cron openssl curl docker-registry)
mkdir -p "$E2E_DIR"
log() { echo "e2e-engine: $*" >&2; }
fail() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root"

debian_mirror() {  # the mirror this machine's apt already uses
  local m
  m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${m:-http://deb.debian.org/debian}"
}

install_packages() {
  local missing=() p
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "packages: all present"; return; fi
  log "packages: installing ${missing[*]}"
  # Keep the packages from starting services (nginx on :80, a second dockerd) on hosts with an init.
  local own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
  fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
    > "$E2E_DIR/apt.log" 2>&1 || rc=$?
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || { tail -30 "$E2E_DIR/apt.log" >&2; fail "apt-get failed (log: $E2E_DIR/apt.log)"; }
}

start_dockerd() {
  if docker info >/dev/null 2>&1; then
    local ours
    ours=$(cat "$E2E_DIR/dockerd.pid" 2>/dev/null || true)
    if [ -n "$ours" ] && [ "$ours" = "$(cat /var/run/docker.pid 2>/dev/null)" ]; then
      log "dockerd: already running, started earlier by this script (pid $ours)"
    else
      log "dockerd: already running, not started by this script"
    fi
    return
  fi
  rm -f "$E2E_DIR/dockerd.pid"
  setsid dockerd --pidfile /var/run/docker.pid </dev/null >"$E2E_DIR/dockerd.log" 2>&1 &
  local launcher=$!
  for _ in $(seq 1 300); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
  done
  if ! docker info >/dev/null 2>&1; then
    tail -30 "$E2E_DIR/dockerd.log" >&2
    fail "dockerd did not come up (log: $E2E_DIR/dockerd.log)"
  fi
  # dockerd's own pidfile holds the daemon's PID (the launcher PID may differ under setsid)
  cp /var/run/docker.pid "$E2E_DIR/dockerd.pid"
  log "dockerd: started by this script, pid $(cat "$E2E_DIR/dockerd.pid"), log $E2E_DIR/dockerd.log"
}

# Compose v2 from Debian testing (forky: 2.40.x): the 25.x and 26.x releases ask for 2.32.2 or later,
# bookworm has no compose v2 and trixie's is 2.26.1. Its .deb is one Go binary needing only libc6 >= 2.34.
COMPOSE_SUITE=${COMPOSE_SUITE:-forky}
COMPOSE_MIN=2.32.2
fetch_compose_v2() {
  local plugin=$E2E_DIR/docker-config/cli-plugins/docker-compose have
  if [ -x "$plugin" ]; then
    have=$(DOCKER_CONFIG=$E2E_DIR/docker-config docker compose version --short 2>/dev/null | sed 's/^v//; s/-.*//')
    if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$COMPOSE_MIN" "$have" | sort -V | head -1)" = "$COMPOSE_MIN" ]; then
      log "compose v2: $have cached at $plugin"; return
    fi
    log "compose v2: cached ${have:-unknown} is older than $COMPOSE_MIN, fetching $COMPOSE_SUITE's"
  fi
  local d=$E2E_DIR/compose-v2
  rm -rf "$d" && mkdir -p "$d/lists/partial" "$(dirname "$plugin")"
  echo "deb $(debian_mirror) $COMPOSE_SUITE main" > "$d/sources.list"
  # private source list and list dir: the system's apt sources stay untouched
  local O=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/nonexistent
           -o "Dir::State::Lists=$d/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
  apt-get "${O[@]}" update -qq >"$d/apt.log" 2>&1 || { tail -30 "$d/apt.log" >&2; fail "apt-get update ($COMPOSE_SUITE) failed"; }
  (cd "$d" && apt-get "${O[@]}" download docker-compose) >>"$d/apt.log" 2>&1 \
    || { tail -30 "$d/apt.log" >&2; fail "download of $COMPOSE_SUITE's docker-compose failed"; }
  dpkg-deb -x "$d"/docker-compose_*.deb "$d/x"
  cp "$d/x/usr/libexec/docker/cli-plugins/docker-compose" "$plugin.tmp" && mv "$plugin.tmp" "$plugin"
  rm -rf "$d/x" "$d/lists"
  log "compose v2: $(DOCKER_CONFIG=$E2E_DIR/docker-config docker compose version)"
}

install_packages
start_dockerd
fetch_compose_v2
{
  echo "export DOCKER_CONFIG=$E2E_DIR/docker-config"
  echo "export E2E_COMPOSE_V1=docker-compose"
  echo "export E2E_COMPOSE_V2='docker compose'"
} | tee "$E2E_DIR/env.sh"
log "env: source $E2E_DIR/env.sh (DOCKER_CONFIG makes \`docker compose\` compose v2)"
