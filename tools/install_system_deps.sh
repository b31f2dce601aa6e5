#!/usr/bin/env bash
# Debian packages the test suite drives for real: Chromium for the browser tests (Playwright never downloads a
# browser here), npm for the live page's pose model, and PostgreSQL (started by tools/start_test_postgres.sh).
# Needs root; without it, says what to install and carries on (the tests that need them then skip, or fail under CI=true).
set -uo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v npm >/dev/null 2>&1 || need+=(npm)  # the live page's in-browser pose model (make web-assets)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install_system_deps: please install ${need[*]} (Debian: apt-get install ${need[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "install_system_deps: apt-get install ${need[*]}" >&2
apt-get install -y -q "${need[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${need[@]}" >&2; }
