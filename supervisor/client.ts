// The CLI's side of the control socket: connect to the stack's supervisor, starting one
// (detached, so `up -d` can return) when none answers.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { paths } from '../executor/host/linux/paths.js';
import { isSameProcess, readStartTime } from '../executor/host/linux/proc-stat.js';
import { lineReader, type Message, type Request, type WireError } from './protocol.js';

/**
 * The supervisor as one bundled file (scripts/bundle-cli.mjs), from dist/supervisor/: it
 * starts ~40 ms faster than dist/supervisor/main.js with its ~40 modules.
 */
const supervisorMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bundle/supervisor.js');

/**
 * The supervisor's environment: ours, except NODE_EXTRA_CA_CERTS, which costs ~35 ms at
 * every node start (node parses the whole CA file before running any code) while the
 * supervisor makes no TLS connections today. It is passed on as STACK_EXTRA_CA_CERTS
 * instead: whatever later makes TLS connections in the supervisor (image pulls) must load
 * that file itself (e.g. `tls.rootCertificates` plus its contents as the `ca` option).
 */
function supervisorEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env.NODE_EXTRA_CA_CERTS !== undefined) {
    env.STACK_EXTRA_CA_CERTS ??= env.NODE_EXTRA_CA_CERTS;
    delete env.NODE_EXTRA_CA_CERTS;
  }
  return env;
}

export class SupervisorError extends Error {
  readonly wire: WireError;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    this.wire = wire;
  }
}

export class SupervisorStartError extends Error {
  constructor(project: string, logTail: string) {
    super(`the supervisor of stack ${project} did not start${logTail ? `; its log says:\n${logTail}` : ''}`);
    this.name = 'SupervisorStartError';
  }
}

function connect(socketPath: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const conn = net.connect(socketPath, () => resolve(conn));
    conn.once('error', () => resolve(undefined));
  });
}

export async function connectSupervisor(project: string, opts: { start: boolean }): Promise<net.Socket | undefined> {
  const existing = await connect(paths.socket(project));
  if (existing || !opts.start) return existing;
  return startSupervisor(project).connected;
}

/** A supervisor on its way up: `connected` once it serves; `discard` undoes the start. */
export interface StartingSupervisor {
  connected: Promise<net.Socket>;
  /**
   * Stops it and removes what its start made (its log, the stack's folder, its socket)
   * when the CLI finds, while it boots, that the stack cannot be applied: `up` then
   * leaves the host as it found it.
   */
  discard(): Promise<void>;
}

/**
 * Starts the stack's supervisor without waiting for it: `up` plans its dry run while the
 * supervisor boots (~50 ms of Node start and module loading, otherwise in series).
 */
export function startSupervisor(project: string): StartingSupervisor {
  const logFile = paths.supervisorLog(project);
  const stackDir = path.dirname(logFile);
  const made = { stackDir: !fs.existsSync(stackDir), log: !fs.existsSync(logFile), socket: !fs.existsSync(paths.socket(project)) };
  fs.mkdirSync(stackDir, { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [supervisorMain, project], {
    detached: true,
    stdio: ['ignore', out, out],
    cwd: '/',
    env: supervisorEnv(),
  });
  fs.closeSync(out);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  child.unref();
  const connected = waitForSupervisor(project, logFile, () => exited);
  connected.catch(() => {}); // a discarded start is never awaited
  return {
    connected,
    async discard() {
      child.ref(); // keep this process alive until the exit is seen
      if (!exited) child.kill('SIGKILL');
      await exit;
      void connected.then((conn) => conn.destroy(), () => {});
      if (made.socket) fs.rmSync(paths.socket(project), { force: true });
      if (made.log) fs.rmSync(logFile, { force: true });
      if (made.stackDir) fs.rmSync(stackDir, { recursive: true, force: true });
    },
  };
}

async function waitForSupervisor(project: string, logFile: string, exited: () => boolean): Promise<net.Socket> {
  for (let waited = 0; waited < 10_000 && !exited(); waited += 10) {
    const conn = await connect(paths.socket(project));
    if (conn) return conn;
    await new Promise((r) => setTimeout(r, 10));
  }
  // It may have stepped aside for a supervisor another CLI started at the same moment.
  const other = await connect(paths.socket(project));
  if (other) return other;
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-5).join('\n') : '';
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
      if (!finished) finish(() => reject(new Error('the supervisor closed the connection before finishing; see its log (supervisor.log in the stack directory)')));
    });
    conn.write(JSON.stringify(req) + '\n');
  });
}

/**
 * Waits (at most `ms`) until process `pid` is gone: a supervisor exits right after
 * answering `down`, and the command should not return while it still runs.
 */
export async function waitForExit(pid: number, ms = 5000): Promise<void> {
  const startTime = readStartTime(pid);
  for (const deadline = Date.now() + ms; isSameProcess(pid, startTime) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 5));
  }
}
