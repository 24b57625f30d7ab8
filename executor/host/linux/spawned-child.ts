// A child spawned without a fork (posix-spawn.ts), with what a container's start used of
// Node's ChildProcess: its pid, its exit, its 'pipe' fds as sockets (or plain fds), kill.
// libuv reaps only the children it spawned (waitpid on each of its own pids), so ours are
// reaped here the same way: on SIGCHLD, waitpid(pid, WNOHANG) for each pid spawned here and
// not yet reaped. While one lives a ref'd timer keeps the event loop alive, as a
// ChildProcess's handle does (`stack run` waits for its container); Node's signal listeners
// are unref'd.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { setBlocking } from './libc.js';
import { posixSpawn, reapIfExited, socketPair, type PosixSpawnRequest } from './posix-spawn.js';

/** The child's fd i: a caller's fd, a new socket pair ('pipe'), or /dev/null ('ignore'). */
export type ChildStdio = number | 'pipe' | 'ignore';

export interface ChildOptions {
  stdio: ChildStdio[];
  env: Record<string, string>;
  /** argv[0], when it is not the command. */
  argv0?: string;
  /** A session of its own (setsid), so it outlives the caller. */
  detached?: boolean;
  /** 'pipe' entries come back as our ends' fds (pipeFds), not sockets: no node:net (~2 ms of CPU). */
  rawPipes?: boolean;
}

export interface SpawnedChild {
  readonly pid: number;
  /** Its exit code, 128 + n when signal n ended it. */
  readonly exited: Promise<number>;
  /** The caller's end of each 'pipe' entry of stdio, at the child's fd number (none with rawPipes). */
  readonly pipes: readonly (net.Socket | undefined)[];
  /** With rawPipes: the caller's end of each 'pipe' entry, an fd it closes. */
  readonly pipeFds: readonly (number | undefined)[];
  /** Signals it while it is unreaped (a reaped pid may be someone else's by now). */
  kill(signal: NodeJS.Signals): void;
  /** Lets the event loop end while it runs (`exec -d`); it is still reaped if it ends first. */
  unref(): void;
}

const waiting = new Map<number, (code: number) => void>();
/** The waiting pids that keep the event loop alive. */
const held = new Set<number>();
let listening = false;
let keepAlive: NodeJS.Timeout | undefined;
/** See leaveOwnStdioUnmade. */
let ownStdioUnmade = false;

/**
 * This process writes nothing to its stdout and stderr while a child that shares them runs
 * (the one-shot `stack run`, cli/one-shot-run.ts): spawnChild then leaves Node's streams for
 * them unmade. Making one for a pipe loads node:net (~2 ms of CPU); made later, while such a
 * child writes, it would turn the shared pipe non-blocking under it (see spawnChild).
 */
export function leaveOwnStdioUnmade(): void {
  ownStdioUnmade = true;
}

function holdLoop(): void {
  if (held.size > 0) keepAlive ??= setInterval(reap, 10_000);
  else if (keepAlive) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

function reap(): void {
  for (const [pid, done] of waiting) {
    const code = reapIfExited(pid);
    if (code === undefined) continue;
    waiting.delete(pid);
    held.delete(pid);
    done(code);
  }
  holdLoop();
}

/**
 * Spawns `command`; `within` runs the spawn itself (the namespace window wraps it: the fds
 * are made before, outside the container's namespaces). Throws SpawnFailedError when the
 * command cannot be executed; nothing is left open then.
 */
export function spawnChild(
  command: string,
  args: string[],
  options: ChildOptions,
  within: (spawn: () => number) => number = (spawn) => spawn(),
): SpawnedChild {
  const child = childFds(command, args, options);
  let pid: number;
  try {
    pid = within(() => posixSpawn(child.request));
  } catch (err) {
    child.fail();
    throw err;
  } finally {
    child.closeTheirs();
  }
  return child.spawned(pid);
}

/**
 * spawnChild with the spawn itself done elsewhere (threadpool-window.ts: on a threadpool thread,
 * in the namespace window there), the caller's thread free meanwhile. The fds stay open
 * until `spawn` has settled.
 */
export async function spawnChildElsewhere(
  command: string,
  args: string[],
  options: ChildOptions,
  spawn: (request: PosixSpawnRequest) => Promise<number>,
): Promise<SpawnedChild> {
  const child = childFds(command, args, options);
  let pid: number;
  try {
    pid = await spawn(child.request);
  } catch (err) {
    child.fail();
    throw err;
  } finally {
    child.closeTheirs();
  }
  const spawned = child.spawned(pid);
  // A SIGCHLD that came while the spawn was awaited found no pid to reap: look now.
  reap();
  return spawned;
}

/** The fds of a child about to be spawned, our ends of its pipes, and its handle once it has a pid. */
function childFds(command: string, args: string[], options: ChildOptions) {
  // Before the spawn, so an exit at once is not missed.
  if (!listening) {
    process.on('SIGCHLD', reap);
    listening = true;
  }
  const ours: number[] = [];
  const pipes: (net.Socket | undefined)[] = [];
  const pipeFds: (number | undefined)[] = [];
  const fail = () => {
    for (const p of pipes) p?.destroy();
    for (const fd of pipeFds) if (fd !== undefined) fs.closeSync(fd);
  };
  const closeTheirs = () => {
    for (const fd of ours) fs.closeSync(fd);
  };
  let fds: number[];
  try {
    fds = options.stdio.map((s, i) => {
      if (typeof s === 'number') {
        // As libuv's child did: an fd 0-2 of ours handed over is made blocking. Node makes a pipe
        // it uses as its own stdin or stdout non-blocking (`echo x | stack exec app cat`), and
        // the child shares that open file description: its read() failed with EAGAIN.
        if (i <= 2) {
          // Node sets O_NONBLOCK on the pipe at its own fd 1 or 2 when it first makes
          // process.stdout or stderr: made now, not later while the child writes (a CLI
          // writes its `stack run` outcome there; the child's write() failed with EAGAIN).
          if (s === 1 && !ownStdioUnmade) void process.stdout;
          if (s === 2 && !ownStdioUnmade) void process.stderr;
          setBlocking(s);
        }
        return s;
      }
      if (s === 'ignore') return ours[ours.push(fs.openSync('/dev/null', 'r+')) - 1]!;
      const [mine, theirs] = socketPair();
      ours.push(theirs);
      if (options.rawPipes) pipeFds[i] = mine;
      else pipes[i] = new net.Socket({ fd: mine, readable: true, writable: true });
      return theirs;
    });
  } catch (err) {
    fail();
    closeTheirs();
    throw err;
  }
  const request: PosixSpawnRequest = {
    path: command,
    argv: [options.argv0 ?? command, ...args],
    env: options.env,
    fds,
    setsid: options.detached === true,
  };
  const spawned = (pid: number): SpawnedChild => {
    const exited = new Promise<number>((resolve) => waiting.set(pid, resolve));
    held.add(pid);
    holdLoop();
    return {
      pid,
      exited,
      pipes,
      pipeFds,
      kill(signal) {
        if (waiting.has(pid)) process.kill(pid, os.constants.signals[signal]);
      },
      unref() {
        held.delete(pid);
        holdLoop();
      },
    };
  };
  return { request, fail, closeTheirs, spawned };
}
