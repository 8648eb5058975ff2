#!/usr/bin/env bash
# Install the Debian packages heateval needs beyond Python, when any is missing:
# Pango and CJK fonts for the PDFs (WeasyPrint), and with --browser Chromium for
# the browser tests of the published site. Needs root and apt-get; otherwise it
# names what is missing and how to install it.
set -euo pipefail

packages="libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk fonts-wqy-microhei"
if [ "${1:-}" = "--browser" ]; then
  packages="$packages chromium"
fi

missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "heateval needs these Debian packages:$missing" >&2
  echo "install them with: sudo apt-get install$missing" >&2
  exit 1
fi
echo "installing$missing from Debian packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq $missing >/dev/null
