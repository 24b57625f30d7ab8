// The init stage's own libc bindings. It loads koffi's native `.node` file directly (the
// supervisor passes its absolute path): the koffi package's JS front costs ~6 ms of start,
// the binary alone ~1 ms. Wrappers throw InitSysError with the call and errno name, which
// the init stage reports to the supervisor as "<step>: <call> failed: EINVAL".

import fs from 'node:fs';
import os from 'node:os';

type Koffi = typeof import('koffi');

export class InitSysError extends Error {
  readonly code: string;
  readonly errno: number;
  constructor(call: string, errno: number, detail: string) {
    const code = errnoName(errno);
    super(`${call}(${detail}) failed: ${code}`);
    this.code = code;
    this.errno = errno;
  }
}

function errnoName(errno: number): string {
  for (const [name, num] of Object.entries(os.constants.errno)) if (num === errno) return name;
  return `errno ${errno}`;
}

export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  REMOUNT: 32,
  BIND: 4096,
  REC: 16384,
  PRIVATE: 1 << 18,
  STRICTATIME: 1 << 24,
} as const;

export const CLONE_NEWCGROUP = 0x02000000;
const MNT_DETACH = 2;
const F_SETFD = 2;
const F_SETFL = 4;
const PR_CAPBSET_DROP = 24;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_CAP_AMBIENT = 47;
const PR_CAP_AMBIENT_CLEAR_ALL = 4;
const PR_SET_SECCOMP = 22;
const PR_SET_DUMPABLE = 4;
const SECCOMP_MODE_FILTER = 2;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;
const SYS_PIVOT_ROOT: Record<string, number> = { x64: 155, arm64: 41 };
/** The same number on every architecture (added after the syscall tables were unified). */
const SYS_CLOSE_RANGE = 436;
const CLOSE_RANGE_CLOEXEC = 1 << 2;

export type Sys = ReturnType<typeof loadSys>;

let loaded: Koffi | undefined;

/** koffi's native module, loaded once (the init and exec stages share it). */
export function loadKoffi(nativePath: string): Koffi {
  if (loaded) return loaded;
  const mod = { exports: {} as Koffi };
  process.dlopen(mod, nativePath);
  loaded = mod.exports;
  return loaded;
}

/** Throws InitSysError with the errno when a libc call returned a negative value. */
export function checkCall(koffi: Koffi, call: string, rc: number | bigint, detail: string): void {
  if (Number(rc) < 0) throw new InitSysError(call, koffi.errno(), detail);
}

export function loadSys(nativePath: string) {
  const koffi = loadKoffi(nativePath);
  const lib = koffi.load('libc.so.6');
  // prctl and syscall are variadic in C; declaring fixed integer/pointer arguments is
  // ABI-compatible on x86_64 and aarch64 Linux and avoids koffi's per-call type list.
  const c = {
    mount: lib.func(
      'int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)',
    ),
    umount2: lib.func('int umount2(const char *target, int flags)'),
    mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
    sethostname: lib.func('int sethostname(const char *name, size_t len)'),
    setdomainname: lib.func('int setdomainname(const char *name, size_t len)'),
    pivotRoot: lib.func('long syscall(long nr, const char *newRoot, const char *putOld)'),
    closeRange: lib.func('long syscall(long nr, unsigned int first, unsigned int last, unsigned int flags)'),
    unshare: lib.func('int unshare(int flags)'),
    prctl: lib.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)'),
    capset: lib.func('int capset(void *hdr, void *data)'),
    fcntl: lib.func('int fcntl(int fd, int cmd, int arg)'),
    execve: lib.func('int execve(const char *path, const char **argv, const char **envp)'),
    prctlPtr: lib.func('int prctl(int option, unsigned long a2, uint64_t a3, unsigned long a4, unsigned long a5)'),
    prlimit: lib.func('int prlimit(int pid, int resource, const uint64_t *newLimit, void *oldLimit)'),
  };
  const check = (call: string, rc: number | bigint, detail: string) => checkCall(koffi, call, rc, detail);

  return {
    mount(src: string | null, target: string, fstype: string | null, flags: number, data: string | null = null): void {
      check(
        'mount',
        c.mount(src, target, fstype, flags, data),
        [src, target, fstype, data].map((a) => JSON.stringify(a)).join(', '),
      );
    },
    umount2(target: string): void {
      check('umount2', c.umount2(target, MNT_DETACH), JSON.stringify(target));
    },
    /** Character device node; dev encoded like glibc's makedev(). */
    mkchar(path: string, major: number, minor: number): void {
      const dev = BigInt(((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12));
      check('mknod', c.mknod(path, 0o020000 | 0o666, dev), JSON.stringify(path));
    },
    /** A node like an existing one: `mode` and `rdev` as fs.statSync reports them. */
    mknodDev(path: string, mode: number, rdev: number): void {
      check('mknod', c.mknod(path, mode, BigInt(rdev)), JSON.stringify(path));
    },
    sethostname(name: string): void {
      check('sethostname', c.sethostname(name, Buffer.byteLength(name)), JSON.stringify(name));
    },
    setdomainname(name: string): void {
      check('setdomainname', c.setdomainname(name, Buffer.byteLength(name)), JSON.stringify(name));
    },
    pivotRoot(newRoot: string, putOld: string): void {
      const nr = SYS_PIVOT_ROOT[process.arch];
      if (nr === undefined) throw new Error(`pivot_root: unsupported architecture ${process.arch}`);
      check('pivot_root', c.pivotRoot(nr, newRoot, putOld), `${JSON.stringify(newRoot)}, ${JSON.stringify(putOld)}`);
    },
    unshare(flags: number): void {
      check('unshare', c.unshare(flags), String(flags));
    },
    dropBoundingCap(cap: number): void {
      check('prctl', c.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), `PR_CAPBSET_DROP, ${cap}`);
    },
    clearAmbientCaps(): void {
      check('prctl', c.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), 'PR_CAP_AMBIENT_CLEAR_ALL');
    },
    /**
     * Non-dumpable until execve (which makes the command dumpable again): no process of the
     * container may open this one's /proc/PID/exe (the host's node), root, cwd, fd or mem,
     * whatever capabilities it is left with (CVE-2019-5736).
     */
    setNotDumpable(): void {
      check('prctl', c.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 'PR_SET_DUMPABLE, 0');
    },
    setNoNewPrivs(): void {
      check('prctl', c.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 'PR_SET_NO_NEW_PRIVS');
    },
    /** capset(2) for this thread: 64-bit masks split into the two 32-bit data words. */
    capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
      const hdr = Buffer.alloc(8);
      hdr.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0);
      const data = Buffer.alloc(24);
      for (let i = 0; i < 2; i++) {
        const word = (m: bigint) => Number((m >> BigInt(32 * i)) & 0xffffffffn);
        data.writeUInt32LE(word(effective), 12 * i);
        data.writeUInt32LE(word(permitted), 12 * i + 4);
        data.writeUInt32LE(word(inheritable), 12 * i + 8);
      }
      check('capset', c.capset(hdr, data), 'v3');
    },
    /** Installs a classic BPF seccomp filter (`struct sock_filter` entries) on this thread; execve keeps it. */
    seccompFilter(filter: Buffer): void {
      const fprog = Buffer.alloc(16); // struct sock_fprog { u16 len; (pad); struct sock_filter *filter; }
      fprog.writeUInt16LE(filter.length / 8, 0);
      fprog.writeBigUInt64LE(koffi.address(filter), 8);
      check('prctl', c.prctlPtr(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, koffi.address(fprog), 0, 0), 'PR_SET_SECCOMP');
    },
    /** setrlimit of this process (soft, hard); -1 = unlimited. */
    setrlimit(resource: number, soft: number, hard: number): void {
      const lim = (n: number) => (n < 0 ? 0xffffffffffffffffn : BigInt(n));
      check('prlimit', c.prlimit(0, resource, [lim(soft), lim(hard)], null), `${resource}, ${soft}, ${hard}`);
    },
    /** Clears O_NONBLOCK (and the other status flags) so reads on `fd` block. */
    setBlocking(fd: number): void {
      check('fcntl', c.fcntl(fd, F_SETFL, 0), `${fd}, F_SETFL`);
    },
    /** FD_CLOEXEC on (true) or off (false). */
    setCloexec(fd: number, on: boolean): void {
      check('fcntl', c.fcntl(fd, F_SETFD, on ? 1 : 0), `${fd}, F_SETFD`);
    },
    /**
     * Only 0, 1 and 2 cross execve. Node marks every fd close-on-exec at start-up, stdio
     * included, but not the fds it was given: whatever the spawning process left open. So
     * every fd from 3 up becomes close-on-exec (marked, not closed: Node needs its own until
     * then, and the status fd reports a failing execve), and stdio stops being so.
     */
    onlyStdioAcrossExec(): void {
      if (c.closeRange(SYS_CLOSE_RANGE, 3, 0xffffffff, CLOSE_RANGE_CLOEXEC) !== 0) {
        // Kernels before 5.11 lack the flag (EINVAL, ENOSYS before 5.9), and a seccomp filter
        // may deny the call: one by one then (readdir's own fd is closed before the loop).
        for (const fd of fs.readdirSync('/proc/self/fd').map(Number)) if (fd > 2) c.fcntl(fd, F_SETFD, 1);
      }
      for (const fd of [0, 1, 2]) check('fcntl', c.fcntl(fd, F_SETFD, 0), `${fd}, F_SETFD`);
    },
    /** Only returns by throwing. */
    execve(path: string, argv: string[], env: string[]): never {
      c.execve(path, [...argv, null], [...env, null]);
      throw new InitSysError('execve', koffi.errno(), JSON.stringify(path));
    },
  };
}
