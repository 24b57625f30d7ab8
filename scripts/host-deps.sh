#!/usr/bin/env bash
# Installs the Debian packages stack needs on the host, when missing.
#   host-deps.sh        what stack and the demo need: nft (nftables), a static busybox for the
#                       example image, ip and nsenter, tini (its static build is the PID 1 of
#                       `init: true` containers), gcc with a static libc for the native init
#                       stage (dist/stack-init)
#   host-deps.sh test   that, plus what only the test suite uses: for the image pull tests
#                       docker-registry, skopeo, htpasswd (apache2-utils) and zstd; and
#                       systemd-analyze (systemd) to verify the boot unit `up` writes; for the
#                       coexistence tests dockerd (docker.io) and iptables; for the VM lane
#                       (`npm run test:vm`) qemu, cpio and kmod's depmod; for the builder's
#                       reference comparison podman (the reference builder) and debootstrap
#                       (the Debian minbase base image); uidmap, passt (pasta), slirp4netns and
#                       catatonit for rootless mode (the rootless suite runs over both
#                       connectors, and doctor's rootless section)
# `npm run demo` asks for the first set, `npm test` for the second.
set -euo pipefail
missing=()
command -v nft >/dev/null 2>&1 || missing+=(nftables)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
[ -x /usr/bin/tini-static ] || missing+=(tini)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -f /usr/lib/aarch64-linux-gnu/libc.a ] || missing+=(libc6-dev)
if [ "${1:-}" = test ]; then
  # image pull tests: a local registry, skopeo to fill it, htpasswd for its basic auth, zstd layers
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
  command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
  command -v zstd >/dev/null 2>&1 || missing+=(zstd)
  command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
  # coexistence tests: a private dockerd next to a stack, iptables-nft and iptables-legacy firewalls
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v iptables-legacy >/dev/null 2>&1 || missing+=(iptables)
  # the VM lane: qemu boots Debian's kernel, cpio packs its initramfs, depmod indexes its modules
  command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
  command -v cpio >/dev/null 2>&1 || missing+=(cpio)
  command -v depmod >/dev/null 2>&1 || missing+=(kmod)
  # the builder's reference comparison: podman builds each Dockerfile fixture, debootstrap makes a base image
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  # rootless mode: setuid newuidmap/newgidmap, pasta and slirp4netns (the suite tests both
  # connectors), and catatonit as the namespaces' PID 1
  command -v newuidmap >/dev/null 2>&1 || missing+=(uidmap)
  command -v pasta >/dev/null 2>&1 || missing+=(passt)
  command -v slirp4netns >/dev/null 2>&1 || missing+=(slirp4netns)
  command -v catatonit >/dev/null 2>&1 || missing+=(catatonit)
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "stack needs these Debian packages: ${missing[*]}; install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages stack needs: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
# The docker-registry package starts a system-wide registry on :5000 where systemd runs; the
# tests start their own on 127.0.0.1 only, so keep the packaged one off.
if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
# Likewise the packaged dockerd: the tests start a private one in a namespace of their own,
# and a system-wide one would set the host's FORWARD policy to DROP for every other test.
if [[ " ${missing[*]} " == *" docker.io "* ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now docker.service docker.socket containerd.service >/dev/null 2>&1 || true
fi
