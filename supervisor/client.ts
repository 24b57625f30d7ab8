// The CLI's side of the control socket: connect to the stack's supervisor, starting one
// (detached, so `up -d` can return) when none answers.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { paths } from '../store/paths.js';
import { makePrivateDirSync, openPrivateAppend } from '../store/private-files.js';
import { isSameProcess, readStartTime } from '../store/proc-stat.js';
import { lineReader, type Message, type Request } from './protocol.js';
import { bootOutputText, closeBootOutput, supervisorEnv, supervisorMain } from './launch.js';
import { childSupervisor, type EarlySupervisor, type SupervisorProcess } from './early-handle.js';
import { checkSocketPath } from './socket-path.js';
import { watchDirChanges } from './dir-changes.js';
import { runningSupervisor } from './supervisor-liveness.js';
import { SupervisorError } from './supervisor-error.js';
import { traceMark } from '../store/trace-marks.js';

export { SupervisorError };

export class SupervisorStartError extends Error {
  constructor(project: string, logTail: string) {
    super(`the supervisor of stack ${project} did not start${logTail ? `; its log says:\n${logTail}` : ''}`);
    this.name = 'SupervisorStartError';
  }
}

function connect(socketPath: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const conn = net.connect(checkSocketPath(socketPath), () => resolve(conn));
    conn.once('error', () => resolve(undefined));
  });
}

export async function connectSupervisor(project: string, opts: { start: boolean }): Promise<net.Socket | undefined> {
  const existing = (await connect(paths.socket(project))) ?? (await reachRunning(project));
  if (existing || !opts.start) return existing;
  return startSupervisor(project).connected;
}

/** How long to wait for a running supervisor to make its deleted socket again. */
const REMAKE_WAIT_MS = 3000;

/**
 * A supervisor that holds the stack's lock but does not answer had its socket deleted; it
 * makes it again at once (server.ts). Waits for that rather than start a second one.
 */
async function reachRunning(project: string): Promise<net.Socket | undefined> {
  for (
    const deadline = Date.now() + REMAKE_WAIT_MS;
    runningSupervisor(project) !== undefined && Date.now() < deadline;
  ) {
    await new Promise((r) => setTimeout(r, 10));
    const conn = await connect(paths.socket(project));
    if (conn) return conn;
  }
  return undefined;
}

/** How long a discarded supervisor gets to end its watchdog and exit before SIGKILL. */
const DISCARD_GRACE_MS = 2000;

/** A supervisor on its way up: `connected` once it serves; `discard` undoes the start. */
export interface StartingSupervisor {
  connected: Promise<net.Socket>;
  /**
   * Stops it and removes what its start made (its log, the stack's folder, its socket)
   * when its first plan finds that the stack cannot be applied: `up` then leaves the
   * host as it found it.
   */
  discard(): Promise<void>;
}

/**
 * Starts the stack's supervisor; `connected` once it serves. With `early` (launch.ts), one
 * already booting is told its project instead.
 */
export function startSupervisor(project: string, early?: EarlySupervisor): StartingSupervisor {
  const logFile = paths.supervisorLog(project);
  const stackDir = path.dirname(logFile);
  const made = {
    stackDir: !fs.existsSync(stackDir),
    runDir: !fs.existsSync(paths.runDir(project)),
    log: !fs.existsSync(logFile),
    socket: !fs.existsSync(paths.socket(project)),
  };
  makePrivateDirSync(stackDir);
  // The socket's folder, made as the supervisor makes it, before it can bind: the wait below
  // watches it (waitForSupervisor).
  makePrivateDirSync(paths.runDir(project));
  let proc: SupervisorProcess;
  if (early?.untold() && !early.exited()) {
    early.tell(project);
    proc = early;
    traceMark('cli: project told');
  } else {
    const out = openPrivateAppend(logFile);
    const child = spawn(process.execPath, [supervisorMain, project], {
      detached: true,
      stdio: ['ignore', out, out],
      cwd: '/',
      env: supervisorEnv(),
    });
    fs.closeSync(out);
    child.unref();
    proc = childSupervisor(child);
  }
  const connected = waitForSupervisor(project, logFile, () => proc.exited(), early && (() => bootOutputText(early)));
  connected.catch(() => {}); // a discarded start is never awaited
  if (early)
    void connected.then(
      () => closeBootOutput(early),
      () => closeBootOutput(early),
    );
  return {
    connected,
    async discard() {
      // SIGTERM: a supervisor that got as far as starting its watchdog ends it (a SIGKILL
      // would have the watchdog start another); one still booting dies of it at once.
      if (!proc.exited()) proc.kill('SIGTERM');
      const killLater = setTimeout(() => proc.kill('SIGKILL'), DISCARD_GRACE_MS);
      await proc.gone(); // keeps this process alive until the exit is seen
      clearTimeout(killLater);
      void connected.then(
        (conn) => conn.destroy(),
        () => {},
      );
      if (made.socket) fs.rmSync(paths.socket(project), { force: true });
      if (made.runDir) fs.rmSync(paths.runDir(project), { recursive: true, force: true });
      if (made.log) fs.rmSync(logFile, { force: true });
      if (made.stackDir) fs.rmSync(stackDir, { recursive: true, force: true });
    },
  };
}

/**
 * How often the CLI tries the socket of a supervisor it started while the socket is there
 * but refuses (bound, not yet listening). One started early by `up` is usually waiting for
 * its project already, and serves ~3 ms after it.
 */
const START_POLL_MS = 2;
/**
 * While there is no socket, the CLI tries again when its folder changes (dir-changes.ts), and
 * at the latest after this long: for a supervisor that died, or a change inotify did not tell.
 */
const START_WATCHED_POLL_MS = 50;
const START_WAIT_MS = 10_000;

async function waitForSupervisor(
  project: string,
  logFile: string,
  exited: () => boolean,
  bootOutput?: () => string,
): Promise<net.Socket> {
  const socket = paths.socket(project);
  const changes = watchDirChanges(path.dirname(socket));
  try {
    for (const deadline = Date.now() + START_WAIT_MS; Date.now() < deadline && !exited();) {
      const conn = await connect(socket);
      if (conn) return conn;
      await changes.next(fs.existsSync(socket) ? START_POLL_MS : START_WATCHED_POLL_MS);
    }
  } finally {
    changes.close();
  }
  // It may have stepped aside for a supervisor another CLI started at the same moment.
  const other = await connect(paths.socket(project));
  if (other) return other;
  // An early start that died before it learnt its project wrote only to its boot output.
  const boot = bootOutput?.() ?? '';
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  const tail = (boot + log).split('\n').slice(-5).join('\n');
  throw new SupervisorStartError(project, tail);
}

/**
 * Receives a request's plan and progress messages. `end`, if present, runs once the
 * request is over (done, error or a closed connection) and the request settles only after
 * it: a live display draws its last frame before the command goes on.
 */
export type MessageHandler = ((m: Message) => void) & { end?: () => Promise<void> };

/**
 * Sends one request; calls `onMessage` for each message; resolves at `done` with the
 * supervisor's pid, rejects at `error`.
 */
export function request(conn: net.Socket, req: Request, onMessage: MessageHandler): Promise<number> {
  return new Promise((resolve, reject) => {
    let finished = false;
    const finish = (settle: () => void) => {
      finished = true;
      if (onMessage.end) void onMessage.end().then(settle, settle);
      else settle();
    };
    conn.on(
      'data',
      lineReader((value) => {
        const m = value as Message;
        if (m.type === 'error') finish(() => reject(new SupervisorError(m.error)));
        else if (m.type === 'done') finish(() => resolve(m.pid));
        else onMessage(m);
      }),
    );
    conn.on('close', () => {
      if (!finished)
        finish(() =>
          reject(
            new Error(
              'the supervisor closed the connection before finishing; see its log (supervisor.log in the stack directory)',
            ),
          ),
        );
    });
    conn.write(JSON.stringify(withParallelLimit(req)) + '\n');
  });
}

/**
 * Waits (at most `ms`) until process `pid` is gone: a supervisor exits right after
 * answering `down`, and the command should not return while it still runs.
 */
export async function waitForExit(pid: number, ms = 5000): Promise<void> {
  const startTime = readStartTime(pid);
  for (const deadline = Date.now() + ms; isSameProcess(pid, startTime) && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The CLI's --parallel (copied into COMPOSE_PARALLEL_LIMIT when the command line is read,
 * and checked there) goes with every request that carries out a plan; -1 is no limit.
 */
function withParallelLimit(req: Request): Request {
  const limit = Number(process.env.COMPOSE_PARALLEL_LIMIT);
  if (!Number.isInteger(limit) || (limit < 1 && limit !== -1)) return req;
  if (req.op !== 'apply' && req.op !== 'down' && req.op !== 'lifecycle' && req.op !== 'containers') return req;
  return { ...req, parallel: limit === -1 ? Number.MAX_SAFE_INTEGER : limit };
}
