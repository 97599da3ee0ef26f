#!/bin/bash
# Base images for the stand-ins (no registry is reachable, so nothing can be pulled):
#   e2e/debian:bookworm  debootstrap minbase rootfs, slimmed like the official debian image
#   e2e/busybox:latest   static busybox, also tagged busybox:latest (the 20.7.0 installer runs it)
#   e2e/debian:trixie    the same for trixie, only when E2E_BASE_SUITES names it (the stand-ins that
#                        need a newer Debian's packages, e.g. PostgreSQL 17)
# Each is skipped when it exists; E2E_REBUILD_BASE=1 forces a new debootstrap.
set -Eeuo pipefail
E2E_DIR=${E2E_DIR:-/tmp/sentry-onprem-e2e}
DOCKER=${DOCKER:-/usr/bin/docker}
WORK=$E2E_DIR/rootfs
MIRROR=${MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
log() { echo "e2e-base-image: $*" >&2; }
has_image() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

debian_base() {  # debian_base [SUITE]
  local suite=${1:-bookworm}
  rm -rf "$WORK" && mkdir -p "$WORK"
  local R=$WORK/rootfs
  debootstrap --variant=minbase "$suite" "$R" ${MIRROR:+"$MIRROR"} > "$WORK/debootstrap.log" 2>&1 \
    || { tail -30 "$WORK/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }
  # bookworm: same suites as the host (bookworm, -updates, -security); others: debootstrap's sources.list
  if [ "$suite" = bookworm ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$R/etc/apt/sources.list.d/" && rm -f "$R/etc/apt/sources.list"
  fi
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/locale/*' \
    'path-include /usr/share/locale/locale.alias' 'path-exclude /usr/share/info/*' > "$R/etc/dpkg/dpkg.cfg.d/01-nodoc"
  printf '%s\n' 'APT::Install-Recommends "false";' 'APT::Install-Suggests "false";' 'Acquire::Languages "none";' \
    'Acquire::GzipIndexes "true";' 'Acquire::Check-Valid-Until "false";' > "$R/etc/apt/apt.conf.d/01-e2e"
  cat > "$R/etc/apt/apt.conf.d/docker-clean" <<'EOS'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOS
  rm -rf "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/* "$R"/var/log/*.log
  find "$R/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$R/usr/share/doc" -type d -empty -delete
  rm -rf "$R"/usr/share/man/* "$R"/usr/share/info/*
  find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  tar -C "$R" -c . | "$DOCKER" import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' - "e2e/debian:$suite" >/dev/null
  rm -rf "$WORK"
}

busybox_image() {
  local B=$E2E_DIR/busybox
  rm -rf "$B" && mkdir -p "$B/root/bin" "$B/root/etc" "$B/root/tmp"
  # apt lists may be empty on a machine that never ran apt-get update
  (cd "$B" && { apt-get download busybox-static >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get download busybox-static >/dev/null; }; } && dpkg-deb -x busybox-static_*.deb x)
  cp "$B/x/bin/busybox" "$B/root/bin/"
  local a
  for a in $("$B/root/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$B/root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$B/root/etc/passwd"; echo 'root:x:0:' > "$B/root/etc/group"
  tar -C "$B/root" -c . | "$DOCKER" import --change 'CMD ["sh"]' --change 'ENV PATH=/bin' - e2e/busybox:latest >/dev/null
  rm -rf "$B"
}

t0=$EPOCHREALTIME
if [ "${E2E_REBUILD_BASE:-0}" = 1 ] || ! has_image e2e/debian:bookworm; then
  log "debootstrap bookworm minbase -> e2e/debian:bookworm (about 40 s)"
  debian_base
  log "e2e/debian:bookworm built in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"
else
  log "e2e/debian:bookworm exists, skipped"
fi
for suite in ${E2E_BASE_SUITES:-}; do
  [ "$suite" != bookworm ] || continue
  if [ "${E2E_REBUILD_BASE:-0}" = 1 ] || ! has_image "e2e/debian:$suite"; then
    t0=$EPOCHREALTIME
    log "debootstrap $suite minbase -> e2e/debian:$suite"
    debian_base "$suite"
    log "e2e/debian:$suite built in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"
  fi
done
has_image e2e/busybox:latest || busybox_image
has_image busybox:latest || "$DOCKER" tag e2e/busybox:latest busybox:latest
