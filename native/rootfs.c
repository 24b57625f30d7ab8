// The container's filesystem view (init/rootfs.ts, init/mounts.ts, init/runtime-mounts.ts,
// init/in-root.ts): overlay, /proc, /sys, /dev, the /etc files and volumes, then pivot_root.
// Paths inside the rootfs resolve symlinks as if it were `/`: an image cannot point a
// mount at the host.

#include "stage.h"

void mkdir_p(const char *path) {
  char buf[4096];
  path_fmt(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) fail_call("mkdir", quoted(buf));
    *p = '/';
  }
  if (mkdir(buf, 0755) != 0 && errno != EEXIST) fail_call("mkdir", quoted(buf));
}

/** `rel` under `root`, following symlinks as if `root` were `/`: an image cannot point a mount at the host. */
static void in_root(const char *root, const char *rel, char *out, size_t size) {
  char todo[8192], done[4096] = "";
  path_fmt(todo, sizeof todo, "%s", rel);
  int links = 0;
  char *rest = todo;
  while (*rest) {
    while (*rest == '/') rest++;
    if (!*rest) break;
    char *slash = strchr(rest, '/');
    char part[1024];
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    path_fmt(part, sizeof part, "%.*s", (int)len, rest);
    rest += len;
    if (!strcmp(part, ".")) continue;
    if (!strcmp(part, "..")) {
      char *last = strrchr(done, '/');
      if (last) *last = 0;
      continue;
    }
    char full[8192], target[4096];
    path_fmt(full, sizeof full, "%s%s/%s", root, done, part);
    ssize_t n = readlink(full, target, sizeof target - 1);
    if (n < 0) {
      size_t used = strlen(done);
      path_fmt(done + used, sizeof done - used, "/%s", part);
      continue;
    }
    target[n] = 0;
    if (++links > 40) fail(failure_code, "too many symlinks resolving %s", rel);
    if (target[0] == '/') done[0] = 0;
    char next[8192];
    path_fmt(next, sizeof next, "%s/%s", target, rest);
    path_fmt(todo, sizeof todo, "%s", next);
    rest = todo;
  }
  path_fmt(out, size, "%s%s", root, done);
}

/** refuse_in_proc for a path resolved already: the first part of it that exists says on which filesystem. */
static void refuse_path_in_proc(const char *root, const char *path, const char *asked) {
  char probe[4096];
  path_fmt(probe, sizeof probe, "%s", path);
  struct stat st;
  while (lstat(probe, &st) != 0) {
    char *slash = strrchr(probe, '/');
    if (!slash || slash == probe) return;
    *slash = 0;
  }
  int fd = open(probe, O_PATH | O_CLOEXEC);
  if (fd < 0) return;
  refuse_in_proc(fd, asked, path + strlen(root));
  close(fd);
}

static void dir_in(const char *root, const char *rel, char *out, size_t size) {
  in_root(root, rel, out, size);
  refuse_path_in_proc(root, out, rel);
  mkdir_p(out);
}

// ---- mounts (init/rootfs.ts, init/mounts.ts, init/runtime-mounts.ts) -----------------------

/** A directory target: resolved as if the rootfs were `/`, then opened inside it (mount-target.c). */
static int dir_target(const char *root, int rootfd, const char *target) {
  char resolved[4096];
  in_root(root, target, resolved, sizeof resolved);
  return target_dir(rootfd, resolved + strlen(root), target);
}

/** A file target: its directory resolved as if the rootfs were `/`; a link at the name itself is replaced. */
static int file_target(const char *root, int rootfd, const char *target) {
  char copy[4096], parent[4096];
  path_fmt(copy, sizeof copy, "%s", target);
  char *slash = strrchr(copy, '/');
  const char *base = slash ? slash + 1 : copy;
  if (slash) *slash = 0;
  in_root(root, slash ? copy : "", parent, sizeof parent);
  return target_file(rootfd, parent + strlen(root), base, target);
}

static void mount_container_mounts(const char *root, int rootfd) {
  for (int i = 0; i < cfg.n_mounts; i++) {
    struct mount_item *m = &cfg.mounts[i];
    if (!strcmp(m->kind, "tmpfs")) {
      int fd = dir_target(root, rootfd, m->target);
      mount_tmpfs_at(fd, MS_NOSUID | MS_NODEV | (m->read_only ? MS_RDONLY : 0), m->tmpfs_options, m->target);
      close(fd);
      continue;
    }
    if (!strcmp(m->kind, "overlay")) {
      int fd = dir_target(root, rootfd, m->target);
      mount_overlay_at(fd, m->source, m->target);
      close(fd);
      continue;
    }
    struct stat st;
    if (stat(m->source, &st) != 0) fail_call("stat", quoted(m->source));
    int fd = S_ISDIR(st.st_mode) ? dir_target(root, rootfd, m->target) : file_target(root, rootfd, m->target);
    bind_at(fd, m->source, m->read_only ? MOUNT_ATTR_RDONLY : 0, m->propagation, m->target);
    close(fd);
  }
}

static void mount_dev(const char *dev) {
  char p[4096], opts[128];
  do_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  for (int i = 0; i < cfg.n_devs; i++) {
    path_fmt(p, sizeof p, "%s/%s", dev, cfg.devs[i].name);
    if (cfg.userns) {
      // In a user namespace (rootless) mknod of a device is refused: bind the host's node,
      // which keeps its own owner and mode, so the container gets no more than the user has.
      char src[4096];
      path_fmt(src, sizeof src, "/dev/%s", cfg.devs[i].name);
      int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0) fail_call("open", quoted(p));
      close(fd);
      do_mount(src, p, NULL, MS_BIND, NULL);
      continue;
    }
    if (mknod(p, S_IFCHR | 0666, makedev(cfg.devs[i].major, cfg.devs[i].minor)) != 0) fail_call("mknod", quoted(p));
    chmod(p, 0666); // mknod's mode passes through the umask
  }
  path_fmt(p, sizeof p, "%s/pts", dev);
  mkdir_p(p);
  do_mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620,gid=5");
  path_fmt(p, sizeof p, "%s/ptmx", dev);
  symlink("pts/ptmx", p);
  path_fmt(p, sizeof p, "%s/shm", dev);
  mkdir_p(p);
  // A shared ipc namespace shares its /dev/shm; ipc: none has none.
  if (cfg.shm_bind) do_mount(cfg.shm_bind, p, NULL, MS_BIND, NULL);
  else if (!cfg.no_shm) {
    path_fmt(opts, sizeof opts, "mode=1777,size=%llu", cfg.shm_size);
    do_mount("shm", p, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, opts);
  }
  const char *links[][2] = { { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" } };
  for (size_t i = 0; i < 4; i++) {
    path_fmt(p, sizeof p, "%s/%s", dev, links[i][1]);
    symlink(links[i][0], p);
  }
}

/** `devices:`: each node as the host has it (mode and owner), in place of one already there. */
static void make_devices(const char *dev) {
  for (int i = 0; i < cfg.n_devices; i++) {
    const struct device_node *d = &cfg.devices[i];
    char dst[4096];
    path_fmt(dst, sizeof dst, "%s/%s", dev, d->path);
    char *slash = strrchr(dst, '/');
    *slash = 0;
    mkdir_p(dst);
    *slash = '/';
    unlink(dst);
    if (mknod(dst, d->mode, makedev(d->major, d->minor)) != 0) fail_call("mknod", quoted(dst));
    chmod(dst, d->mode & 07777); // mknod's mode passes through the umask
    if (chown(dst, d->uid, d->gid) != 0) fail_call("chown", quoted(dst));
  }
}

/** privileged: every character and block device of the host, like docker. */
static void copy_host_devices(const char *dev) {
  const char *subs[] = { "", "net", "dri", "snd", "input", "mapper", "vfio" };
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    char dir[4096];
    path_fmt(dir, sizeof dir, "/dev/%s", subs[i]);
    DIR *d = opendir(dir);
    if (!d) continue;
    for (struct dirent *e; (e = readdir(d));) {
      char src[4096], dst[4096];
      path_fmt(src, sizeof src, "%s/%s", dir, e->d_name);
      struct stat st;
      if (stat(src, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) continue;
      path_fmt(dst, sizeof dst, "%s/%s", dev, subs[i]);
      mkdir_p(dst);
      path_fmt(dst, sizeof dst, "%s/%s%s%s", dev, subs[i], subs[i][0] ? "/" : "", e->d_name);
      if (access(dst, F_OK) == 0) continue;
      if (mknod(dst, st.st_mode, st.st_rdev) != 0) fail_call("mknod", quoted(dst));
      chmod(dst, st.st_mode & 07777);
      if (chown(dst, st.st_uid, st.st_gid) != 0) fail_call("chown", quoted(dst));
    }
    closedir(d);
  }
}

void mount_rootfs(void) {
  const char *root = cfg.rootfs;
  char path[4096];
  step = "make / private";
  do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  step = "mount overlay";
  {
    // Overlay options must fit in one page: when all layers share a parent (the layer
    // store), chdir there and name them relatively.
    char parent[4096], data[16384];
    path_fmt(parent, sizeof parent, "%s", cfg.lowers[0]);
    char *slash = strrchr(parent, '/');
    size_t plen = slash ? (size_t)(slash - parent) : 0;
    int shared = slash != NULL;
    for (int i = 1; i < cfg.n_lowers && shared; i++) shared = strncmp(cfg.lowers[i], parent, plen) == 0 && cfg.lowers[i][plen] == '/' && !strchr(cfg.lowers[i] + plen + 1, '/');
    if (shared) {
      parent[plen] = 0;
      if (chdir(parent[0] ? parent : "/") != 0) fail_call("chdir", quoted(parent));
    }
    path_fmt(data, sizeof data, "lowerdir=");
    for (int i = 0; i < cfg.n_lowers; i++) {
      size_t used = strlen(data);
      path_fmt(data + used, sizeof data - used, "%s%s", i ? ":" : "", shared ? cfg.lowers[i] + plen + 1 : cfg.lowers[i]);
    }
    size_t used = strlen(data);
    path_fmt(data + used, sizeof data - used, ",upperdir=%s,workdir=%s%s", cfg.upper, cfg.work, cfg.userns ? ",userxattr" : "");
    do_mount("overlay", root, "overlay", 0, data);
  }
  // From here on, targets are opened inside the rootfs and mounts go onto what was opened
  // (mount-target.c): volumes may be shared with running containers.
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) fail_call("open", quoted(root));
  // Before /proc, /sys and every other mount exist under the rootfs (copy-up.c).
  step = "copy up volumes";
  copy_up_volumes(rootfd);
  step = "mount proc";
  dir_in(root, "proc", path, sizeof path);
  do_mount("proc", path, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  step = "mount sysfs";
  dir_in(root, "sys", path, sizeof path);
  do_mount("sysfs", path, "sysfs", (cfg.privileged ? 0 : MS_RDONLY) | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  step = "mount /dev";
  dir_in(root, "dev", path, sizeof path);
  mount_dev(path);
  if (cfg.privileged) {
    step = "copy host devices";
    path_fmt(path, sizeof path, "%s/dev", root);
    copy_host_devices(path);
  }
  if (cfg.n_devices > 0) {
    step = "make devices";
    path_fmt(path, sizeof path, "%s/dev", root);
    make_devices(path);
  }
  step = "mount /etc files";
  for (int i = 0; i < cfg.n_etc; i++) {
    char rel[512];
    path_fmt(rel, sizeof rel, "etc/%s", cfg.etc[i].key);
    int fd = file_target(root, rootfd, rel);
    bind_at(fd, cfg.etc[i].value, 0, 0, rel);
    close(fd);
  }
  step = "mount volumes";
  mount_container_mounts(root, rootfd);
  if (cfg.init_source) {
    step = "mount init";
    int fd = file_target(root, rootfd, cfg.init_target);
    bind_at(fd, cfg.init_source, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, cfg.init_target);
    close(fd);
  }
  close(rootfd);
  step = "sethostname";
  // uts: host — the namespace is the host's: its name stays.
  if (cfg.hostname && !cfg.keep_hostname && sethostname(cfg.hostname, strlen(cfg.hostname)) != 0) fail_call("sethostname", quoted(cfg.hostname));
  step = "setdomainname";
  if (cfg.domainname && !cfg.keep_hostname && setdomainname(cfg.domainname, strlen(cfg.domainname)) != 0)
    fail_call("setdomainname", quoted(cfg.domainname));
  step = "pivot_root";
  // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the
  // container's tree, with no directory needed for the old root.
  if (chdir(root) != 0) fail_call("chdir", quoted(root));
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail_call("pivot_root", "\".\", \".\"");
  if (umount2(".", MNT_DETACH) != 0) fail_call("umount2", "\".\"");
  if (chdir("/") != 0) fail_call("chdir", "\"/\"");
}

/** After the network is wired and sysctls are written: nothing in the container runs yet. */
void mask_paths(void) {
  for (int i = 0; i < cfg.n_masked; i++) {
    struct stat st;
    if (stat(cfg.masked[i], &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) do_mount("tmpfs", cfg.masked[i], "tmpfs", MS_RDONLY, "size=0");
    else do_mount("/dev/null", cfg.masked[i], NULL, MS_BIND, NULL);
  }
  for (int i = 0; i < cfg.n_readonly; i++) {
    if (access(cfg.readonly[i], F_OK) != 0) continue;
    do_mount(cfg.readonly[i], cfg.readonly[i], NULL, MS_BIND | MS_REC, NULL);
    do_mount(NULL, cfg.readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  }
}