#!/usr/bin/env bash
# Installs the Debian packages stack needs on the host, when missing:
# nft (nftables), a static busybox for the example and test images, ip and nsenter.
set -euo pipefail
missing=()
command -v nft >/dev/null 2>&1 || missing+=(nftables)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "stack needs these Debian packages: ${missing[*]}; install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages stack needs: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
