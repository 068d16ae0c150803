#!/usr/bin/env bash
# Installs and starts the real parts the test suite drives: Debian's Chromium,
# a Docker engine, and the offline base image the fake sidecars run on.
# Idempotent; fails loudly (non-zero) when a part cannot be had, never skips.
set -euo pipefail

log() { printf '[system-setup] %s\n' "$*" >&2; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "installing ${need_apt[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  (setsid dockerd >/var/log/lookout-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not come up; see /var/log/lookout-dockerd.log"; tail -20 /var/log/lookout-dockerd.log >&2; exit 1; }
fi

if ! docker image inspect lookout-test-base >/dev/null 2>&1; then
  log "creating the empty base image lookout-test-base"
  empty=$(mktemp -d)
  tar -C "$empty" -c . | docker import - lookout-test-base >/dev/null
  rmdir "$empty"
fi

log "ready: $(chromium --version 2>/dev/null | head -1); docker $(docker version --format '{{.Server.Version}}')"
