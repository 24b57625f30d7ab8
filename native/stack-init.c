// The native init stage: PID 1 of a new container, doing what the portable Node init stage
// (executor/host/linux/init/main.ts) does, step for step and with the same step names and
// messages, in ~2 ms instead of ~30 ms of Node start. The supervisor decides everything it
// can (executor/host/linux/native-init.ts encodes it): mount flags, the seccomp program,
// the capabilities kept, rlimit numbers, the /dev nodes and masked paths. What only the
// container's own filesystem can answer is found here: symlinks inside the rootfs, the
// user in its /etc/passwd, the command in its PATH.
//
// Protocol (shared with the Node stage): the config in $STACK_INIT, one record per line,
// fields separated by spaces and percent-encoded; "ready" or an error as one JSON line on
// fd 4 (close-on-exec: EOF means execve succeeded); the go byte on fd 3. Exit 127 on an
// error, 126 when the command was found but cannot run.

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define GO_FD 3
#define STATUS_FD 4
#define MAX_ITEMS 256

// ---- errors: every failure names its step, like the Node stage ---------------------------

static const char *step = "read config";
static struct timespec started;

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

static void report_error(const char *message, const char *code, int exit_code) {
  FILE *f = fdopen(STATUS_FD, "w");
  if (f) {
    fputs("{\"event\":\"error\",\"step\":", f);
    json_string(f, step);
    fputs(",\"message\":", f);
    json_string(f, message);
    if (code) {
      fputs(",\"code\":", f);
      json_string(f, code);
    }
    fputs("}\n", f);
    fflush(f);
  }
  _exit(exit_code);
}

static const char *errno_name(int e) {
  const char *name = strerrorname_np(e);
  return name ? name : "EUNKNOWN";
}

/** "<call>(<detail>) failed: EINVAL", as InitSysError words it. */
static void fail_call(const char *call, const char *detail) {
  int e = errno;
  char msg[8192];
  snprintf(msg, sizeof msg, "%s(%s) failed: %s", call, detail, errno_name(e));
  // execve that found the file but cannot run it: docker's 126.
  int code = strcmp(step, "exec") == 0 && (e == EACCES || e == ENOEXEC) ? 126 : 127;
  report_error(msg, errno_name(e), code);
}

static void fail(int exit_code, const char *fmt, ...) {
  char msg[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report_error(msg, NULL, exit_code);
}

static char *quoted(const char *s) {
  static char bufs[4][4200];
  static int next;
  char *b = bufs[next++ % 4];
  if (!s) return strcpy(b, "null");
  snprintf(b, sizeof bufs[0], "\"%.4096s\"", s);
  return b;
}

static void do_mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data) {
  if (mount(src, target, fstype, flags, data) == 0) return;
  char detail[17000];
  snprintf(detail, sizeof detail, "%s, %s, %s, %s", quoted(src), quoted(target), quoted(fstype), quoted(data));
  fail_call("mount", detail);
}

/** snprintf for paths and options: a result that does not fit is an error, never cut short. */
__attribute__((format(printf, 3, 4))) static void path_fmt(char *out, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, size, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= size) fail(127, "path or option longer than %zu bytes: %.200s…", size - 1, out);
}

// ---- config --------------------------------------------------------------------------------

struct mount_item { char *kind, *source, *target, *tmpfs_options; int read_only, copy_up; unsigned long propagation; };
struct dev_node { char *name; unsigned major, minor; };
struct kv { char *key, *value; };
struct sysctl { char *key, *name, *value; };

static struct {
  char *cgroups[16]; int n_cgroups;
  char *lowers[MAX_ITEMS]; int n_lowers;
  char *upper, *work, *rootfs, *hostname, *user, *cwd, *init_source, *init_target, *seccomp_hex;
  struct kv etc[4]; int n_etc;
  struct mount_item mounts[MAX_ITEMS]; int n_mounts;
  struct dev_node devs[16]; int n_devs;
  char *masked[32]; int n_masked;
  char *readonly[32]; int n_readonly;
  struct sysctl sysctls[MAX_ITEMS]; int n_sysctls;
  int rlimits[RLIM_NLIMITS]; unsigned long long soft[RLIM_NLIMITS], hard[RLIM_NLIMITS]; int n_rlimits;
  char *argv[4096]; int argc;
  char *env[4096]; int envc;
  int privileged, read_only_rootfs, wait_for_release, no_new_privs, last_cap;
  unsigned long long shm_size, keep_caps;
} cfg;

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/** Decodes %XX escapes in place. */
static char *decode(char *s) {
  char *out = s, *in = s;
  while (*in) {
    if (in[0] == '%' && hexval(in[1]) >= 0 && hexval(in[2]) >= 0) {
      *out++ = (char)(hexval(in[1]) * 16 + hexval(in[2]));
      in += 3;
    } else {
      *out++ = *in++;
    }
  }
  *out = 0;
  return s;
}

#define NEED(n) do { if (nf < (n) + 1) fail(127, "config line %s has %d fields, needs %d", f[0], nf - 1, (n)); } while (0)
#define PUSH(arr, count, value) do { if ((size_t)(count) >= sizeof(arr) / sizeof((arr)[0])) fail(127, "config: too many %s lines", f[0]); (arr)[(count)++] = (value); } while (0)

static void parse_line(char *line) {
  char *f[12];
  int nf = 0;
  for (char *tok = strtok(line, " "); tok && nf < 12; tok = strtok(NULL, " ")) f[nf++] = decode(tok);
  if (nf == 0) return;
  const char *k = f[0];
  if (!strcmp(k, "cgroup")) { NEED(1); PUSH(cfg.cgroups, cfg.n_cgroups, f[1]); }
  else if (!strcmp(k, "lower")) { NEED(1); PUSH(cfg.lowers, cfg.n_lowers, f[1]); }
  else if (!strcmp(k, "upper")) { NEED(1); cfg.upper = f[1]; }
  else if (!strcmp(k, "work")) { NEED(1); cfg.work = f[1]; }
  else if (!strcmp(k, "rootfs")) { NEED(1); cfg.rootfs = f[1]; }
  else if (!strcmp(k, "hostname")) { NEED(1); cfg.hostname = f[1]; }
  else if (!strcmp(k, "etc")) { NEED(2); struct kv e = { f[1], f[2] }; PUSH(cfg.etc, cfg.n_etc, e); }
  else if (!strcmp(k, "mount")) {
    NEED(7);
    struct mount_item m = { f[1], f[2], f[3], f[7], atoi(f[4]), atoi(f[5]), strtoul(f[6], NULL, 10) };
    PUSH(cfg.mounts, cfg.n_mounts, m);
  }
  else if (!strcmp(k, "dev")) { NEED(3); struct dev_node d = { f[1], (unsigned)atoi(f[2]), (unsigned)atoi(f[3]) }; PUSH(cfg.devs, cfg.n_devs, d); }
  else if (!strcmp(k, "mask")) { NEED(1); PUSH(cfg.masked, cfg.n_masked, f[1]); }
  else if (!strcmp(k, "readonly")) { NEED(1); PUSH(cfg.readonly, cfg.n_readonly, f[1]); }
  else if (!strcmp(k, "init")) { NEED(2); cfg.init_source = f[1]; cfg.init_target = f[2]; }
  else if (!strcmp(k, "sysctl")) { NEED(3); struct sysctl s = { f[1], f[2], f[3] }; PUSH(cfg.sysctls, cfg.n_sysctls, s); }
  else if (!strcmp(k, "rlimit")) {
    NEED(3);
    if (cfg.n_rlimits >= RLIM_NLIMITS) fail(127, "config: too many rlimit lines");
    cfg.rlimits[cfg.n_rlimits] = atoi(f[1]);
    cfg.soft[cfg.n_rlimits] = f[2][0] == '-' ? RLIM_INFINITY : strtoull(f[2], NULL, 10);
    cfg.hard[cfg.n_rlimits] = f[3][0] == '-' ? RLIM_INFINITY : strtoull(f[3], NULL, 10);
    cfg.n_rlimits++;
  }
  else if (!strcmp(k, "argv")) { NEED(1); PUSH(cfg.argv, cfg.argc, f[1]); }
  else if (!strcmp(k, "env")) { NEED(1); PUSH(cfg.env, cfg.envc, f[1]); }
  else if (!strcmp(k, "user")) { cfg.user = nf > 1 ? f[1] : ""; }
  else if (!strcmp(k, "cwd")) { NEED(1); cfg.cwd = f[1]; }
  else if (!strcmp(k, "privileged")) { NEED(1); cfg.privileged = atoi(f[1]); }
  else if (!strcmp(k, "readonly-rootfs")) { NEED(1); cfg.read_only_rootfs = atoi(f[1]); }
  else if (!strcmp(k, "wait")) { NEED(1); cfg.wait_for_release = atoi(f[1]); }
  else if (!strcmp(k, "no-new-privs")) { NEED(1); cfg.no_new_privs = atoi(f[1]); }
  else if (!strcmp(k, "shm")) { NEED(1); cfg.shm_size = strtoull(f[1], NULL, 10); }
  else if (!strcmp(k, "keep-caps")) { NEED(1); cfg.keep_caps = strtoull(f[1], NULL, 16); }
  else if (!strcmp(k, "last-cap")) { NEED(1); cfg.last_cap = atoi(f[1]); }
  else if (!strcmp(k, "seccomp")) { NEED(1); cfg.seccomp_hex = f[1]; }
  else fail(127, "config: unknown line %s", k);
}

static void read_config(void) {
  const char *raw = getenv("STACK_INIT");
  if (!raw) fail(127, "STACK_INIT is not set");
  char *text = strdup(raw);
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) parse_line(line);
  cfg.argv[cfg.argc] = NULL;
  if (!cfg.rootfs || !cfg.upper || !cfg.work || !cfg.cwd || cfg.n_lowers == 0) fail(127, "config lacks rootfs, layers or cwd");
  if (!cfg.user) cfg.user = "";
}

// ---- paths inside the rootfs (init/in-root.ts) ---------------------------------------------

static void mkdir_p(const char *path) {
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
    if (++links > 40) fail(127, "too many symlinks resolving %s", rel);
    if (target[0] == '/') done[0] = 0;
    char next[8192];
    path_fmt(next, sizeof next, "%s/%s", target, rest);
    path_fmt(todo, sizeof todo, "%s", next);
    rest = todo;
  }
  path_fmt(out, size, "%s%s", root, done);
}

static void dir_in(const char *root, const char *rel, char *out, size_t size) {
  in_root(root, rel, out, size);
  mkdir_p(out);
}

static int remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return 0;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (d) {
      for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child[4096];
        path_fmt(child, sizeof child, "%s/%s", path, e->d_name);
        remove_tree(child);
      }
      closedir(d);
    }
    return rmdir(path);
  }
  return unlink(path);
}

/** A regular file to bind onto: a symlink or anything else there is replaced (in the upper dir). */
static void file_in(const char *root, const char *rel, char *out, size_t size) {
  char dir[4096], copy[4096];
  path_fmt(copy, sizeof copy, "%s", rel);
  char *slash = strrchr(copy, '/');
  const char *base = slash ? slash + 1 : copy;
  if (slash) *slash = 0;
  in_root(root, slash ? copy : "", dir, sizeof dir);
  mkdir_p(dir);
  path_fmt(out, size, "%s/%s", dir, base);
  struct stat st;
  int exists = lstat(out, &st) == 0;
  if (exists && S_ISREG(st.st_mode)) return;
  if (exists) remove_tree(out);
  int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail_call("open", quoted(out));
  close(fd);
}

// ---- mounts (init/rootfs.ts, init/mounts.ts, init/runtime-mounts.ts) -----------------------

/** The image's directory at a volume's target → the empty volume, with owners, modes and times. */
static void copy_tree(const char *from, const char *to) {
  DIR *d = opendir(from);
  if (!d) return;
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char src[4096], dst[4096];
    path_fmt(src, sizeof src, "%s/%s", from, e->d_name);
    path_fmt(dst, sizeof dst, "%s/%s", to, e->d_name);
    struct stat st;
    if (lstat(src, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (mkdir(dst, 0755) != 0) fail_call("mkdir", quoted(dst));
      copy_tree(src, dst);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlink(src, target, sizeof target - 1);
      if (n < 0) continue;
      target[n] = 0;
      if (symlink(target, dst) != 0) fail_call("symlink", quoted(dst));
    } else if (S_ISREG(st.st_mode)) {
      int in = open(src, O_RDONLY | O_CLOEXEC), out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (in < 0 || out < 0) fail_call("open", quoted(src));
      char buf[65536];
      for (ssize_t n; (n = read(in, buf, sizeof buf)) > 0;) {
        if (write(out, buf, (size_t)n) != n) fail_call("write", quoted(dst));
      }
      close(in);
      close(out);
    } else {
      continue; // devices, fifos and sockets are not data
    }
    if (lchown(dst, st.st_uid, st.st_gid) != 0) fail_call("lchown", quoted(dst));
    if (!S_ISLNK(st.st_mode)) {
      chmod(dst, st.st_mode & 07777);
      struct timespec times[2] = { st.st_atim, st.st_mtim };
      utimensat(AT_FDCWD, dst, times, 0);
    }
  }
  closedir(d);
}

static void copy_up(const char *from, const char *to) {
  DIR *d = opendir(to);
  if (!d) return;
  int empty = 1;
  for (struct dirent *e; (e = readdir(d));) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) { empty = 0; break; }
  }
  closedir(d);
  struct stat st;
  if (!empty || lstat(from, &st) != 0 || !S_ISDIR(st.st_mode)) return;
  copy_tree(from, to);
  if (chown(to, st.st_uid, st.st_gid) != 0) fail_call("chown", quoted(to));
  chmod(to, st.st_mode & 07777);
}

static void mount_container_mounts(const char *root) {
  for (int i = 0; i < cfg.n_mounts; i++) {
    struct mount_item *m = &cfg.mounts[i];
    char target[4096];
    if (!strcmp(m->kind, "tmpfs")) {
      dir_in(root, m->target, target, sizeof target);
      do_mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | (m->read_only ? MS_RDONLY : 0), m->tmpfs_options);
      continue;
    }
    struct stat st;
    if (stat(m->source, &st) != 0) fail_call("stat", quoted(m->source));
    if (S_ISDIR(st.st_mode)) dir_in(root, m->target, target, sizeof target);
    else file_in(root, m->target, target, sizeof target);
    if (m->copy_up && S_ISDIR(st.st_mode)) copy_up(target, m->source);
    do_mount(m->source, target, NULL, MS_BIND | MS_REC, NULL);
    // A bind takes the source's flags; read-only needs a remount of the new mount itself.
    if (m->read_only) do_mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
    do_mount(NULL, target, NULL, m->propagation, NULL);
  }
}

static void mount_dev(const char *dev) {
  char p[4096], opts[128];
  do_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  for (int i = 0; i < cfg.n_devs; i++) {
    path_fmt(p, sizeof p, "%s/%s", dev, cfg.devs[i].name);
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
  path_fmt(opts, sizeof opts, "mode=1777,size=%llu", cfg.shm_size);
  do_mount("shm", p, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, opts);
  const char *links[][2] = { { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" } };
  for (size_t i = 0; i < 4; i++) {
    path_fmt(p, sizeof p, "%s/%s", dev, links[i][1]);
    symlink(links[i][0], p);
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

static void mount_rootfs(void) {
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
    path_fmt(data + used, sizeof data - used, ",upperdir=%s,workdir=%s", cfg.upper, cfg.work);
    do_mount("overlay", root, "overlay", 0, data);
  }
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
  step = "mount /etc files";
  for (int i = 0; i < cfg.n_etc; i++) {
    char rel[512];
    path_fmt(rel, sizeof rel, "etc/%s", cfg.etc[i].key);
    file_in(root, rel, path, sizeof path);
    do_mount(cfg.etc[i].value, path, NULL, MS_BIND, NULL);
  }
  step = "mount volumes";
  mount_container_mounts(root);
  if (cfg.init_source) {
    step = "mount init";
    file_in(root, cfg.init_target + 1, path, sizeof path);
    do_mount(cfg.init_source, path, NULL, MS_BIND, NULL);
    do_mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
  }
  step = "sethostname";
  if (cfg.hostname && sethostname(cfg.hostname, strlen(cfg.hostname)) != 0) fail_call("sethostname", quoted(cfg.hostname));
  step = "pivot_root";
  // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the
  // container's tree, with no directory needed for the old root.
  if (chdir(root) != 0) fail_call("chdir", quoted(root));
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail_call("pivot_root", "\".\", \".\"");
  if (umount2(".", MNT_DETACH) != 0) fail_call("umount2", "\".\"");
  if (chdir("/") != 0) fail_call("chdir", "\"/\"");
}

/** After the network is wired and sysctls are written: nothing in the container runs yet. */
static void mask_paths(void) {
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

// ---- cgroups: joined on a thread, since each join waits for an RCU grace period ------------

static int cgroup_fds[16];
static int cgroup_errno;
static const char *cgroup_failed;

/** Opened before the thread starts: pivot_root on the main thread hides their paths. */
static void open_cgroups(void) {
  for (int i = 0; i < cfg.n_cgroups; i++) {
    cgroup_fds[i] = open(cfg.cgroups[i], O_WRONLY | O_CLOEXEC);
    if (cgroup_fds[i] < 0) fail_call("open", quoted(cfg.cgroups[i]));
  }
}

static void *join_cgroups(void *unused) {
  (void)unused;
  for (int i = 0; i < cfg.n_cgroups; i++) {
    // "0" is the writer's whole process: every thread of this one, and what it execs.
    if (write(cgroup_fds[i], "0", 1) != 1 && !cgroup_failed) {
      cgroup_errno = errno;
      cgroup_failed = cfg.cgroups[i];
    }
    close(cgroup_fds[i]);
  }
  return NULL;
}

// ---- the process: user, command, restrictions (init/user.ts, exec.ts, restrictions.ts) -----

struct user { uid_t uid; gid_t gid; gid_t groups[64]; int n_groups; char home[1024]; char name[256]; };

static int is_number(const char *s) {
  if (!*s) return 0;
  for (; *s; s++) if (*s < '0' || *s > '9') return 0;
  return 1;
}

/** Splits an /etc/passwd or /etc/group line into `fields` (in place); returns how many. */
static int split_colon(char *line, char **fields, int max) {
  int n = 0;
  fields[n++] = line;
  for (char *p = line; *p && n < max; p++) {
    if (*p == ':') { *p = 0; fields[n++] = p + 1; }
  }
  return n;
}

static FILE *open_etc(const char *name) {
  char path[64];
  path_fmt(path, sizeof path, "/etc/%s", name);
  return fopen(path, "re");
}

static void resolve_user(struct user *u) {
  char spec[1024], *group_part = NULL;
  path_fmt(spec, sizeof spec, "%s", cfg.user[0] ? cfg.user : "0");
  char *colon = strchr(spec, ':');
  if (colon) { *colon = 0; group_part = colon + 1; }
  const char *user_part = spec;
  char line[4096], *f[8];
  int found = 0;
  u->uid = 0; u->gid = 0; u->n_groups = 0; strcpy(u->home, "/"); u->name[0] = 0;
  FILE *pw = open_etc("passwd");
  while (pw && fgets(line, sizeof line, pw)) {
    line[strcspn(line, "\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    int n = split_colon(line, f, 8);
    if (n < 4) continue;
    if (is_number(user_part) ? strcmp(f[2], user_part) : strcmp(f[0], user_part)) continue;
    found = 1;
    u->uid = (uid_t)strtoul(f[2], NULL, 10);
    u->gid = (gid_t)strtoul(f[3], NULL, 10);
    path_fmt(u->name, sizeof u->name, "%s", f[0]);
    if (n > 5 && f[5][0]) path_fmt(u->home, sizeof u->home, "%s", f[5]);
    break;
  }
  if (pw) fclose(pw);
  if (!found) {
    if (!is_number(user_part)) fail(127, "unable to find user %s: no matching entries in passwd file", user_part);
    u->uid = (uid_t)strtoul(user_part, NULL, 10);
  }
  FILE *gr = open_etc("group");
  if (group_part && group_part[0]) {
    int gfound = 0;
    while (gr && fgets(line, sizeof line, gr)) {
      line[strcspn(line, "\n")] = 0;
      if (!line[0] || line[0] == '#') continue;
      if (split_colon(line, f, 8) < 3) continue;
      if (is_number(group_part) ? strcmp(f[2], group_part) : strcmp(f[0], group_part)) continue;
      gfound = 1;
      u->gid = (gid_t)strtoul(f[2], NULL, 10);
      break;
    }
    if (!gfound) {
      if (!is_number(group_part)) fail(127, "unable to find group %s: no matching entries in group file", group_part);
      u->gid = (gid_t)strtoul(group_part, NULL, 10);
    }
    if (gr) rewind(gr);
  }
  u->groups[u->n_groups++] = u->gid;
  // The user's supplementary groups come along, as with docker.
  while (u->name[0] && gr && fgets(line, sizeof line, gr) && u->n_groups < 64) {
    line[strcspn(line, "\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    if (split_colon(line, f, 8) < 4) continue;
    gid_t gid = (gid_t)strtoul(f[2], NULL, 10);
    int member = 0;
    for (char *save = NULL, *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) member |= !strcmp(m, u->name);
    int seen = 0;
    for (int i = 0; i < u->n_groups; i++) seen |= u->groups[i] == gid;
    if (member && !seen) u->groups[u->n_groups++] = gid;
  }
  if (gr) fclose(gr);
}

static const char *get_env(const char *key) {
  size_t len = strlen(key);
  for (int i = 0; i < cfg.envc; i++) if (!strncmp(cfg.env[i], key, len) && cfg.env[i][len] == '=') return cfg.env[i] + len + 1;
  return NULL;
}

static const char *DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static char *env_entry(const char *key, const char *value) {
  char *e = malloc(strlen(key) + strlen(value) + 2);
  sprintf(e, "%s=%s", key, value);
  return e;
}

static void container_env(const struct user *u) {
  if (cfg.envc + 3 >= (int)(sizeof cfg.env / sizeof cfg.env[0])) fail(127, "too many environment variables");
  if (!get_env("PATH")) {
    memmove(cfg.env + 1, cfg.env, sizeof(char *) * (size_t)cfg.envc);
    cfg.env[0] = env_entry("PATH", DEFAULT_PATH);
    cfg.envc++;
  }
  if (!get_env("HOSTNAME")) cfg.env[cfg.envc++] = env_entry("HOSTNAME", cfg.hostname ? cfg.hostname : "");
  if (!get_env("HOME")) cfg.env[cfg.envc++] = env_entry("HOME", u->home);
  cfg.env[cfg.envc] = NULL;
}

/** 0 executable, 1 present but not, -1 absent. */
static int executable(const char *p) {
  struct stat st;
  if (stat(p, &st) != 0) return -1;
  return S_ISREG(st.st_mode) && (st.st_mode & 0111) ? 0 : 1;
}

static void look_path(const char *file, char *out, size_t size) {
  if (!file || !file[0]) fail(127, "empty command");
  if (strchr(file, '/')) {
    int state = executable(file);
    if (state == 0) { path_fmt(out, size, "%s", file); return; }
    if (state == 1) fail(126, "permission denied: %s", file);
    fail(127, "no such file or directory: %s", file);
  }
  char path[8192], denied[4096] = "";
  path_fmt(path, sizeof path, "%s", get_env("PATH") ? get_env("PATH") : DEFAULT_PATH);
  char *p = path;
  for (;;) {
    char *colon = strchr(p, ':');
    if (colon) *colon = 0;
    char candidate[4096];
    path_fmt(candidate, sizeof candidate, "%s/%s", p[0] ? p : ".", file);
    int state = executable(candidate);
    if (state == 0) { path_fmt(out, size, "%s", candidate); return; }
    if (state == 1 && !denied[0]) path_fmt(denied, sizeof denied, "%s", candidate);
    if (!colon) break;
    p = colon + 1;
  }
  if (denied[0]) fail(126, "permission denied: %s", denied);
  fail(127, "executable file not found in $PATH: %s", file);
}

static void apply_restrictions(const struct user *u) {
  char detail[128];
  step = "ulimits";
  for (int i = 0; i < cfg.n_rlimits; i++) {
    struct rlimit lim = { cfg.soft[i], cfg.hard[i] };
    path_fmt(detail, sizeof detail, "%d, %llu, %llu", cfg.rlimits[i], cfg.soft[i], cfg.hard[i]);
    if (prlimit(0, (__rlimit_resource_t)cfg.rlimits[i], &lim, NULL) != 0) fail_call("prlimit", detail);
  }
  if (cfg.no_new_privs) {
    step = "no_new_privs";
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail_call("prctl", "PR_SET_NO_NEW_PRIVS");
  }
  if (cfg.seccomp_hex) {
    step = "seccomp";
    size_t len = strlen(cfg.seccomp_hex) / 2;
    unsigned char *bytes = malloc(len);
    for (size_t i = 0; i < len; i++) bytes[i] = (unsigned char)(hexval(cfg.seccomp_hex[2 * i]) * 16 + hexval(cfg.seccomp_hex[2 * i + 1]));
    struct sock_fprog prog = { (unsigned short)(len / sizeof(struct sock_filter)), (struct sock_filter *)bytes };
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) fail_call("prctl", "PR_SET_SECCOMP");
  }
  step = "drop capabilities";
  for (int cap = 0; cap <= cfg.last_cap; cap++) {
    if ((cfg.keep_caps >> cap) & 1) continue;
    path_fmt(detail, sizeof detail, "PR_CAPBSET_DROP, %d", cap);
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) fail_call("prctl", detail);
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) fail_call("prctl", "PR_CAP_AMBIENT_CLEAR_ALL");
  // As root with every capability still in hand: setuid to non-root then clears the
  // permitted and effective sets by itself, which is what docker gives a non-root user.
  step = "set user";
  if (setgroups((size_t)u->n_groups, u->groups) != 0) fail_call("setgroups", "");
  if (setgid(u->gid) != 0) fail_call("setgid", "");
  if (setuid(u->uid) != 0) fail_call("setuid", "");
  if (u->uid == 0) {
    step = "set capabilities";
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) data[i].effective = data[i].permitted = (uint32_t)(cfg.keep_caps >> (32 * i));
    if (syscall(SYS_capset, &hdr, data) != 0) fail_call("capset", "v3");
  }
}

static void wait_for_go(void) {
  // The pipe end comes non-blocking; only this process holds it, so make it block.
  if (fcntl(GO_FD, F_SETFL, 0) != 0) fail_call("fcntl", "3, F_SETFL");
  char byte;
  ssize_t n;
  do n = read(GO_FD, &byte, 1); while (n < 0 && errno == EINTR);
  if (n < 0) fail_call("read", "3");
  if (n == 0) fail(127, "supervisor closed the release pipe");
}

/** `sysctl FILE NAME VALUE` lines: the supervisor checked the name and made the path. */
static void write_sysctls(void) {
  for (int i = 0; i < cfg.n_sysctls; i++) {
    const char *file = cfg.sysctls[i].key, *name = cfg.sysctls[i].name, *value = cfg.sysctls[i].value;
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(value);
    if (fd < 0 || write(fd, value, len) != (ssize_t)len) fail(127, "sysctl %s=%s: %s writing %s", name, value, errno_name(errno), file);
    close(fd);
  }
}

int main(void) {
  clock_gettime(CLOCK_MONOTONIC, &started);
  read_config();
  step = "close-on-exec";
  if (fcntl(GO_FD, F_SETFD, FD_CLOEXEC) != 0 || fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC) != 0) fail_call("fcntl", "F_SETFD");
  // The files are opened before pivot_root hides their paths; the cgroup namespace is
  // unshared only later, so its root is the container's own group.
  step = "join cgroup";
  open_cgroups();
  pthread_t joiner;
  if (pthread_create(&joiner, NULL, join_cgroups, NULL) != 0) fail(127, "cannot start the cgroup thread");
  mount_rootfs();
  // docker creates a missing working directory; a read-only root needs it made now.
  step = "working directory";
  mkdir_p(cfg.cwd);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  dprintf(STATUS_FD, "{\"event\":\"ready\",\"ms\":%.1f}\n", (double)(now.tv_sec - started.tv_sec) * 1e3 + (double)(now.tv_nsec - started.tv_nsec) / 1e6);
  if (cfg.wait_for_release) {
    step = "wait for release";
    wait_for_go();
  }
  // The network is wired now, so sysctls of its interfaces exist; then /proc gets its masks.
  step = "sysctls";
  write_sysctls();
  if (!cfg.privileged) {
    step = "mask /proc";
    mask_paths();
  }
  if (cfg.read_only_rootfs) {
    step = "read-only rootfs";
    do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
  }
  // The joins wait for RCU grace periods (milliseconds each on cgroup v1); the supervisor
  // wires the network meanwhile. Done before the cgroup namespace (its root is the
  // container's group) and before anything the container's command runs.
  step = "join cgroup";
  pthread_join(joiner, NULL);
  if (cgroup_failed) {
    errno = cgroup_errno;
    fail_call("write", quoted(cgroup_failed));
  }
  step = "unshare cgroup namespace";
  if (unshare(CLONE_NEWCGROUP) != 0) fail_call("unshare", "33554432");
  step = "resolve user";
  struct user u;
  resolve_user(&u);
  container_env(&u);
  step = "chdir";
  if (chdir(cfg.cwd) != 0) fail_call("chdir", quoted(cfg.cwd));
  step = "lookup";
  char file[4096];
  look_path(cfg.argv[0], file, sizeof file);
  // tini execvp's the command itself; the lookup above still reports a missing one clearly.
  char **argv = cfg.argv;
  const char *path = file;
  if (cfg.init_target) {
    argv = calloc((size_t)cfg.argc + 3, sizeof(char *));
    argv[0] = cfg.init_target;
    argv[1] = "--";
    memcpy(argv + 2, cfg.argv, sizeof(char *) * (size_t)cfg.argc);
    path = cfg.init_target;
  }
  apply_restrictions(&u);
  step = "exec";
  execve(path, argv, cfg.env);
  fail_call("execve", quoted(path));
  return 127;
}
