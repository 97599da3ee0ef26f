#!/bin/bash
# Remove what an earlier, interrupted test run left on this engine: the containers, volumes and networks
# of installs whose directory is a test's temporary directory (/tmp/sentry-onprem-*). The official releases
# name their volumes host-wide, so one such leftover makes every later install on the engine refuse to run
# (correctly: it belongs to another install). Objects of any other install are never touched.
set -Eeuo pipefail
PREFIX=${E2E_CLEAN_PREFIX:-/tmp/sentry-onprem-}
log() { echo "e2e-clean: $*" >&2; }
ours() { case "$1" in "$PREFIX"*) return 0;; *) return 1;; esac; }

n_c=0 n_v=0 n_n=0 n_i=0
declare -A projects=()
while read -r id project dir; do
  [ -n "$id" ] && ours "$dir" || continue
  projects[$project]=1
  docker rm -f -v "$id" >/dev/null && n_c=$((n_c + 1))
done < <(docker ps -aq | xargs -r docker inspect --format \
  '{{.Id}} {{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.project.working_dir"}}' 2>/dev/null || true)

# the project's own volumes carry no directory: they go with the test containers that used them
while read -r name project; do
  [ -n "$name" ] && [ -n "$project" ] && [ -n "${projects[$project]:-}" ] || continue
  docker volume rm -f "$name" >/dev/null && n_v=$((n_v + 1))
done < <(docker volume ls -q | xargs -r docker volume inspect --format \
  '{{.Name}} {{index .Labels "com.docker.compose.project"}}' 2>/dev/null || true)

while read -r name dir; do
  [ -n "$name" ] && ours "$dir" || continue
  docker volume rm -f "$name" >/dev/null && n_v=$((n_v + 1))
done < <(docker volume ls -q | xargs -r docker volume inspect --format \
  '{{.Name}} {{index .Labels "io.sentry-onprem.dir"}}' 2>/dev/null || true)

while read -r name project; do
  [ -n "$name" ] && [ -n "$project" ] && [ -n "${projects[$project]:-}" ] || continue
  docker network rm "$name" >/dev/null && n_n=$((n_n + 1))
done < <(docker network ls -q | xargs -r docker network inspect --format \
  '{{.Name}} {{index .Labels "com.docker.compose.project"}}' 2>/dev/null || true)

while read -r id dir; do
  [ -n "$id" ] && ours "$dir" || continue
  docker rmi -f "$id" >/dev/null 2>&1 && n_i=$((n_i + 1))
done < <(docker images -q --no-trunc | sort -u | xargs -r docker image inspect --format \
  '{{.Id}} {{index .Config.Labels "io.sentry-onprem.dir"}}' 2>/dev/null || true)

# registries the registry test started and could not stop (its process was killed): they hold its port
n_r=0
for pid in $(pgrep -f "docker-registry serve $PREFIX" || true); do kill "$pid" 2>/dev/null && n_r=$((n_r + 1)); done
[ "$n_r" = 0 ] || log "stopped $n_r registries left by earlier test runs"

log "removed $n_c containers, $n_v volumes, $n_n networks, $n_i images left by earlier test runs under $PREFIX"
