#!/bin/bash
# Stop the dockerd that scripts/e2e-engine.sh started (by its recorded PID); leave any other alone.
set -Eeuo pipefail
E2E_DIR=${E2E_DIR:-/tmp/sentry-onprem-e2e}
PIDFILE=$E2E_DIR/dockerd.pid
log() { echo "e2e-engine-stop: $*" >&2; }

if [ ! -s "$PIDFILE" ]; then log "no $PIDFILE: dockerd was not started by e2e-engine.sh, leaving it"; exit 0; fi
pid=$(cat "$PIDFILE")
if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
  log "pid $pid is not a running dockerd (already stopped)"; rm -f "$PIDFILE"; exit 0
fi
kill -TERM "$pid"
# dockerd stops its containers first (10 s grace each, in parallel); allow for that
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]; }
for _ in $(seq 1 600); do
  alive "$pid" || { log "dockerd $pid stopped"; rm -f "$PIDFILE"; exit 0; }
  sleep 0.1
done
log "dockerd $pid still running after 60 s"
exit 1
