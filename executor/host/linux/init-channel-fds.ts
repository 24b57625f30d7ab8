// The init stage's two pipes as plain fds (init-channel.ts says what they carry), for a CLI
// that hosts its one container (`stack run` attached): net.Sockets for them, with
// Node's stdout and stderr left unmade (spawned-child.ts leaveOwnStdioUnmade), were what loaded
// node:net in a one-shot `stack run`, ~2 ms of CPU with its stream modules and ~1 ms for the
// sockets. The status pipe is read on the thread pool, a read that blocks one of its threads
// until the stage writes or reaches EOF (its exec, or its death): fine for a CLI with one
// container, not for a supervisor starting many at once, which keeps InitChannel.

import fs from 'node:fs';
import { StatusLines, type InitStatusChannel } from './init-channel.js';
import type { InitStatus } from './init/config.js';

export class FdInitChannel implements InitStatusChannel {
  private readonly lines = new StatusLines();
  private readonly decoder = new TextDecoder();
  private readonly chunk = Buffer.alloc(4096);
  private go: number | undefined;
  private closing = false;
  /**
   * At exit libuv joins its thread pool, so a read still waiting there would hold the exit,
   * while the stage it waits on waits for its go byte: closing the go pipe ends the stage
   * (EOF instead of the byte), and with it the read.
   */
  private readonly dropGoAtExit = () => this.dropGo();

  constructor(go: number, status: number) {
    this.go = go;
    process.once('exit', this.dropGoAtExit);
    this.read(status);
  }

  next(): Promise<InitStatus | undefined> {
    return this.lines.next();
  }

  release(): void {
    try {
      if (this.go !== undefined) fs.writeSync(this.go, 'g');
    } catch {
      // EPIPE: the init stage died; its exit and status tell why.
    }
    this.dropGo();
  }

  close(): void {
    this.dropGo();
    // The status fd is closed once its pending read returns: closed under it, its number could
    // be another file's by the time the read is issued again.
    this.closing = true;
  }

  private read(status: number): void {
    fs.read(status, this.chunk, 0, this.chunk.length, null, (err, n) => {
      if (!err && n > 0 && !this.closing) {
        this.lines.add(this.decoder.decode(this.chunk.subarray(0, n), { stream: true }));
        this.read(status);
        return;
      }
      fs.closeSync(status);
      this.lines.end();
    });
  }

  private dropGo(): void {
    if (this.go === undefined) return;
    fs.closeSync(this.go);
    this.go = undefined;
    process.off('exit', this.dropGoAtExit);
  }
}
