#!/bin/sh
# PID 1 of the VM lane's guest (busybox sh in the initramfs that scripts/vm/run.mjs builds).
# It makes the host's / (shared read-only over 9p) the guest's root with a tmpfs overlay on
# top, mounts cgroup v2 only, lets the kernel autoload modules from the Debian kernel's tree,
# runs the suite in that root as root, and leaves its exit code in the writable share.
# /vm.env (written by run.mjs) sets KVER, KDIR (the extracted kernel's folder on the host),
# OUT (the host's result folder, shared writable), REPO (the repository's folder), BOOT_MODULES (insmod order) and SUITE_CMD.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
. /vm.env

say() { echo "stack-vm: $*" >/dev/console; }
die() {
  say "$*"
  echo "stack-vm: $*" >/dev/kmsg
  poweroff -f
}

# The 9p transport and overlayfs are modules in Debian's kernel: load them with their
# dependencies (run.mjs resolved the order from modules.dep).
for m in $BOOT_MODULES; do insmod "/modules/$m" || die "insmod $m failed"; done

mkdir -p /host /rw /newroot
# cache=loose: the host's tree does not change under a run, and 9p round trips are slow under TCG.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro host /host || die "mounting the host's / over 9p failed"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /newroot || die "the overlay root failed"

r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sys $r/sys
# The unified hierarchy only: no v1 controller can be mounted (cgroup_no_v1=all on the command line).
mount -t cgroup2 -o nsdelegate cgroup2 $r/sys/fs/cgroup
mount -t devtmpfs dev $r/dev
# udev gives /dev/net/tun mode 0666 on a Debian host; the guest has no udev (rootless mode opens it as a user).
[ -e $r/dev/net/tun ] && chmod 0666 $r/dev/net/tun
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $r/dev/pts
mount -t tmpfs shm $r/dev/shm
mount -t tmpfs -o mode=0755 run $r/run
# A repository under /tmp (a fresh clone, say) must stay visible through the guest's own
# tmpfs /tmp: moved there from the overlay root, where it is as writable as the rest.
case "$REPO/" in /tmp/*) mkdir -p /repo && mount -o bind "$r$REPO" /repo || die "keeping $REPO failed" ;; esac
mount -t tmpfs -o mode=1777 tmp $r/tmp
case "$REPO/" in /tmp/*) mkdir -p "$r$REPO" && mount -o move /repo "$r$REPO" || die "keeping $REPO failed" ;; esac
# The kernel's own module tree where the guest's modprobe (kmod, from the host) looks for it.
mkdir -p $r/lib/modules/$KVER
mount --bind $r$KDIR/lib/modules/$KVER $r/lib/modules/$KVER
# The results folder, writable, at the host's own path (the suite's bundle is there too).
mkdir -p $r$OUT
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out $r$OUT || die "mounting the results share failed"

hostname stack-vm
say "kernel $(uname -r), cgroup controllers: $(cat $r/sys/fs/cgroup/cgroup.controllers)"

# The guest root becomes the root of the mount namespace (switch_root), not a chroot: the
# kernel refuses a chrooted process a user namespace, which rootless mode's tests need. The
# second stage runs the suite there as root and leaves its exit code in the writable share.
# The kernel's module autoloading (modprobe) then runs the guest root's kmod directly.
exec switch_root $r /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  OUT="$OUT" SUITE_CMD="$SUITE_CMD" /bin/sh -c '
echo /sbin/modprobe >/proc/sys/kernel/modprobe
ip link set lo up
env -i PATH="$PATH" HOME=/root TERM=dumb CI=true /bin/sh -c "$SUITE_CMD" </dev/null >/dev/console 2>&1
code=$?
# What the kernel autoloaded meanwhile: the list to preload.
echo "stack-vm: modules loaded: $(cut -d" " -f1 /proc/modules | sort | tr "\n" " ")" >/dev/console
echo "$code" >"$OUT/exit-code"
sync
echo "stack-vm: suite exited with $code" >/dev/console
/bin/busybox poweroff -f'
