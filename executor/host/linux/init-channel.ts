// The supervisor's end of the init stage's two pipes: fd 3 carries the one "go" byte to the
// init stage, fd 4 brings back JSON status lines ("ready", or an error naming the step).
// fd 4 is close-on-exec in the init stage, so its EOF means the container's command runs.
// InitChannel reads them as sockets of the event loop; a CLI that hosts its one container
// reads them as plain fds instead (init-channel-fds.ts), without node:net.

import type { Readable, Writable } from 'node:stream';
import type { InitStatus } from './init/config.js';

/** What the caller of a spawn does with the two pipes, whichever end reads them. */
export interface InitStatusChannel {
  /** The next status line, or undefined once the pipe reached EOF. */
  next(): Promise<InitStatus | undefined>;
  /** Lets the init stage go on to execve. */
  release(): void;
  /** Drops both pipes (they hold a reference to the container's network namespace). */
  close(): void;
}

/** The status lines as they arrive, split and parsed, until EOF. */
export class StatusLines {
  private readonly queue: InitStatus[] = [];
  private eof = false;
  private waiters: (() => void)[] = [];
  private buf = '';

  add(chunk: string): void {
    this.buf += chunk;
    for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, i).trim();
      this.buf = this.buf.slice(i + 1);
      if (line !== '') this.queue.push(parse(line));
    }
    this.wake();
  }

  end(): void {
    this.eof = true;
    this.wake();
  }

  async next(): Promise<InitStatus | undefined> {
    while (this.queue.length === 0 && !this.eof) await new Promise<void>((r) => this.waiters.push(r));
    return this.queue.shift();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}

export class InitChannel implements InitStatusChannel {
  private readonly lines = new StatusLines();
  constructor(
    private readonly go: Writable,
    private readonly status: Readable,
  ) {
    // EPIPE on the go pipe means the init stage died: its exit and status tell why.
    this.go.on('error', () => {});
    this.status.setEncoding('utf8');
    this.status.on('data', (chunk: string) => this.lines.add(chunk));
    const end = () => this.lines.end();
    this.status.on('end', end);
    this.status.on('close', end);
    this.status.on('error', end);
  }

  next(): Promise<InitStatus | undefined> {
    return this.lines.next();
  }

  release(): void {
    this.go.end(Buffer.from('g'));
  }

  close(): void {
    this.go.destroy();
    this.status.destroy();
  }
}

function parse(line: string): InitStatus {
  try {
    return JSON.parse(line) as InitStatus;
  } catch {
    return { event: 'error', step: 'unknown', message: line };
  }
}
