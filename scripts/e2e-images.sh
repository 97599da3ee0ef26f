#!/bin/bash
# Build the local stand-ins for the official images (no registry is reachable here).
# Every test/e2e/images/<dir>/ with a `tags` file (one image tag a line) is built; an optional
# `after` file names the dir whose image its FROM needs. A tags line may go on with NAME=VALUE
# words: the lines with the same words are one more build of the dir with those --build-arg values
# (and STANDIN_TAG=<first such tag> unless given; the Dockerfile sets STANDIN_IMAGE from it: an ARG
# cannot override an inherited ENV of its own name), so one Dockerfile serves several releases.
# Independent dirs build in parallel (E2E_BUILD_JOBS, default 3). Args: only these dirs (and what they need). The layer cache
# decides what is rebuilt; E2E_NOCACHE=1 forces a cold build.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGES=${E2E_IMAGES_DIR:-$ROOT/test/e2e/images}
E2E_DIR=${E2E_DIR:-/tmp/sentry-onprem-e2e}
LOGS=$E2E_DIR/build-logs
JOBS=${E2E_BUILD_JOBS:-3}
# Debian's 20.10 client: /usr/local/bin/docker (28.x, no buildx) is first on PATH on these machines
export DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )}
export DOCKER_BUILDKIT=0
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%5.1f", b - a }'; }
log() { echo "e2e-images: $*" >&2; }
mkdir -p "$LOGS"
exec 9>"$E2E_DIR/images.lock"
flock 9 || { log "cannot lock $E2E_DIR/images.lock"; exit 1; }   # one builder at a time
T0=$EPOCHREALTIME

declare -A DEP=() STATE=() PIDS=() START=()
shopt -s nullglob
for f in "$IMAGES"/*/tags; do
  d=$(basename "$(dirname "$f")")
  DEP[$d]=$( [ -f "$IMAGES/$d/after" ] && tr -d ' \t\r\n' < "$IMAGES/$d/after" || true)
done
for d in "${!DEP[@]}"; do
  dep=${DEP[$d]}
  [ -z "$dep" ] || [ -n "${DEP[$dep]+x}" ] || { log "$d/after names '$dep', which has no tags file"; exit 1; }
done
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${!DEP[@]}")
want() {  # mark a dir and everything it needs
  [ -n "${DEP[$1]+x}" ] || { log "no such image dir: $1"; exit 1; }
  [ -n "${STATE[$1]:-}" ] && return
  STATE[$1]=todo
  [ -z "${DEP[$1]}" ] || want "${DEP[$1]}"
}
for d in "${wanted[@]}"; do want "$d"; done

# base images: bookworm, plus the other Debian suites that the wanted Dockerfiles start FROM
t=$EPOCHREALTIME
suites=$(for d in "${!STATE[@]}"; do sed -n 's/^FROM e2e\/debian:\([a-z]*\).*/\1/p' "$IMAGES/$d/Dockerfile"; done | sort -u | { grep -vx bookworm || true; } | paste -sd' ')
E2E_BASE_SUITES=$suites "$ROOT/scripts/e2e-base-image.sh"
printf '[%ss] %-22s -> %s\n' "$(since "$t")" base "e2e/debian:bookworm${suites:+ ($suites)}"

lines_of() { grep -v -e '^\s*#' -e '^\s*$' "$IMAGES/$1/tags" | tr -d '\r' | tr -s ' \t' ' ' | sed 's/^ //; s/ $//'; }
tags_of() { lines_of "$1" | cut -d' ' -f1; }
build() {  # build DIR: runs in the background, log in $LOGS/DIR.log
  local d=$1 group tag words args
  [ -n "$(tags_of "$d")" ] || { echo "no tags in $d/tags"; return 1; }
  # one docker build per distinct set of NAME=VALUE words (the plain tags first)
  while IFS= read -r group; do
    args=()
    while read -r tag words; do
      [ "$words" = "$group" ] && args+=(-t "$tag")
    done < <(lines_of "$d")
    if [ -n "$group" ]; then
      [[ " $group" == *" STANDIN_TAG="* ]] || args+=(--build-arg "STANDIN_TAG=${args[1]}")
      for words in $group; do args+=(--build-arg "$words"); done
    fi
    echo "== build $d${group:+ ($group)}"
    "$DOCKER" build --force-rm ${E2E_NOCACHE:+--no-cache} "${args[@]}" "$IMAGES/$d" || return 1
  done < <(lines_of "$d" | awk '{ $1 = ""; sub(/^ /, ""); if (!seen[$0]++) print }')
}
report() {  # report DIR RC
  local d=$1 rc=$2 note=
  if [ "$rc" != 0 ]; then
    STATE[$d]=failed
    log "FAILED: $d (exit $rc), last 30 lines of $LOGS/$d.log:"
    tail -30 "$LOGS/$d.log" >&2
    return
  fi
  STATE[$d]=done
  # every step after FROM (one FROM per build) answered from the layer cache
  [ "$(grep -c 'Using cache' "$LOGS/$d.log")" -lt "$(( $(grep -c '^Step ' "$LOGS/$d.log") - $(grep -c '^== build ' "$LOGS/$d.log") ))" ] \
    || note=' (cached)'
  [ -n "$note" ] || since "${START[$d]}" > "$LOGS/$d.seconds"   # build time, for the order next time
  printf '[%ss] %-22s -> %s%s\n' "$(since "${START[$d]}")" "$d" "$(tags_of "$d" | paste -sd ' ')" "$note"
}
# dirs that others wait for go first (they gate the longest chains), then the slowest last time
order() { for d in "${!STATE[@]}"; do
  n=0; for o in "${!DEP[@]}"; do [ "${DEP[$o]}" = "$d" ] && n=$((n + 1)); done
  echo "$n $(cat "$LOGS/$d.seconds" 2>/dev/null || echo 0) $d"; done | sort -k1,1nr -k2,2gr -k3 | awk '{print $3}'; }

failed=0
while :; do
  running=${#PIDS[@]}
  for d in $(order); do
    [ "$running" -lt "$JOBS" ] || break
    [ "${STATE[$d]}" = todo ] || continue
    dep=${DEP[$d]}
    if [ -n "$dep" ] && { [ "${STATE[$dep]}" = failed ] || [ "${STATE[$dep]}" = skipped ]; }; then
      STATE[$d]=skipped; log "skipped $d: $dep failed"; failed=1; continue
    fi
    [ -z "$dep" ] || [ "${STATE[$dep]}" = done ] || continue
    [ "$failed" = 0 ] || { STATE[$d]=skipped; continue; }
    START[$d]=$EPOCHREALTIME
    build "$d" > "$LOGS/$d.log" 2>&1 &
    PIDS[$!]=$d; STATE[$d]=running; running=$((running + 1))
  done
  [ ${#PIDS[@]} -gt 0 ] || break
  rc=0; wait -n -p pid "${!PIDS[@]}" || rc=$?
  d=${PIDS[$pid]}; unset "PIDS[$pid]"
  report "$d" "$rc"
  [ "$rc" = 0 ] || failed=1
done
printf '[%ss] %-22s\n' "$(since "$T0")" TOTAL
for d in "${!STATE[@]}"; do
  [ "${STATE[$d]}" != todo ] || { log "not built (dependency cycle?): $d"; failed=1; }
done
if [ "$failed" != 0 ]; then log "some images failed, see above (logs in $LOGS)"; exit 1; fi
[ "${E2E_PRUNE:-0}" != 1 ] || "$DOCKER" image prune -f >/dev/null
