// The namespace window as one C call (dist/libstack-window.so), for the supervisor to run on
// a libuv threadpool thread through koffi's async calls (executor/host/linux/threadpool-window.ts):
// unshare, joins, posix_spawn, and the way back all on the thread that runs this function,
// while the supervisor's main thread goes on with the other containers. The window's rules
// are namespace-window.ts's: nothing but the spawn happens inside it, and the way back is
// mnt last, then the root, then the cwd.

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>

// Where a failure happened, for the caller's error: the step, or 100 + i for join i (the errno is returned).
enum { STK_WINDOW_OK = 0, STK_WINDOW_UNSHARE = 1, STK_WINDOW_SPAWN = 2, STK_WINDOW_JOIN = 100 };

int stk_spawn_in_window(int unshare_flags, const int *join_fds, const int *join_types, int njoin,
                        const int *back_fds, const int *back_types, int nback, int root_fd, int cwd_fd,
                        const char *path, const posix_spawn_file_actions_t *actions,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[], int *pid,
                        int *step) {
  *step = STK_WINDOW_OK;
  // A failed unshare changed nothing (and setns(mnt) would fail on the still shared fs state).
  if (unshare(unshare_flags) != 0) {
    *step = STK_WINDOW_UNSHARE;
    return errno;
  }
  int rc = 0;
  for (int i = 0; i < njoin; i++)
    if (setns(join_fds[i], join_types[i]) != 0) {
      *step = STK_WINDOW_JOIN + i;
      rc = errno;
      break;
    }
  if (rc == 0) {
    rc = posix_spawn(pid, path, actions, attr, argv, envp);
    if (rc != 0) *step = STK_WINDOW_SPAWN;
  }
  // A thread that cannot get back would run the threadpool's next work (a record write, a
  // log open) inside a container's mounts: the supervisor ends instead, loudly; its watchdog
  // starts another, which adopts the containers.
  for (int i = 0; i < nback; i++)
    if (setns(back_fds[i], back_types[i]) != 0) abort();
  if (fchdir(root_fd) != 0 || chroot(".") != 0 || fchdir(cwd_fd) != 0) abort();
  return rc;
}
