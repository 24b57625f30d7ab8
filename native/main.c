// dist/stack-init: the native init stage (no arguments) or, as `stack-init exec`, the native
// exec stage. One static binary for both: they share the config format, the error path and
// the process setup.

#include "stage.h"

int main(int argc, char **argv) {
  int exec = argc > 1 && !strcmp(argv[1], "exec");
  // Non-dumpable before anything else, until execve (which makes the command dumpable
  // again): no process of the container may open our /proc/PID/exe, root, cwd, fd or mem
  // once the restrictions leave us its capabilities (CVE-2019-5736). The exe is a sealed
  // memfd copy of this binary besides (executor/host/linux/sealed-stage.ts).
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return exec ? 126 : 127;
  // Spawned as /proc/PID/fd/N, the kernel named the process after the fd number.
  prctl(PR_SET_NAME, "stack-init", 0, 0, 0);
  return exec ? exec_main() : init_main();
}
