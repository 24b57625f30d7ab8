// Mount targets under a rootfs that already holds volumes (init/mount-target.ts does the
// same). A volume may be shared with a running container, which can swap a directory in it
// for a symlink at any moment (runc's CVE-2021-30465): a target resolved by path and then
// used by path could have its mkdir, its file creation or its mount land on the host. So
// the path resolved once (in_root) is walked again by the kernel inside the root (openat2
// RESOLVE_IN_ROOT), one directory at a time, what is missing is made with *at() calls in
// the directory just opened, and the mount goes onto what was opened: a tmpfs through
// /proc/self/fd/N, a bind as a detached clone (open_tree) moved onto the fd and given its
// flags through its own fd (mount_setattr). Whatever is swapped in meanwhile, nothing
// outside the rootfs is created, removed or mounted on.

#include "stage.h"
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/vfs.h>

int open_in_root(int rootfd, const char *path, int flags, unsigned long long resolve) {
  struct open_how how = { .flags = (unsigned long long)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve };
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

void refuse_in_proc(int fd, const char *asked, const char *rel) {
  struct statfs fs;
  if (fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC) fail(failure_code, "mount target %s resolves to %s, inside /proc: refused", asked, *rel ? rel : "/");
}

int target_dir(int rootfd, const char *rel, const char *asked) {
  int fd = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
  if (fd < 0) fail_call("openat2", "\"/\"");
  char copy[4096], walked[4096] = "";
  path_fmt(copy, sizeof copy, "%s", rel);
  char *save = NULL;
  for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    size_t used = strlen(walked);
    path_fmt(walked + used, sizeof walked - used, "/%s", part);
    int next = open_in_root(rootfd, walked, O_PATH | O_DIRECTORY, 0);
    if (next < 0 && errno == ENOENT) {
      refuse_in_proc(fd, asked, rel);
      if (mkdirat(fd, part, 0755) != 0 && errno != EEXIST) fail_call("mkdirat", quoted(walked));
      next = open_in_root(rootfd, walked, O_PATH | O_DIRECTORY, 0);
    }
    if (next < 0) fail_call("openat2", quoted(walked));
    close(fd);
    fd = next;
    refuse_in_proc(fd, asked, rel);
  }
  return fd;
}

/** Removes `name` in directory `dir`, a whole tree included, never following a link. */
static void remove_at(int dir, const char *name, const char *shown) {
  if (unlinkat(dir, name, 0) == 0 || errno != EISDIR) return;
  int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *d = sub < 0 ? NULL : fdopendir(sub);
  if (!d) fail_call("openat", quoted(shown));
  for (struct dirent *e; (e = readdir(d));) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) remove_at(sub, e->d_name, shown);
  }
  closedir(d);
  if (unlinkat(dir, name, AT_REMOVEDIR) != 0) fail_call("unlinkat", quoted(shown));
}

int target_file(int rootfd, const char *parent_rel, const char *base, const char *asked) {
  int dir = target_dir(rootfd, parent_rel, asked);
  struct stat st;
  int regular = fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
  // A symlink or anything else there is replaced (in the upper dir, or the volume it is in).
  if (!regular) remove_at(dir, base, asked);
  int fd = regular ? openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC) : openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) fail_call("openat", quoted(asked));
  close(dir);
  return fd;
}

void mount_tmpfs_at(int fd, unsigned long flags, const char *options, const char *asked) {
  char at[64];
  path_fmt(at, sizeof at, "/proc/self/fd/%d", fd);
  if (mount("tmpfs", at, "tmpfs", flags, options) != 0) fail_call("mount", quoted(asked));
}

/** An image mount: a read-only overlay of the image's layer folders (`lowers`, top first, `:`-joined). */
void mount_overlay_at(int fd, const char *lowers, const char *asked) {
  char at[64], options[4096];
  path_fmt(at, sizeof at, "/proc/self/fd/%d", fd);
  path_fmt(options, sizeof options, "lowerdir=%s%s", lowers, cfg.userns ? ",userxattr" : "");
  if (mount("overlay", at, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) != 0) fail_call("mount", quoted(asked));
}

void bind_at(int fd, const char *source, unsigned long long attrs, unsigned long propagation, const char *asked) {
  int tree = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (tree < 0) fail_call("open_tree", quoted(source));
  if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) fail_call("move_mount", quoted(asked));
  // Flags of the new mount itself (a bind takes the source's), then its propagation.
  struct mount_attr flags = { .attr_set = attrs };
  if (attrs && mount_setattr(tree, "", AT_EMPTY_PATH, &flags, sizeof flags) != 0) fail_call("mount_setattr", quoted(asked));
  struct mount_attr prop = { .propagation = propagation & (MS_PRIVATE | MS_SLAVE | MS_SHARED) };
  if (prop.propagation && mount_setattr(tree, "", AT_EMPTY_PATH | (propagation & MS_REC ? AT_RECURSIVE : 0), &prop, sizeof prop) != 0) fail_call("mount_setattr", quoted(asked));
  close(tree);
}
