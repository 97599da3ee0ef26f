#!/bin/sh
# the image's entrypoint: everything goes to weed (which prints the start-up line itself)
exec /usr/bin/weed "$@"
