// Terminals for `stack exec -t`: a pty pair from the container's own devpts instance (the
// one its init mounted with newinstance), so the process inside sees /dev/pts/N as its tty.
// The master is opened through /proc/PID/root and checked to be a ptmx node before use:
// a path inside a container is the container's to change.

import fs from 'node:fs';
import { ioctlInt, ioctlPtr } from './libc.js';

const TIOCSPTLCK = 0x40045431;
const TIOCGPTPEER = 0x5441;
const TIOCSWINSZ = 0x5414;
/** makedev(5, 2): /dev/ptmx, and the ptmx node of every devpts instance. */
const PTMX_RDEV = (5 << 8) | 2;
const O_CLOEXEC = 0o2000000;

export interface Pty {
  master: number;
  slave: number;
}

export function openContainerPty(pid: number): Pty {
  const { O_RDWR, O_NOCTTY } = fs.constants;
  const master = fs.openSync(`/proc/${pid}/root/dev/pts/ptmx`, O_RDWR | O_NOCTTY);
  try {
    const st = fs.fstatSync(master);
    if (!st.isCharacterDevice() || st.rdev !== PTMX_RDEV)
      throw new Error(`/dev/pts/ptmx of process ${pid} is not a pty multiplexer`);
    const unlock = Buffer.alloc(4); // int 0: unlocked
    ioctlPtr(master, TIOCSPTLCK, unlock);
    // TIOCGPTPEER opens the slave from the master (Linux 4.13+): no path lookup at all.
    const slave = ioctlInt(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    return { master, slave };
  } catch (err) {
    fs.closeSync(master);
    throw err;
  }
}

export function setWindowSize(fd: number, columns: number, rows: number): void {
  const ws = Buffer.alloc(8);
  ws.writeUInt16LE(rows, 0);
  ws.writeUInt16LE(columns, 2);
  ioctlPtr(fd, TIOCSWINSZ, ws);
}
