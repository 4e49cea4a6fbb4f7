#!/usr/bin/env bash
# Installs the Debian 12 packages qlrf needs to build, test and benchmark (run as root).
# Quick when everything is already there: it asks dpkg first and calls apt-get only for what
# is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libssl-dev zlib1g-dev libsqlite3-dev sqlite3 libpq-dev
  libspdlog-dev libfmt-dev libcli11-dev libexpected-dev libyaml-cpp-dev
  libcurl4-openssl-dev libargon2-dev librdkafka-dev libhiredis-dev libsimdjson-dev libexpat1-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql redis-server
  wrk nginx-light curl python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages (run as root): ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts these on install; the tests start their own throwaway instances instead.
for svc in nginx redis-server postgresql; do
  service "$svc" stop >/dev/null 2>&1 || true
done
echo "install-deps: done"
