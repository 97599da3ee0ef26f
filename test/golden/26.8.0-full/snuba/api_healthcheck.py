#!/usr/bin/env python3
"""Healthcheck of snuba-api (Sentry 26.8.0), rendered by sentry-onprem and run by the compose healthcheck.

Exit 0 when GET /health answers a body with "ok", else 1 with one line on stderr (it shows in
`docker inspect`). SNUBA_API_HEALTHCHECK_URL and SNUBA_API_HEALTHCHECK_TIMEOUT override the defaults.
"""
import os
import sys
import urllib.request

URL = os.environ.get("SNUBA_API_HEALTHCHECK_URL") or "http://127.0.0.1:1218/health"
TIMEOUT = float(os.environ.get("SNUBA_API_HEALTHCHECK_TIMEOUT") or 2)


def main():
    try:
        with urllib.request.urlopen(URL, timeout=TIMEOUT) as response:
            body = response.read().decode("utf-8", "replace")
    except Exception as exc:  # refused, HTTP error, timeout: one readable line each
        print("snuba api not healthy at %s: %s" % (URL, exc), file=sys.stderr)
        return 1
    if "ok" not in body:
        print("snuba api answered without 'ok' at %s: %r" % (URL, body[:200]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
