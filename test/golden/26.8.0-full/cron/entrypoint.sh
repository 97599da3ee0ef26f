#!/usr/bin/env bash
# Runs each argument, a daily crontab line "M H * * * command", at H:M (container time, UTC), for ever.
# Rendered by sentry-onprem: the official image installs cron for this one line; bash keeps the schedule.
set -u

if [ -n "$(ls -A /usr/local/share/ca-certificates/ 2>/dev/null)" ]; then
  update-ca-certificates
fi

for job in "$@"; do
  read -r minute hour dom month dow command <<<"$job"
  if ! [[ "$minute" =~ ^[0-9]+$ && "$hour" =~ ^[0-9]+$ && "$dom $month $dow" == '* * *' ]]; then
    echo "entrypoint: only daily lines \"M H * * * command\" are supported: $job" >&2
    exit 2
  fi
  echo "entrypoint: daily at $(printf '%02d:%02d' "$hour" "$minute"): $command"
  (
    while true; do
      now=$(date -u +%s)
      next=$(date -u -d "$(date -u +%F) $hour:$minute" +%s)
      [ "$next" -le "$now" ] && next=$((next + 86400))
      sleep $((next - now))
      bash -c "$command"
    done
  ) &
done
trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM INT
wait
