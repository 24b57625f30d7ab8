// libc through koffi for the supervisor and CLI: every wrapper checks the return value and
// throws SyscallError, so callers never see a bare -1. The init stage has its own small set
// (init/sys.ts: the mounts, pivot_root and capabilities only it needs), loaded from
// koffi's native binary directly because it runs as one bundled file.

import { SyscallError } from './syscall-error.js';
import { koffi } from './koffi.js';

const lib = koffi.load('libc.so.6');

export const CLONE = {
  NEWNS: 0x00020000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
  FS: 0x00000200,
} as const;

const c = {
  unshare: lib.func('int unshare(int flags)'),
  setns: lib.func('int setns(int fd, int nstype)'),
  fchdir: lib.func('int fchdir(int fd)'),
  chroot: lib.func('int chroot(const char *path)'),
  mount: lib.func(
    'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)',
  ),
  umount2: lib.func('int umount2(const char *target, int flags)'),
  dup2: lib.func('int dup2(int oldfd, int newfd)'),
  mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
  lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
  lgetxattr: lib.func('long lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)'),
  socket: lib.func('int socket(int domain, int type, int protocol)'),
  send: lib.func('long send(int fd, const uint8_t *buf, size_t len, int flags)'),
  recv: lib.func('long recv(int fd, _Out_ uint8_t *buf, size_t len, int flags)'),
  setsockopt: lib.func('int setsockopt(int fd, int level, int name, const uint8_t *val, uint32_t len)'),
  getsockopt: lib.func('int getsockopt(int fd, int level, int name, _Inout_ uint8_t *val, _Inout_ uint8_t *len)'),
  strerror: lib.func('const char *strerror(int errnum)'),
  if_nametoindex: lib.func('unsigned int if_nametoindex(const char *name)'),
  // ioctl is variadic; a fixed third argument (an integer or a pointer) is ABI-compatible.
  ioctlInt: lib.func('int ioctl(int fd, unsigned long request, long arg)'),
  ioctlPtr: lib.func('int ioctl(int fd, unsigned long request, const uint8_t *arg)'),
  flock: lib.func('int flock(int fd, int operation)'),
  memfd_create: lib.func('int memfd_create(const char *name, unsigned int flags)'),
  // syscall is variadic; fixed integer and pointer arguments are ABI-compatible on x86_64 and aarch64.
  bpf: lib.func('long syscall(long nr, int cmd, const uint8_t *attr, unsigned int size)'),
  // fcntl is variadic; a fixed int third argument is ABI-compatible.
  fcntl: lib.func('int fcntl(int fd, int cmd, int arg)'),
  fallocate: lib.func('int fallocate(int fd, int mode, int64_t offset, int64_t len)'),
  openat2: lib.func('long syscall(long nr, int dirfd, const char *path, const uint8_t *how, size_t size)'),
  _exit: lib.func('void _exit(int status)'),
};

function check(call: string, rc: number, args: unknown[]): void {
  if (rc < 0) throw new SyscallError(call, koffi.errno(), args);
}

export function unshare(flags: number): void {
  check('unshare', c.unshare(flags), [flags]);
}

export function setns(fd: number, nstype: number): void {
  check('setns', c.setns(fd, nstype), [fd, nstype]);
}

export function fchdir(fd: number): void {
  check('fchdir', c.fchdir(fd), [fd]);
}

export function chroot(path: string): void {
  check('chroot', c.chroot(path), [path]);
}

/** mount(2) on the host: only the shared /dev/shm of `ipc: shareable` (shared-shm.ts) is made here. */
export function mount(source: string, target: string, fstype: string, flags: number, data: string): void {
  check('mount', c.mount(source, target, fstype, flags, data), [source, target, fstype, flags, data]);
}

export function umount2(target: string, flags: number): void {
  check('umount2', c.umount2(target, flags), [target, flags]);
}

/** Creates a device node; `major`/`minor` encoded like glibc's makedev(). */
export function mknod(path: string, mode: number, major: number, minor: number): void {
  const dev = BigInt(((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12));
  check('mknod', c.mknod(path, mode, dev), [path, mode, major, minor]);
}

export function lsetxattr(path: string, name: string, value: string): void {
  const buf = Buffer.from(value);
  check('lsetxattr', c.lsetxattr(path, name, buf, buf.length, 0), [path, name, value]);
}

const ENODATA = 61;

/**
 * Where lgetxattr reads a value (the largest one Linux allows), made once: a COPY looks up
 * the opaque mark of every folder on the way in every layer, and a fresh zeroed 64 KiB per
 * call cost a one-file rebuild more than the calls themselves.
 */
const xattrScratch = Buffer.allocUnsafe(65536);

/** Reads an extended attribute without following a symlink; `null` when it is not set. */
export function lgetxattr(path: string, name: string): Buffer | null {
  const rc = Number(c.lgetxattr(path, name, xattrScratch, xattrScratch.length));
  if (rc < 0) {
    const errno = koffi.errno();
    if (errno === ENODATA) return null;
    throw new SyscallError('lgetxattr', errno, [path, name]);
  }
  return Buffer.from(xattrScratch.subarray(0, rc));
}

export const SOCK = { DGRAM: 2, RAW: 3, NONBLOCK: 0o4000, CLOEXEC: 0o2000000 } as const;

/** A socket fd; close it with fs.closeSync. */
export function socket(domain: number, type: number, protocol: number): number {
  const fd = c.socket(domain, type, protocol);
  check('socket', fd, [domain, type, protocol]);
  return fd;
}

export function send(fd: number, buf: Buffer): number {
  const n = Number(c.send(fd, buf, buf.length, 0));
  check('send', n, [fd, buf.length]);
  return n;
}

/** Reads one datagram into `buf`; returns its length. */
export function recv(fd: number, buf: Buffer): number {
  const n = Number(c.recv(fd, buf, buf.length, 0));
  check('recv', n, [fd, buf.length]);
  return n;
}

/**
 * recv on a non-blocking socket that returns -1 when nothing is queued (EAGAIN) instead of
 * throwing: a caller that reads until the queue is empty meets that every time, and a
 * SyscallError costs a stack trace (and the errno names' table the first time).
 */
export function recvQueued(fd: number, buf: Buffer): number {
  const n = Number(c.recv(fd, buf, buf.length, 0));
  if (n < 0 && koffi.errno() === EWOULDBLOCK) return -1;
  check('recv', n, [fd, buf.length]);
  return n;
}

/**
 * send(2) on a libuv threadpool thread, for requests the kernel is slow to carry out inside
 * the call (a netlink link deletion takes ~30 ms): the event loop keeps running meanwhile.
 * koffi hands the callback the errno of the worker's call.
 */
export function sendAsync(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    c.send.async(fd, buf, buf.length, 0, (err: unknown, res: number | bigint) => {
      if (err) return reject(err);
      const n = Number(res);
      if (n < 0) reject(new SyscallError('send', koffi.errno(), [fd, buf.length]));
      else resolve(n);
    });
  });
}

/** Points `target` (e.g. 1, stdout) at the file open as `fd`. */
export function dup2(fd: number, target: number): void {
  check('dup2', c.dup2(fd, target), [fd, target]);
}

/** setsockopt(2) with an int option value. */
export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  const buf = Buffer.alloc(4);
  buf.writeInt32LE(value);
  check('setsockopt', c.setsockopt(fd, level, name, buf, 4), [fd, level, name, value]);
}

/** getsockopt(2) into `val` (which also carries the request, as iptables' options take it); returns the length the kernel wrote. */
export function getsockopt(fd: number, level: number, name: number, val: Buffer): number {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(val.length);
  check('getsockopt', c.getsockopt(fd, level, name, val, len), [fd, level, name, val.length]);
  return len.readUInt32LE(0);
}

/** The C library's text for an errno ("File exists"), for messages users can search. */
export function strerror(errno: number): string {
  return c.strerror(errno) as string;
}

/**
 * Index of link `name` in the calling thread's netns (an ioctl: ~10x cheaper than an
 * RTM_GETLINK, whose reply the kernel fills with every attribute of the link).
 */
export function ifNameToIndex(name: string): number {
  const index = c.if_nametoindex(name) as number;
  if (index === 0) throw new SyscallError('if_nametoindex', koffi.errno(), [name]);
  return index;
}

/** ioctl with an integer argument; returns the call's result (some requests return an fd). */
export function ioctlInt(fd: number, request: number, arg: number): number {
  const rc = c.ioctlInt(fd, request, arg);
  check('ioctl', rc, [fd, request, arg]);
  return rc;
}

/** ioctl with a pointer to `arg` (read by the kernel). */
export function ioctlPtr(fd: number, request: number, arg: Buffer): void {
  check('ioctl', c.ioctlPtr(fd, request, arg), [fd, request]);
}

export const LOCK = { EX: 2, NB: 4, UN: 8 } as const;
const EWOULDBLOCK = 11;

/** flock(2) without blocking: true when taken, false when another open file holds it. */
export function tryFlock(fd: number, operation: number): boolean {
  const rc = c.flock(fd, operation | LOCK.NB) as number;
  if (rc === 0) return true;
  const errno = koffi.errno();
  if (errno === EWOULDBLOCK) return false;
  throw new SyscallError('flock', errno, [fd, operation]);
}

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const EBADF = 9;

/**
 * Sets FD_CLOEXEC on `fd`, for fds a library opened without it (children would inherit
 * them). False when `fd` is not open (any more).
 */
export function setCloseOnExec(fd: number): boolean {
  const flags = c.fcntl(fd, F_GETFD, 0) as number;
  if (flags < 0 && koffi.errno() === EBADF) return false;
  check('fcntl', flags, [fd, 'F_GETFD']);
  check('fcntl', c.fcntl(fd, F_SETFD, flags | FD_CLOEXEC), [fd, 'F_SETFD']);
  return true;
}

/** Whether `fd` is close-on-exec; undefined when it is not open (any more). One fcntl, no /proc read. */
/** _exit(2): the process ends here, without atexit handlers, stdio flushes or Node's teardown. */
export function exitProcessNow(status: number): never {
  c._exit(status);
  throw new Error('_exit returned'); // never reached
}

export function isCloseOnExecFd(fd: number): boolean | undefined {
  const flags = c.fcntl(fd, F_GETFD, 0) as number;
  if (flags < 0 && koffi.errno() === EBADF) return undefined;
  check('fcntl', flags, [fd, 'F_GETFD']);
  return (flags & FD_CLOEXEC) !== 0;
}

const F_DUPFD_CLOEXEC = 1030;

/** A close-on-exec copy of `fd` at the lowest free number ≥ `min` (EMFILE when there is none). */
export function dupAtLeast(fd: number, min: number): number {
  const copy = c.fcntl(fd, F_DUPFD_CLOEXEC, min) as number;
  check('fcntl', copy, [fd, 'F_DUPFD_CLOEXEC', min]);
  return copy;
}

const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

/** Clears O_NONBLOCK on `fd`'s open file description (shared by every fd and process that holds it). */
export function setBlocking(fd: number): void {
  const flags = c.fcntl(fd, F_GETFL, 0) as number;
  check('fcntl', flags, [fd, 'F_GETFL']);
  if (flags & O_NONBLOCK) check('fcntl', c.fcntl(fd, F_SETFL, flags & ~O_NONBLOCK), [fd, 'F_SETFL']);
}

export const MFD = { CLOEXEC: 0x1, ALLOW_SEALING: 0x2, EXEC: 0x10 } as const;

/** An anonymous file in memory (close it with fs.closeSync); its name shows in /proc/PID/exe and maps. */
/** FALLOC_FL_COLLAPSE_RANGE: removes [offset, offset + len) from the file, the rest moving down (ext4, xfs). */
export function collapseRange(fd: number, offset: number, len: number): void {
  check('fallocate', c.fallocate(fd, 0x08, offset, len), [fd, 'FALLOC_FL_COLLAPSE_RANGE', offset, len]);
}

export function memfdCreate(name: string, flags: number): number {
  const fd = c.memfd_create(name, flags) as number;
  check('memfd_create', fd, [name, flags]);
  return fd;
}

export const F_SEAL = { SEAL: 0x1, SHRINK: 0x2, GROW: 0x4, WRITE: 0x8 } as const;
const F_ADD_SEALS = 1033;

/** fcntl(F_ADD_SEALS) on a memfd made with MFD.ALLOW_SEALING. */
export function addSeals(fd: number, seals: number): void {
  check('fcntl', c.fcntl(fd, F_ADD_SEALS, seals), [fd, 'F_ADD_SEALS', seals]);
}

const SYS_BPF = process.arch === 'arm64' ? 280 : 321;

/** bpf(2) with `attr` (a union bpf_attr, zero-padded); `what` names the request in errors. */
export function bpf(cmd: number, attr: Buffer, what: string): number {
  const rc = Number(c.bpf(SYS_BPF, cmd, attr, attr.length));
  check('bpf', rc, [what]);
  return rc;
}

/** The address of `buf`'s memory, for pointers inside structs handed to the kernel. */
export const addressOf = (buf: Buffer): bigint => koffi.address(buf);

/** openat2(2)'s resolve flags (linux/openat2.h). */
export const RESOLVE = { NO_XDEV: 0x01, NO_MAGICLINKS: 0x02, NO_SYMLINKS: 0x04, BENEATH: 0x08, IN_ROOT: 0x10 } as const;
const SYS_OPENAT2 = 437; // the same number on x86_64 and aarch64

/** openat2(2): `path` resolved under `dirfd` as `resolve` says (RESOLVE.IN_ROOT: as if it were `/`). */
export function openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
  const how = Buffer.alloc(24); // struct open_how { u64 flags, mode, resolve; }
  how.writeBigUInt64LE(BigInt(flags), 0);
  how.writeBigUInt64LE(BigInt(mode), 8);
  how.writeBigUInt64LE(BigInt(resolve), 16);
  for (let attempt = 0; ; attempt++) {
    const rc = Number(c.openat2(SYS_OPENAT2, dirfd, path, how, how.length));
    // EAGAIN: a rename elsewhere raced the walk (RESOLVE_IN_ROOT/BENEATH); the kernel asks for a retry.
    if (rc < 0 && koffi.errno() === 11 && attempt < 100) continue;
    check('openat2', rc, [path]);
    return rc;
  }
}
