// The supervisor's control socket. Requests from any number of CLI connections run one at
// a time (a second `up` waits for the first), each streaming its messages back.

import fs from 'node:fs';
import net from 'node:net';
import PQueue from 'p-queue';
import { lineReader, toWireError, type Message, type Request } from './protocol.js';
import { checkSocketPath } from './socket-path.js';

export type RequestHandler = (req: Request, send: (m: Message) => void) => Promise<'continue' | 'exit'>;

export interface ControlServer {
  close(): Promise<void>;
  /** Runs `task` in the request queue (never beside a request); 'exit' ends the supervisor as a request's would. */
  run(task: () => Promise<'continue' | 'exit'>): Promise<void>;
}

/**
 * Listens on `socketPath`. A socket file left by a dead supervisor is replaced; when a live
 * supervisor already answers there, resolves to undefined so this process can step aside.
 */
/**
 * A request served at once, beside the queue (a stream such as `events`, which lasts as
 * long as its connection): returns true when it took the request.
 */
export type ImmediateHandler = (req: Request, send: (m: Message) => void, conn: net.Socket) => boolean;

export async function listen(socketPath: string, handle: RequestHandler, onExitRequested: () => void, immediate?: ImmediateHandler): Promise<ControlServer | undefined> {
  checkSocketPath(socketPath);
  const queue = new PQueue({ concurrency: 1 });
  const server = net.createServer((conn) => {
    conn.on('error', () => {});
    const send = (m: Message) => {
      if (!conn.destroyed) conn.write(JSON.stringify(m) + '\n');
    };
    conn.on(
      'data',
      lineReader((value) => {
        if (immediate?.(value as Request, send, conn)) return;
        void queue.add(async () => {
          let next: 'continue' | 'exit' = 'continue';
          try {
            next = await handle(value as Request, send);
          } catch (err) {
            send({ type: 'error', error: toWireError(err) });
          }
          if (next === 'exit') {
            conn.end();
            onExitRequested();
          }
        });
      }),
    );
  });
  if (!(await tryListen(server, socketPath))) {
    if (await answers(socketPath)) return undefined;
    fs.rmSync(socketPath, { force: true });
    if (!(await tryListen(server, socketPath))) return undefined;
  }
  fs.chmodSync(socketPath, 0o600);
  return {
    close: () => new Promise((resolve) => server.close(() => resolve())),
    run: (task) => queue.add(async () => {
      if ((await task()) === 'exit') onExitRequested();
    }),
  };
}

function tryListen(server: net.Server, socketPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err));
    server.once('error', onError);
    server.listen(socketPath, () => {
      server.off('error', onError);
      resolve(true);
    });
  });
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect(socketPath, () => {
      conn.destroy();
      resolve(true);
    });
    conn.on('error', () => resolve(false));
  });
}
