// Shared by the native stages (stage.h): the config both read, the error path, and the
// functions one module offers the others. See init.c and exec.c for what each stage does.

#ifndef STACK_STAGE_H
#define STACK_STAGE_H

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
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITEMS 256

// ---- errors.c: every failure names its step, like the Node stages ---------------------------

/** The step under way, named as the Node stages name it (messages and tests rely on it). */
extern const char *step;
/** Where the error line goes: 4 for the init stage, 3 for the exec stage. */
extern int status_fd;
/** Exit code of a failure that is not "command not found": 127 (init) or 126 (exec), as the Node stages. */
extern int failure_code;

const char *errno_name(int e);
void fail_call(const char *call, const char *detail) __attribute__((noreturn));
void fail(int exit_code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
char *quoted(const char *s);
void do_mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data);
void path_fmt(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// ---- config.c ---------------------------------------------------------------------------

struct mount_item { char *kind, *source, *target, *tmpfs_options; int read_only, copy_up; unsigned long propagation; };
struct dev_node { char *name; unsigned major, minor; };
/** A `devices:` node: path under /dev, mode with its S_IFCHR/S_IFBLK bits, numbers and owner. */
struct device_node { char *path; unsigned mode, major, minor, uid, gid; };
struct kv { char *key, *value; };
struct sysctl { char *key, *name, *value; };

struct config {
  char *cgroups[16]; int n_cgroups;
  char *lowers[MAX_ITEMS]; int n_lowers;
  char *upper, *work, *rootfs, *hostname, *domainname, *user, *cwd, *init_source, *init_target, *seccomp_hex;
  struct kv etc[4]; int n_etc;
  struct mount_item mounts[MAX_ITEMS]; int n_mounts;
  struct dev_node devs[16]; int n_devs;
  /** Rootless, in a user namespace: dev nodes are binds of the host's (mknod is refused), overlay uses user.overlay.* (userxattr). */
  int userns;
  struct device_node devices[MAX_ITEMS]; int n_devices;
  /** group_add: supplementary groups besides the user's (numbers, or names in /etc/group). */
  char *group_add[64]; int n_group_add;
  /** oom_score_adj of the container's processes, written when has_oom_score_adj. */
  int oom_score_adj, has_oom_score_adj;
  char *masked[32]; int n_masked;
  char *readonly[32]; int n_readonly;
  struct sysctl sysctls[MAX_ITEMS]; int n_sysctls;
  int rlimits[RLIM_NLIMITS]; unsigned long long soft[RLIM_NLIMITS], hard[RLIM_NLIMITS]; int n_rlimits;
  char *argv[4096]; int argc;
  char *env[4096]; int envc;
  int privileged, read_only_rootfs, wait_for_release, no_new_privs, last_cap;
  /** /sys/fs/cgroup: cgroupfs is 0 (none), 1 (v1: a tmpfs of hierarchies) or 2 (one cgroup2 mount). */
  int cgroupfs, cgroupfs_read_only;
  char *cgroupfs_hierarchies[16]; int n_cgroupfs_hierarchies;
  struct kv cgroupfs_links[32]; int n_cgroupfs_links;
  unsigned long long shm_size, keep_caps;
  /** Shared namespaces (init/config.ts SharedNamespaces): /dev/shm bound from shm_bind, or none; the host's hostname and cgroup namespace kept. */
  char *shm_bind; int no_shm, keep_hostname, host_cgroupns;
  /** exec stage: the container's PID 1 on the host, its start time, a terminal on fd 0. */
  long pid; unsigned long long start_time; int tty; char *container;
};

extern struct config cfg;

int hexval(char c);
/** Reads the config from environment variable `name` ($STACK_INIT or $STACK_EXEC). */
void read_config(const char *name);

// ---- rootfs.c ---------------------------------------------------------------------------

void mkdir_p(const char *path);
/** The container's filesystem view, then pivot_root (inside its own mount namespace). */
void mount_rootfs(void);
void mask_paths(void);

// ---- cgroup-view.c ----------------------------------------------------------------------

/** The container's own cgroup at /sys/fs/cgroup, after pivot_root and the cgroup namespace. */
void mount_cgroup_view(void);

// ---- mount-target.c: targets opened inside the rootfs, mounts onto what was opened ------

/** openat2(rootfd, path) as if rootfd were `/`, never through a magic link; `resolve` adds RESOLVE_* flags. */
int open_in_root(int rootfd, const char *path, int flags, unsigned long long resolve);
/** A mount on or inside the container's procfs is refused, as runc refuses it: it would hide or fake what the kernel shows there. */
void refuse_in_proc(int fd, const char *asked, const char *rel);
/** Directory `rel` (resolved already by the caller) under the root, made where missing; an O_PATH fd. */
int target_dir(int rootfd, const char *rel, const char *asked);
/** A regular file `base` in directory `parent_rel` (as target_dir): whatever else is there is replaced. */
int target_file(int rootfd, const char *parent_rel, const char *base, const char *asked);
void mount_tmpfs_at(int fd, unsigned long flags, const char *options, const char *asked);
void mount_overlay_at(int fd, const char *lowers, const char *asked);
/** `source` bound recursively onto what fd is open on, with MOUNT_ATTR_* `attrs` and MS_* `propagation`. */
void bind_at(int fd, const char *source, unsigned long long attrs, unsigned long propagation, const char *asked);

// ---- copy-up.c --------------------------------------------------------------------------

/** The image's content at each copy-up volume's target (in the rootfs rootfd is open on) → the volume, while it is empty. */
void copy_up_volumes(int rootfd);

// ---- process.c --------------------------------------------------------------------------

struct user { uid_t uid; gid_t gid; gid_t groups[64]; int n_groups; char home[1024]; char name[256]; };

void resolve_user(struct user *u);
/** Adds PATH, HOSTNAME and HOME where the config's environment lacks them. */
void container_env(const struct user *u);
void look_path(const char *file, char *out, size_t size);
/** The user, its environment, the working directory and the command's file, in that order. */
void prepare_process(struct user *u, char *file, size_t size);
/** ulimits, no_new_privs, seccomp, bounding set, user, capabilities: in the only order that works. */
void apply_restrictions(const struct user *u);
/**
 * Closes every fd from 3 up except keep_from..keep_to (the stage's own pipes, close-on-exec):
 * nothing the spawning process had open may reach the container.
 */
void close_other_fds(int keep_from, int keep_to);

// ---- init.c, exec.c ---------------------------------------------------------------------

int init_main(void);
int exec_main(void);

#endif
