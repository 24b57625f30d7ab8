// /sys/fs/cgroup in the container: its own cgroup, read-only unless privileged, as docker
// mounts it (init/cgroup-view.ts does the same; the supervisor's cgroup-view.ts decides
// what). Mounted after pivot_root, once the container is in its groups and has its own
// cgroup namespace, so each mount's root is the container's group. Nothing of the host is
// reachable from the new root any more; the target is still opened inside it and checked to
// be the container's sysfs (then the tmpfs just put there), and mounts go onto the fd.

#include "stage.h"
#include <linux/magic.h>
#include <sys/vfs.h>

/** /sys/fs/cgroup opened inside the root, on a filesystem of type `magic`. */
static int open_target(int rootfd, long magic, const char *what) {
  int fd = open_in_root(rootfd, "/sys/fs/cgroup", O_PATH | O_DIRECTORY, 0);
  if (fd < 0) fail_call("openat2", "\"/sys/fs/cgroup\"");
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0 || fs.f_type != magic) fail(failure_code, "/sys/fs/cgroup is not %s", what);
  return fd;
}

static void mount_on(int fd, const char *source, const char *fstype, unsigned long flags, const char *data) {
  char at[64];
  path_fmt(at, sizeof at, "/proc/self/fd/%d", fd);
  do_mount(source, at, fstype, flags, data);
}

void mount_cgroup_view(void) {
  int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) fail_call("open", "\"/\"");
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (cfg.cgroupfs_read_only ? MS_RDONLY : 0);
  int sysfs = open_target(rootfd, SYSFS_MAGIC, "on the container's sysfs");
  if (cfg.cgroupfs == 2) {
    mount_on(sysfs, "cgroup2", "cgroup2", flags, NULL);
    close(sysfs);
    close(rootfd);
    return;
  }
  mount_on(sysfs, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
  close(sysfs);
  int dir = open_target(rootfd, TMPFS_MAGIC, "the tmpfs just mounted there");
  for (int i = 0; i < cfg.n_cgroupfs_hierarchies; i++) {
    const char *hierarchy = cfg.cgroupfs_hierarchies[i];
    if (mkdirat(dir, hierarchy, 0755) != 0) fail_call("mkdirat", quoted(hierarchy));
    int sub = openat(dir, hierarchy, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) fail_call("openat", quoted(hierarchy));
    mount_on(sub, "cgroup", "cgroup", flags, hierarchy);
    close(sub);
  }
  for (int i = 0; i < cfg.n_cgroupfs_links; i++) {
    if (symlinkat(cfg.cgroupfs_links[i].value, dir, cfg.cgroupfs_links[i].key) != 0) fail_call("symlinkat", quoted(cfg.cgroupfs_links[i].key));
  }
  if (cfg.cgroupfs_read_only) mount_on(dir, NULL, NULL, MS_BIND | MS_REMOUNT | flags, NULL);
  close(dir);
  close(rootfd);
}
