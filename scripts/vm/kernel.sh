#!/usr/bin/env bash
# Prints the folder of Debian 12's own 6.1 kernel, extracted for the VM lane: vmlinuz and
# lib/modules/VERSION (indexed by depmod). Nothing is installed on the host: `apt-get download`
# fetches the package, `dpkg-deb -x` unpacks it. The folder is a cache outside the repo
# (STACK_VM_CACHE, default /var/cache/stack-vm), so later runs skip the download.
#   scripts/vm/kernel.sh            -> /var/cache/stack-vm/6.1.0-57-amd64
# STACK_VM_KERNEL=6.1.0-57-amd64 pins a version; otherwise the one linux-image-amd64 names.
set -euo pipefail
cache="${STACK_VM_CACHE:-/var/cache/stack-vm}"
version="${STACK_VM_KERNEL:-}"
# linux-image-amd64 (bookworm) depends on exactly one linux-image-6.1.0-N-amd64.
current() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\(6\.1\.[0-9-]*-amd64\)$/\1/p' | head -1; }
if [ -z "$version" ]; then
  version="$(current)"
  if [ -z "$version" ] && [ "$(id -u)" -eq 0 ] && ! ls "$cache" 2>/dev/null | grep -qE '^6\.1\.'; then
    # A fresh machine whose package lists were never fetched.
    apt-get update -qq >/dev/null
    version="$(current)"
  fi
  if [ -z "$version" ]; then
    # A cached kernel serves when the package lists are missing (no `apt-get update` yet).
    version="$(ls "$cache" 2>/dev/null | grep -E '^6\.1\.[0-9-]+-amd64$' | sort -V | tail -1 || true)"
  fi
  if [ -z "$version" ]; then
    echo "no Debian 6.1 kernel package known to apt (run apt-get update on a Debian 12 host, or set STACK_VM_KERNEL)" >&2
    exit 1
  fi
fi
dir="$cache/$version"
if [ -f "$dir/ready" ]; then echo "$dir"; exit 0; fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/.download-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "downloading linux-image-$version from Debian's archive (once; cached in $cache)" >&2
# apt drops to the _apt user for downloads; let it write into the scratch folder.
chmod 0755 "$work"
chown _apt "$work" 2>/dev/null || true
(cd "$work" && apt-get download -q "linux-image-$version" >/dev/null)
dpkg-deb -x "$work"/linux-image-"$version"_*.deb "$work/x"
mkdir -p "$work/out/lib/modules"
cp "$work/x/boot/vmlinuz-$version" "$work/out/vmlinuz"
mv "$work/x/lib/modules/$version" "$work/out/lib/modules/$version"
depmod -b "$work/out" "$version"
touch "$work/out/ready"
rm -rf "$dir"
mv "$work/out" "$dir"
echo "$dir"
