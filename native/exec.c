// The exec stage: a process inside a running container (`stack exec`, healthchecks), doing
// what the portable Node exec stage (executor/host/linux/init/exec-main.ts) does. The host
// spawns it already inside the container's PID namespace (only a parent can put a child
// there); it joins the container's cgroups, enters its ipc, uts, net, cgroup and mount
// namespaces and its root, resolves the user in the container's /etc/passwd, applies the
// container's restrictions and execve's the command. Config in $STACK_EXEC; an error is
// one JSON line on fd 3 (close-on-exec: EOF means execve happened) and exit code 126 (127:
// command not found), as docker exec.

#include "stage.h"

#define EXEC_STATUS_FD 3

static const struct { const char *name; int flag; } NAMESPACES[] = {
  { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP }, { "mnt", CLONE_NEWNS },
};
#define N_NAMESPACES (sizeof NAMESPACES / sizeof NAMESPACES[0])

/** Start time of `pid` (field 22 of /proc/PID/stat), to tell a reused pid apart; 0 when gone. */
static unsigned long long start_time_of(long pid) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return 0;
  // After ") ": field 3 is the state; the start time is field 22, 19 fields further.
  p += 2;
  for (int field = 3; field < 22 && p; field++) {
    p = strchr(p, ' ');
    if (p) p++;
  }
  return p ? strtoull(p, NULL, 10) : 0;
}

int exec_main(void) {
  status_fd = EXEC_STATUS_FD;
  failure_code = 126;
  read_config("STACK_EXEC");
  step = "close-on-exec";
  if (fcntl(EXEC_STATUS_FD, F_SETFD, FD_CLOEXEC) != 0) fail_call("fcntl", "F_SETFD");
  close_other_fds(EXEC_STATUS_FD, EXEC_STATUS_FD);
  step = "join cgroup";
  for (int i = 0; i < cfg.n_cgroups; i++) {
    int fd = open(cfg.cgroups[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) fail_call("write", quoted(cfg.cgroups[i]));
    close(fd);
  }
  step = "open namespaces";
  int fds[N_NAMESPACES];
  char path[128];
  for (size_t i = 0; i < N_NAMESPACES; i++) {
    path_fmt(path, sizeof path, "/proc/%ld/ns/%s", cfg.pid, NAMESPACES[i].name);
    if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) fail_call("open", quoted(path));
  }
  step = "open root";
  path_fmt(path, sizeof path, "/proc/%ld/root", cfg.pid);
  int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) fail_call("open", quoted(path));
  // Checked after opening: the fds now hold whatever process had the pid, so it must still be the container.
  if (start_time_of(cfg.pid) != cfg.start_time) fail(failure_code, "container %s stopped", cfg.container ? cfg.container : "");
  step = "enter namespaces";
  for (size_t i = 0; i < N_NAMESPACES; i++) {
    if (setns(fds[i], NAMESPACES[i].flag) != 0) fail_call("setns", NAMESPACES[i].name);
    close(fds[i]);
  }
  if (fchdir(root) != 0) fail_call("fchdir", "root");
  if (chroot(".") != 0) fail_call("chroot", "\".\"");
  close(root);
  struct user u;
  char file[4096];
  prepare_process(&u, file, sizeof file);
  if (cfg.tty) {
    step = "controlling terminal";
    if (setsid() < 0) fail_call("setsid", "");
    if (ioctl(0, TIOCSCTTY, 0) != 0) fail_call("ioctl", "0, TIOCSCTTY");
  }
  apply_restrictions(&u);
  step = "exec";
  execve(file, cfg.argv, cfg.env);
  fail_call("execve", quoted(file));
}
