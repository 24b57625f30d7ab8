// The supervisor's control socket. Requests from any number of CLI connections run one at
// a time (a second `up` waits for the first), each streaming its messages back.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import PQueue from 'p-queue';
import { lineReader, toWireError, type Message, type Request } from './protocol.js';
import { checkSocketPath } from './socket-path.js';
import { releaseMemory } from './release-memory.js';

export type RequestHandler = (req: Request, send: (m: Message) => void) => Promise<'continue' | 'exit'>;

export interface ControlServer {
  close(): Promise<void>;
  /** The stack's run folder is about to go (`down`): a socket deleted now is not made again. */
  stopRemakingSocket(): void;
  /** Runs `task` in the request queue (never beside a request); 'exit' ends the supervisor as a request's would. */
  run(task: () => Promise<'continue' | 'exit'>): Promise<void>;
}

/**
 * A request served at once, beside the queue (a stream such as `events`, which lasts as
 * long as its connection): returns true when it took the request.
 */
export type ImmediateHandler = (req: Request, send: (m: Message) => void, conn: net.Socket) => boolean;

/**
 * Listens on `socketPath`. The caller holds the stack's supervisor lock
 * (supervisor-lock.ts): a socket file already there is a dead supervisor's, and is
 * replaced. One deleted while it serves is made again (the lock, not the file, says who
 * serves the stack: without its socket no command could reach it).
 */
export async function listen(
  socketPath: string,
  handle: RequestHandler,
  onExitRequested: () => void,
  immediate?: ImmediateHandler,
): Promise<ControlServer> {
  checkSocketPath(socketPath);
  const queue = new PQueue({ concurrency: 1 });
  const onConnection = (conn: net.Socket) => {
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
          // A request leaves garbage in the JS heap and freed memory in the threads' arenas (release-memory.ts).
          releaseMemory();
          if (next === 'exit') {
            conn.end();
            onExitRequested();
          }
        });
      }),
    );
  };
  let bound = await bind(socketPath, onConnection);
  let closing = false;
  let rebinding = false;
  const rebindIfGone = async () => {
    if (rebinding) return; // its own file's events; it checks again once bound
    rebinding = true;
    try {
      while (!closing && !isBound(socketPath, bound.ino) && fs.existsSync(path.dirname(socketPath))) {
        // Closed first: closing a unix socket server unlinks its path, whatever file is there
        // by then. Its connections stay served.
        bound.server.close();
        bound = await bind(socketPath, onConnection);
      }
    } catch {
      // the folder went meanwhile (`down`): nothing to serve
    } finally {
      rebinding = false;
    }
  };
  const watcher = fs.watch(path.dirname(socketPath), (_event, file) => {
    if (file === path.basename(socketPath)) void rebindIfGone();
  });
  watcher.on('error', () => {}); // the folder was removed: the stack is down
  return {
    stopRemakingSocket: () => {
      closing = true;
    },
    close: () => {
      closing = true;
      watcher.close();
      return new Promise((resolve) => bound.server.close(() => resolve()));
    },
    run: (task) =>
      queue.add(async () => {
        if ((await task()) === 'exit') onExitRequested();
      }),
  };
}

interface Bound {
  server: net.Server;
  /** The socket file's inode: a file of that name with another is not ours. */
  ino: number;
}

async function bind(socketPath: string, onConnection: (conn: net.Socket) => void): Promise<Bound> {
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return { server, ino: fs.statSync(socketPath).ino };
}

function isBound(socketPath: string, ino: number): boolean {
  try {
    return fs.statSync(socketPath).ino === ino;
  } catch {
    return false;
  }
}
