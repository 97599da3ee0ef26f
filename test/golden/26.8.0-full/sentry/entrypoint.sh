#!/bin/bash
# Entrypoint of the Sentry services of 26.8.0, rendered by sentry-onprem: trusts the CA certificates in
# ./certificates, then hands over to the image's own entrypoint. Plugins are built into the image, so
# nothing is installed here at start.
set -e

if [ -n "$(ls -A /usr/local/share/ca-certificates/ 2>/dev/null)" ]; then
  update-ca-certificates
fi

source /docker-entrypoint.sh
