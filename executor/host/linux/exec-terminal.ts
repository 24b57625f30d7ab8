// The host end of an exec'd process's terminal: copies the caller's input to the pty
// master and the master's output back, keeps the window size in step, and puts our own
// terminal in raw mode meanwhile (keys such as Ctrl-C then reach the process inside).

import fs from 'node:fs';
import type { ExecOptions } from '../../host.js';
import { setWindowSize } from './pty.js';

export interface TerminalBridge {
  /** Resolves once the process side of the terminal is closed and its output copied. */
  done: Promise<void>;
  /** Restores our terminal and closes the master. */
  close(): void;
}

export function bridgeTerminal(master: number, opts: ExecOptions): TerminalBridge {
  const ours = opts.stdio === 'inherit';
  const stdin = process.stdin;
  const stdout = process.stdout;
  const raw = ours && stdin.isTTY;
  const resize = () => {
    if (stdout.isTTY) setWindowSize(master, stdout.columns, stdout.rows);
  };
  if (ours) resize();
  if (raw) stdin.setRawMode(true);
  const onInput = (chunk: Buffer) => fs.write(master, chunk, () => {});
  if (ours) {
    stdin.on('data', onInput);
    stdin.resume();
    stdout.on('resize', resize);
  } else if (opts.stdio === 'pipe' && opts.input !== undefined) {
    fs.write(master, Buffer.from(opts.input), () => {});
  }
  // The stream owns the master from here: it closes it when it ends, fails or is destroyed.
  const reader = fs.createReadStream('', { fd: master });
  reader.on('data', (chunk) => {
    const data = chunk as Buffer;
    if (ours) stdout.write(data);
    else if (opts.stdio === 'pipe') opts.onOutput?.('stdout', data);
  });
  // EIO once every process holding the slave has closed it: the end of the output.
  let closed = false;
  // Once the master is closed its number may belong to another file: nothing writes after that.
  const release = () => {
    if (closed) return;
    closed = true;
    if (ours) {
      stdin.off('data', onInput);
      stdout.off('resize', resize);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
    }
  };
  const done = new Promise<void>((resolve) => {
    reader.on('error', () => resolve());
    reader.on('end', () => resolve());
  }).then(release);
  return {
    done,
    close() {
      release();
      reader.destroy();
    },
  };
}
