// dist/stack-init: the native init stage (no arguments) or, as `stack-init exec`, the native
// exec stage. One static binary for both: they share the config format, the error path and
// the process setup.

#include "stage.h"

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "exec")) return exec_main();
  return init_main();
}
