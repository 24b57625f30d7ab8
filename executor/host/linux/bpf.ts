// bpf(2) (libc.ts): load the cgroup v2 device program (device-program.ts) once per
// process and attach it to a container's cgroup. The attachment holds the program for as
// long as the group exists, so nothing else keeps an fd. bpf fds are always close-on-exec.

import fs from 'node:fs';
import { addressOf, bpf } from './libc.js';
import { SyscallError } from './syscall-error.js';
import { deviceProgram } from './device-program.js';
import { DEVICE_ALLOW, parseDeviceRule } from './device-rules.js';

const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;
// Programs of parent groups (systemd's, a container manager's) still run too.
const BPF_F_ALLOW_MULTI = 2;
const ATTR_SIZE = 128;

/** Loads `insns` as a device program; the verifier's log goes into the error when it refuses. */
export function loadDeviceProgram(insns: Buffer): number {
  const license = Buffer.from('GPL\0');
  const log = Buffer.alloc(16384);
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(BPF_PROG_TYPE_CGROUP_DEVICE, 0);
  attr.writeUInt32LE(insns.length / 8, 4);
  attr.writeBigUInt64LE(addressOf(insns), 8);
  attr.writeBigUInt64LE(addressOf(license), 16);
  attr.writeUInt32LE(1, 24); // log_level
  attr.writeUInt32LE(log.length, 28);
  attr.writeBigUInt64LE(addressOf(log), 32);
  attr.write('stk_devices', 48); // prog_name (16 bytes, NUL-terminated)
  try {
    return bpf(BPF_PROG_LOAD, attr, 'BPF_PROG_LOAD cgroup device program');
  } catch (err) {
    const verifier = log.toString('utf8', 0, Math.max(0, log.indexOf(0))).trim();
    if (verifier && err instanceof SyscallError)
      err.message += `; verifier: ${verifier.split('\n').slice(-3).join(' | ')}`;
    throw err;
  }
}

/** Attaches device program `progFd` to the cgroup v2 directory `dir`. */
export function attachDeviceProgram(dir: string, progFd: number): void {
  const cgroupFd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    const attr = Buffer.alloc(ATTR_SIZE);
    attr.writeUInt32LE(cgroupFd, 0);
    attr.writeUInt32LE(progFd, 4);
    attr.writeUInt32LE(BPF_CGROUP_DEVICE, 8);
    attr.writeUInt32LE(BPF_F_ALLOW_MULTI, 12);
    bpf(BPF_PROG_ATTACH, attr, `BPF_PROG_ATTACH ${dir}`);
  } finally {
    fs.closeSync(cgroupFd);
  }
}

let defaultProgram: number | undefined;

/**
 * Confines the group at `dir` to docker's default device list plus `extraRules` (its
 * `devices` and `device_cgroup_rules`; cgroup v2's devices controller). The default
 * program is loaded once per process; one with extra rules is the container's own, and
 * its fd is closed once attached (the attachment holds it).
 */
export function restrictDevices(dir: string, extraRules: string[] = []): void {
  if (extraRules.length === 0) {
    defaultProgram ??= loadDeviceProgram(deviceProgram(DEVICE_ALLOW.map(parseDeviceRule)));
    attachDeviceProgram(dir, defaultProgram);
    return;
  }
  const own = loadDeviceProgram(deviceProgram([...DEVICE_ALLOW, ...extraRules].map(parseDeviceRule)));
  try {
    attachDeviceProgram(dir, own);
  } finally {
    fs.closeSync(own);
  }
}
