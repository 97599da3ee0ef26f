#!/usr/bin/env bash
# Runs each argument, a crontab line, on its schedule (container time, UTC) for ever:
#   "M H * * * command"    daily at H:M
#   "*/N * * * * command"  every N minutes (the minutes of the hour divisible by N, as cron counts them)
# Rendered by sentry-onprem: the official image installs Debian's cron for these lines (apt-get, the network at
# build time); bash keeps the schedule, so the image builds from its inputs alone, online and offline alike.
set -u

# Whether a crontab field ("*", "*/N" or a number) matches a value.
matches() {
  case $1 in
    '*') return 0 ;;
    '*/'*) (( $2 % ${1#*/} == 0 )) ;;
    *) (( 10#$1 == $2 )) ;;
  esac
}

# Seconds from now to the start of the next minute whose minute and hour match.
seconds_to_next() {
  local now t
  now=$(date -u +%s)
  t=$(( now - now % 60 + 60 ))
  until matches "$1" $(( t / 60 % 60 )) && matches "$2" $(( t / 3600 % 24 )); do t=$(( t + 60 )); done
  echo $(( t - now ))
}

for job in "$@"; do
  read -r minute hour dom month dow command <<<"$job"
  if ! [[ ( "$minute" =~ ^[0-9]+$ && "$hour" =~ ^[0-9]+$ || "$minute" =~ ^\*/[1-9][0-9]*$ && "$hour" == '*' ) && "$dom $month $dow" == '* * *' ]]; then
    echo "entrypoint: only \"M H * * * command\" and \"*/N * * * * command\" lines are supported: $job" >&2
    exit 2
  fi
  echo "entrypoint: at \"$minute $hour\" (UTC): $command"
  (
    while true; do
      sleep "$(seconds_to_next "$minute" "$hour")"
      bash -c "$command"
    done
  ) &
done
trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM INT
wait
