# Sourced by bin/stack (/bin/sh) when an ordinary user runs a command: rootless mode's short
# path. While the user's namespace holder runs, the command enters its namespaces right here,
# `exec nsenter … node stack.js`, and Node starts once. The full path (cli/rootless-entry.ts)
# starts Node on the host side first, which checks the prerequisites, makes or mends the
# holder, spawns the same nsenter and then only waits: ~half of a rootless command's CPU.
#
# The short path is taken only when it is provably the same as the full one; whenever a word
# does not fit, this returns and bin/stack takes the full path:
# - a command the full path would run on the host side (cli/needs-root.ts FOR_EVERYONE, help),
#   or one whose outer half does work after it (`down` may stop the holder);
# - the holder's record (executor/host/linux/rootless/enter-record.ts) names processes that
#   run now with the start times they had when it was written: a recycled pid has another
#   start time, so no other process's namespaces are ever entered; none may be a zombie;
# - the connector is slirp4netns, which publishes through its API socket from inside; pasta's
#   forwards are restarted by the outer command (forward-watch.ts).
# STACK_ROOT and STACK_RUN are derived as cli/rootless-entry.ts rootlessDirs does.
# Builtins only (read, case, set): no process is started before nsenter. Needs command-line.sh.

# The start time of a process that runs (not a zombie), as proc-stat.ts reads it; fails otherwise.
stack_same_process() {
  case $1$2 in '' | *[!0-9]*) return 1 ;; esac
  [ -r "/proc/$1/stat" ] || return 1
  read -r stack_stat <"/proc/$1/stat" || return 1
  # The command name may hold spaces and ')': the fields after the last ') ' are state first.
  set -- "$2" ${stack_stat##*) }
  [ "$2" != Z ] && [ "${21}" = "$1" ]
}

stack_rootless_enter() {
  stack_read_euid
  case $stack_euid in '' | 0 | *[!0-9]*) return ;; esac
  # A help flag anywhere (commander prints help on the host side) takes the full path, even
  # one meant for a container.
  stack_command_word "$@"
  [ -z "$stack_help" ] || return
  case $stack_cmd in '' | help | config | graph | doctor | version | completion | __complete | down) return ;; esac
  # The user's STACK_RUN and STACK_ROOT (an empty variable counts as unset, as `||` there);
  # exported only with the exec: the full path must see the environment as it came.
  stack_run=${STACK_RUN-}
  if [ -z "$stack_run" ]; then
    [ -n "${XDG_RUNTIME_DIR-}" ] || return
    stack_run=$XDG_RUNTIME_DIR/stack
  fi
  stack_root=${STACK_ROOT-}
  if [ -z "$stack_root" ]; then
    if [ -n "${XDG_DATA_HOME-}" ]; then
      stack_root=$XDG_DATA_HOME/stack
    else
      [ -n "${HOME-}" ] || return
      stack_root=$HOME/.local/share/stack
    fi
  fi
  stack_record=$stack_run/rootless/holder.enter
  [ -f "$stack_record" ] && [ -O "$stack_record" ] || return
  read -r stack_v stack_conn stack_upid stack_ustart stack_pid stack_start stack_npid stack_nstart stack_cg stack_end stack_more <"$stack_record" || return
  [ "$stack_v" = stk-enter-1 ] && [ "$stack_end" = end ] && [ -z "$stack_more" ] || return
  [ "$stack_conn" = slirp4netns ] || return
  case $stack_cg in 0) stack_cgroup=--cgroup ;; 1) stack_cgroup= ;; *) return ;; esac
  stack_same_process "$stack_upid" "$stack_ustart" || return
  stack_same_process "$stack_pid" "$stack_start" || return
  stack_same_process "$stack_npid" "$stack_nstart" || return
  command -v nsenter >/dev/null || return
  # --wdns: the folder is opened inside, after the setns calls (enter-namespace.ts says why).
  stack_cwd=$(pwd -P) || return
  STACK_ROOT=$stack_root
  STACK_RUN=$stack_run
  export STACK_ROOT STACK_RUN
  exec nsenter --target="$stack_pid" --user --mount --net --uts --ipc $stack_cgroup --pid --wdns="$stack_cwd" \
    -- node "${self%/*}/stack.js" "$@"
}
