# Sourced by bin/stack (/bin/sh): what the shell reads of a command line before Node starts, for
# the paths it takes itself (rootless-enter.sh, early-supervisor.sh). Builtins only: no process.

# The effective uid (stack_euid), from the shell's own status (/proc/self is this shell: no `id`).
stack_read_euid() {
  while read -r stack_key stack_ruid stack_euid stack_rest; do
    [ "$stack_key" = Uid: ] && return
  done </proc/self/status
  stack_euid=
}

# The command word (stack_cmd), as bin/stack.js commandOf finds it, and whether a help flag is
# anywhere on the line (stack_help=1): commander then prints help, whatever the command.
stack_command_word() {
  stack_cmd=
  stack_help=
  stack_skip=
  for stack_arg in "$@"; do
    case $stack_arg in -h | --help) stack_help=1 ;; esac
    if [ -n "$stack_skip" ]; then
      stack_skip=
    elif [ -z "$stack_cmd" ]; then
      case $stack_arg in
        -f | --file | -p | --project-name | --env-file | --profile | --project-directory | --ansi | --progress | --parallel) stack_skip=1 ;;
        -*) ;;
        *) stack_cmd=$stack_arg ;;
      esac
    fi
  done
}
