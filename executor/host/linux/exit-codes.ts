// Exit codes of processes this supervisor is not the parent of: containers a previous
// supervisor spawned. Only a parent can wait for a child, and the host's init reaps those
// orphans, but the kernel's taskstats interface (generic netlink, CONFIG_TASKSTATS, on in
// Debian's, Ubuntu's and Fedora's kernels) sends a record with the exit status of every
// task that exits on the CPUs a listener registered for. The supervisor registers once it
// adopts a container, keeps the records of the pids it watches and drops the rest.

import { readFileSync } from 'node:fs';
import { recv, setsockoptInt } from './libc.js';
import { NetlinkSocket, parseAttrs, strAttr } from './netlink.js';
import { SyscallError } from './syscall-error.js';

const NETLINK_GENERIC = 16;
const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const TASKSTATS_CMD_GET = 1;
const TASKSTATS_CMD_NEW = 2;
const TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 3;
const TASKSTATS_TYPE_PID = 1;
const TASKSTATS_TYPE_STATS = 3;
const TASKSTATS_TYPE_AGGR_PID = 4;
/** struct taskstats: u16 version, then (aligned) u32 ac_exitcode, the wait status. */
const AC_EXITCODE_OFFSET = 4;
const SOL_SOCKET = 1;
const SO_RCVBUFFORCE = 33;
const HDR = 16;

/** genlmsghdr: command, version, reserved. */
function genl(cmd: number, ...attrs: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([cmd, 1, 0, 0]), ...attrs]);
}

/** A wait status as a shell and docker report it: the exit code, or 128 + the signal. */
export function exitCodeOfStatus(status: number): number {
  const signal = status & 0x7f;
  return signal !== 0 ? 128 + signal : (status >> 8) & 0xff;
}

export class ExitCodeListener {
  private readonly codes = new Map<number, number>();
  private readonly watched = new Set<number>();
  private readonly buf = Buffer.alloc(65536);

  private constructor(
    private readonly sock: NetlinkSocket,
    private readonly family: number,
  ) {}

  /** Registers for the exit records of every CPU; undefined where the kernel has no taskstats. */
  static open(): ExitCodeListener | undefined {
    let sock: NetlinkSocket | undefined;
    try {
      sock = NetlinkSocket.open(NETLINK_GENERIC);
      // Room for every exit on a busy host between two reads (the supervisor reads 4×/s).
      setsockoptInt(sock.fd, SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20);
      const [reply] = sock.request(
        'CTRL_CMD_GETFAMILY TASKSTATS',
        GENL_ID_CTRL,
        0,
        genl(CTRL_CMD_GETFAMILY, strAttr(CTRL_ATTR_FAMILY_NAME, 'TASKSTATS')),
      );
      const id = reply && parseAttrs(reply.payload, 4).get(CTRL_ATTR_FAMILY_ID);
      if (!id) throw new Error('no TASKSTATS family');
      const family = id.readUInt16LE(0);
      const cpus = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
      sock.request(
        'TASKSTATS_CMD_GET register',
        family,
        0,
        genl(TASKSTATS_CMD_GET, strAttr(TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, cpus)),
      );
      return new ExitCodeListener(sock, family);
    } catch {
      sock?.close();
      return undefined;
    }
  }

  watch(pid: number): void {
    this.watched.add(pid);
  }

  /** The exit code of a watched pid, if a drain has read its record (then forgotten). */
  take(pid: number): number | undefined {
    this.watched.delete(pid);
    const code = this.codes.get(pid);
    this.codes.delete(pid);
    return code;
  }

  /** Reads every queued record, keeping those of watched pids; call it often. */
  drain(): void {
    for (;;) {
      let n: number;
      try {
        n = recv(this.sock.fd, this.buf);
      } catch (e) {
        // EAGAIN: nothing more; ENOBUFS: records were lost to a full buffer, read on.
        if (e instanceof SyscallError && e.code === 'ENOBUFS') continue;
        return;
      }
      if (n <= 0) return;
      this.parse(this.buf.subarray(0, n));
    }
  }

  private parse(buf: Buffer): void {
    for (let off = 0; off + HDR <= buf.length;) {
      const len = buf.readUInt32LE(off);
      if (len < HDR || off + len > buf.length) return;
      if (buf.readUInt16LE(off + 4) === this.family && buf[off + HDR] === TASKSTATS_CMD_NEW) {
        const aggr = parseAttrs(buf.subarray(off + HDR, off + len), 4).get(TASKSTATS_TYPE_AGGR_PID);
        const fields = aggr && parseAttrs(aggr);
        const pid = fields?.get(TASKSTATS_TYPE_PID)?.readUInt32LE(0);
        const stats = fields?.get(TASKSTATS_TYPE_STATS);
        if (pid !== undefined && stats && this.watched.has(pid))
          this.codes.set(pid, exitCodeOfStatus(stats.readUInt32LE(AC_EXITCODE_OFFSET)));
      }
      off += (len + 3) & ~3;
    }
  }

  close(): void {
    this.sock.close();
  }
}
