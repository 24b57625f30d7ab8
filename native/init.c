// The init stage: PID 1 of a new container, doing what the portable Node init stage
// (executor/host/linux/init/main.ts) does, step for step and with the same step names and
// messages, in ~2 ms instead of ~30 ms of Node start. Protocol, shared with the Node stage:
// the config in $STACK_INIT; "ready" or an error as one JSON line on fd 4 (close-on-exec:
// EOF means execve succeeded); the go byte on fd 3. Exit 127 on an error, 126 when the
// command was found but cannot run.

#include "stage.h"

#define GO_FD 3
#define STATUS_FD 4

static struct timespec started;

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

static void wait_for_go(void) {
  // The pipe end comes non-blocking; only this process holds it, so make it block.
  if (fcntl(GO_FD, F_SETFL, 0) != 0) fail_call("fcntl", "3, F_SETFL");
  char byte;
  ssize_t n;
  do n = read(GO_FD, &byte, 1); while (n < 0 && errno == EINTR);
  if (n < 0) fail_call("read", "3");
  if (n == 0) fail(failure_code, "supervisor closed the release pipe");
}

/** `sysctl FILE NAME VALUE` lines: the supervisor checked the name and made the path. */
static void write_sysctls(void) {
  for (int i = 0; i < cfg.n_sysctls; i++) {
    const char *file = cfg.sysctls[i].key, *name = cfg.sysctls[i].name, *value = cfg.sysctls[i].value;
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(value);
    if (fd < 0 || write(fd, value, len) != (ssize_t)len) fail(failure_code, "sysctl %s=%s: %s writing %s", name, value, errno_name(errno), file);
    close(fd);
  }
}

int init_main(void) {
  clock_gettime(CLOCK_MONOTONIC, &started);
  read_config("STACK_INIT");
  if (!cfg.rootfs || !cfg.upper || !cfg.work || cfg.n_lowers == 0) fail(failure_code, "config lacks the rootfs or its layers");
  step = "close-on-exec";
  if (fcntl(GO_FD, F_SETFD, FD_CLOEXEC) != 0 || fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC) != 0) fail_call("fcntl", "F_SETFD");
  close_other_fds(GO_FD, STATUS_FD);
  if (cfg.has_oom_score_adj) {
    // Before anything else runs: the container's processes inherit it, across execve too.
    step = "oom_score_adj";
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || dprintf(fd, "%d", cfg.oom_score_adj) < 0) fail_call("write", "\"/proc/self/oom_score_adj\"");
    close(fd);
  }
  // The files are opened before pivot_root hides their paths; the cgroup namespace is
  // unshared only later, so its root is the container's own group.
  step = "join cgroup";
  open_cgroups();
  pthread_t joiner;
  if (pthread_create(&joiner, NULL, join_cgroups, NULL) != 0) fail(failure_code, "cannot start the cgroup thread");
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
  // cgroup: host keeps the host's cgroup namespace (and /sys/fs/cgroup shows the host's tree).
  if (!cfg.host_cgroupns && unshare(CLONE_NEWCGROUP) != 0) fail_call("unshare", "33554432");
  if (cfg.cgroupfs) {
    step = "mount cgroup";
    mount_cgroup_view();
  }
  struct user u;
  char file[4096];
  prepare_process(&u, file, sizeof file);
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
  return failure_code;
}
