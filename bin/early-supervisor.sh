# Sourced by bin/stack (/bin/sh) for `up` as root: starts the stack's supervisor here, before the
# CLI's Node, when bin/stack.js would start one early (startSupervisorEarly; the same choice,
# test/cli/early-supervisor-shell.test.ts holds the two together). Started from Node, it was
# spawned ~30 ms into the command, once the CLI's Node had started, and a first `up` then waited
# for it; from here both Node processes boot at once.
#
# The hand-over, as supervisor/launch.ts's own early start does it with a pipe and a file:
# - the supervisor's stdin is a FIFO whose only writer is the CLI: the CLI writes the project,
#   or closes it unused, or dies; at EOF the supervisor exits before it has made anything;
# - its stdout and stderr are a file the CLI can read (its boot output: why it died, if it does);
# - both are made in STACK_RUN (root's own folder: no one else can put a file or a link there),
#   opened, and unlinked at once, so they leave nothing behind however the two processes end;
# - the CLI finds them as fds 7 (the FIFO, read-write: open, it never blocks) and 8 (the boot
#   output) and the supervisor's pid in STACK_EARLY_SUPERVISOR (supervisor/early-handle.ts).
# Whenever a step does not fit, this returns and bin/stack.js decides as before.
# Needs command-line.sh. Processes: mkfifo, and rm in the background.

# The project the command line names for certain (stack_project), as bin/stack.js namedProject:
# the last -p/--project-name, else COMPOSE_PROJECT_NAME; empty when none, or not a valid name.
stack_named_project() {
  stack_project=
  stack_named=
  stack_take=
  for stack_arg in "$@"; do
    if [ -n "$stack_take" ]; then
      [ "$stack_take" = name ] && stack_project=$stack_arg
      stack_take=
      continue
    fi
    case $stack_arg in
      -p | --project-name) stack_take=name stack_named=1 stack_project= ;;
      --project-name=*) stack_project=${stack_arg#--project-name=} stack_named=1 ;;
      -p-*) ;;
      -p?*) stack_project=${stack_arg#-p} stack_named=1 ;;
      -f | --file | --env-file | --profile | --project-directory | --ansi | --progress | --parallel) stack_take=value ;;
    esac
  done
  [ -n "$stack_named" ] || stack_project=${COMPOSE_PROJECT_NAME-}
  case $stack_project in '' | [!a-z0-9]* | *[!a-z0-9_-]*) stack_project= ;; esac
}

# Whether `up` wants a supervisor started early (supervisor/launch.ts wantsEarlySupervisor): when
# none serves the named project, or, with no name, when none runs under STACK_RUN (stack_run).
stack_early_wanted() {
  stack_named_project "$@"
  if [ -n "$stack_project" ]; then
    [ ! -e "$stack_run/$stack_project/supervisor.sock" ]
    return
  fi
  for stack_sock in "$stack_run"/*/supervisor.sock; do
    [ -e "$stack_sock" ] && return 1
  done
  return 0
}

# Whether this command line, as root, is an `up` that starts its supervisor early.
stack_early_supervisor_fits() {
  stack_read_euid
  [ "$stack_euid" = 0 ] || return
  stack_command_word "$@"
  [ "$stack_cmd" = up ] && [ -z "$stack_help" ] || return
  for stack_arg in "$@"; do
    [ "$stack_arg" = --dry-run ] && return 1
  done
  # STACK_RUN as store/paths.ts resolves it; a relative one is left to Node.
  stack_run=${STACK_RUN-/run/stack}
  case $stack_run in /*) ;; *) return 1 ;; esac
  stack_early_wanted "$@"
}

# $1: the folder of bin/stack. Starts the supervisor and exports STACK_EARLY_SUPERVISOR, or returns.
stack_start_early_supervisor() {
  stack_bin=$1
  shift
  stack_early_supervisor_fits "$@" || return 0
  # Root's existing folder only (a first `up` on a fresh host starts it from Node), and fds the
  # caller did not give us.
  [ -d "$stack_run" ] && [ -O "$stack_run" ] || return 0
  [ -e /proc/self/fd/7 ] || [ -e /proc/self/fd/8 ] || [ -e /proc/self/fd/9 ] && return 0
  command -v setsid >/dev/null || return 0
  case $stack_bin in /*) ;; *) stack_bin=$PWD/$stack_bin ;; esac
  stack_fifo=$stack_run/.early-supervisor-$$.fifo
  stack_out=$stack_run/.early-supervisor-$$.out
  # A pid's leftovers (a kill between here and the rm below) are replaced.
  if ! mkfifo -m 600 "$stack_fifo" 2>/dev/null; then
    rm -f "$stack_fifo" "$stack_out"
    mkfifo -m 600 "$stack_fifo" 2>/dev/null || return 0
  fi
  # 7: the CLI's end, read-write so that opening it does not wait for a reader; 9: the
  # supervisor's, read-only, so that it reads EOF once 7 is closed everywhere.
  # `command exec`: a failed redirection of a plain exec would end the shell.
  if ! { command exec 7<>"$stack_fifo" 9<"$stack_fifo" 8>"$stack_out" && command exec 8<>"$stack_out"; } 2>/dev/null; then
    exec 7>&- 8>&- 9<&-
    rm -f "$stack_fifo" "$stack_out"
    return 0
  fi
  # Its own session (no terminal's signals), in /, with the allocator settings and the
  # environment supervisor/launch.ts supervisorEnv gives it (bin/stack took NODE_EXTRA_CA_CERTS).
  (
    cd / || exit 1
    MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX-2}
    export MALLOC_ARENA_MAX
    # The blank argument: room for its title (supervisor/launch.ts TITLE_ROOM, 63 spaces).
    exec setsid node "$stack_bin/stack-supervisor.js" --project-from-stdin \
      '                                                               ' <&9 >&8 2>&8 7>&- 8>&- 9<&-
  ) &
  STACK_EARLY_SUPERVISOR=$!
  export STACK_EARLY_SUPERVISOR
  rm -f "$stack_fifo" "$stack_out" 7>&- 8>&- 9<&- &
  exec 9<&-
}
