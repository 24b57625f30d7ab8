// Copy-up (init/copy-up.ts does the same): a new, empty volume gets the image's content at
// its target, as docker does. It runs right after the overlay is mounted, before /proc,
// /sys, /dev or any other mount exists under the rootfs, so the source is the image's
// alone (after them, `data -> /sys/firmware` copied the host's ACPI tables into a volume).
// The kernel resolves the target inside the rootfs (openat2 RESOLVE_IN_ROOT, crossing no
// mount), and both trees are walked by file descriptor without following any link: neither
// a link in the image nor one that another container puts into a shared volume meanwhile
// can lead the copy out.

#include "stage.h"
#include <linux/openat2.h>

/** The entries of directory `fd`, through an open file description of their own. */
static DIR *list_dir(int fd, const char *shown) {
  int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = own < 0 ? NULL : fdopendir(own);
  if (!d) fail_call("opendir", quoted(shown));
  return d;
}

static int is_empty(int fd, const char *shown) {
  DIR *d = list_dir(fd, shown);
  int empty = 1;
  for (struct dirent *e; empty && (e = readdir(d));) empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
  closedir(d);
  return empty;
}

/** Owner, then mode (a chown clears setuid), then times, of what `fd` is open on. */
static void keep_metadata(int fd, const struct stat *st, const char *shown) {
  if (fchown(fd, st->st_uid, st->st_gid) != 0) fail_call("fchown", quoted(shown));
  if (fchmod(fd, st->st_mode & 07777) != 0) fail_call("fchmod", quoted(shown));
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  futimens(fd, times);
}

static void copy_file(int in, int out, const char *shown) {
  char buf[65536];
  for (ssize_t n; (n = read(in, buf, sizeof buf)) != 0;) {
    if (n < 0) fail_call("read", quoted(shown));
    if (write(out, buf, (size_t)n) != n) fail_call("write", quoted(shown));
  }
}

/** Directories, regular files and symlinks of `from` into `to`; devices, fifos and sockets are not data. */
static void copy_entries(int from, int to, const char *where) {
  DIR *d = list_dir(from, where);
  for (struct dirent *e; (e = readdir(d));) {
    const char *name = e->d_name;
    if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
    char shown[4096];
    path_fmt(shown, sizeof shown, "%s/%s", where, name);
    struct stat st;
    if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) != 0) fail_call("fstatat", quoted(shown));
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(from, name, target, sizeof target - 1);
      if (n < 0) fail_call("readlinkat", quoted(shown));
      target[n] = 0;
      if (symlinkat(target, to, name) != 0) fail_call("symlinkat", quoted(shown));
      if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) fail_call("fchownat", quoted(shown));
      continue;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;
    int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
    if (in < 0) fail_call("openat", quoted(shown));
    int out;
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(to, name, 0700) != 0) fail_call("mkdirat", quoted(shown));
      out = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (out < 0) fail_call("openat", quoted(shown));
      copy_entries(in, out, shown);
    } else {
      out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (out < 0) fail_call("openat", quoted(shown));
      copy_file(in, out, shown);
    }
    keep_metadata(out, &st, shown);
    close(in);
    close(out);
  }
  closedir(d);
}

void copy_up_volumes(int rootfd) {
  for (int i = 0; i < cfg.n_mounts; i++) {
    struct mount_item *m = &cfg.mounts[i];
    if (!m->copy_up || strcmp(m->kind, "bind") != 0) continue;
    // The volume's own folder is the supervisor's (or the user's `device`); only its content is not.
    int to = open(m->source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (to < 0 && errno == ENOTDIR) continue;
    if (to < 0) fail_call("open", quoted(m->source));
    int from = is_empty(to, m->source) ? open_in_root(rootfd, m->target, O_RDONLY | O_DIRECTORY, RESOLVE_NO_XDEV) : -2;
    // Nothing at the target in the image, or not a directory: nothing to copy, as with docker.
    if (from == -1 && errno != ENOENT && errno != ENOTDIR) fail_call("openat2", quoted(m->target));
    if (from >= 0) {
      struct stat st;
      if (fstat(from, &st) != 0) fail_call("fstat", quoted(m->target));
      copy_entries(from, to, m->target);
      if (fchown(to, st.st_uid, st.st_gid) != 0) fail_call("fchown", quoted(m->source));
      if (fchmod(to, st.st_mode & 07777) != 0) fail_call("fchmod", quoted(m->source));
      close(from);
    }
    close(to);
  }
}
