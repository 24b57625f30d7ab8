// The exec stage's extra libc calls: entering a running container's namespaces and root,
// and taking a terminal as the controlling one. Loaded from the same koffi binary as sys.ts.

import { checkCall, loadKoffi } from './sys.js';

export const NS_FLAGS = {
  ipc: 0x08000000,
  uts: 0x04000000,
  net: 0x40000000,
  cgroup: 0x02000000,
  mnt: 0x00020000,
} as const;

const CLONE_FS = 0x00000200;
const TIOCSCTTY = 0x540e;

export type NsSys = ReturnType<typeof loadNsSys>;

export function loadNsSys(nativePath: string) {
  const koffi = loadKoffi(nativePath);
  const lib = koffi.load('libc.so.6');
  const c = {
    unshare: lib.func('int unshare(int flags)'),
    setns: lib.func('int setns(int fd, int nstype)'),
    fchdir: lib.func('int fchdir(int fd)'),
    chroot: lib.func('int chroot(const char *path)'),
    setsid: lib.func('int setsid(void)'),
    // ioctl is variadic; one integer argument is ABI-compatible on x86_64 and aarch64.
    ioctl: lib.func('int ioctl(int fd, unsigned long request, long arg)'),
  };
  const check = (call: string, rc: number, detail: string) => checkCall(koffi, call, rc, detail);
  return {
    /** This thread's own root/cwd state: setns(CLONE_NEWNS) refuses a shared one (EINVAL). */
    unshareFs(): void {
      check('unshare', c.unshare(CLONE_FS), 'CLONE_FS');
    },
    setns(fd: number, kind: keyof typeof NS_FLAGS): void {
      check('setns', c.setns(fd, NS_FLAGS[kind]), kind);
    },
    /** Makes the directory open as `fd` this thread's root (chroot to an fd, as nsenter -r does). */
    enterRoot(fd: number): void {
      check('fchdir', c.fchdir(fd), String(fd));
      check('chroot', c.chroot('.'), '"."');
    },
    /** A new session whose controlling terminal is `fd` (a pty slave). */
    takeTerminal(fd: number): void {
      check('setsid', c.setsid(), '');
      check('ioctl', c.ioctl(fd, TIOCSCTTY, 0), `${fd}, TIOCSCTTY`);
    },
  };
}
