// The native stage runs from a sealed copy of dist/stack-init in memory, as runc runs itself
// since CVE-2019-5736. A stage is a process of the container (its pid namespace) before it
// execve's the command; if its /proc/PID/exe were the file on disk, root in the container
// could open it there, reopen it for writing through /proc/self/fd, and replace the binary
// that the next container start runs as host root. A memfd sealed against writing, growing
// and shrinking has no path on the host and cannot be changed by anyone, and the stage is
// non-dumpable besides (native/main.c). One copy per supervisor process (~0.9 MB of
// memory), made on first use and kept open (close-on-exec) for every later spawn.

import { closeSync, copyFileSync } from 'node:fs';
import { addSeals, F_SEAL, MFD, memfdCreate } from './libc.js';
import { SyscallError } from './syscall-error.js';

let sealed: { source: string; fd: number } | undefined;

/**
 * A path that executes the sealed copy of `source`: /proc/<our pid>/fd/N, resolved through
 * this process's fd table, so the fds a spawn rearranges in the child cannot shadow it.
 */
export function sealedExecutable(source: string): string {
  if (sealed?.source !== source) {
    const fd = sealedCopy(source);
    if (sealed) closeSync(sealed.fd);
    sealed = { source, fd };
  }
  return `/proc/${process.pid}/fd/${sealed.fd}`;
}

function sealedCopy(source: string): number {
  const fd = createExecutableMemfd('stack-init');
  try {
    // The kernel copies (libuv's copyfile: copy_file_range or sendfile) into the memfd,
    // reopened for writing through our own fd table before it is sealed: ~1 ms of CPU less
    // than reading 0.9 MB into Node and writing it back, on every CLI run of a container.
    copyFileSync(source, `/proc/self/fd/${fd}`);
    addSeals(fd, F_SEAL.SEAL | F_SEAL.SHRINK | F_SEAL.GROW | F_SEAL.WRITE);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function createExecutableMemfd(name: string): number {
  const flags = MFD.CLOEXEC | MFD.ALLOW_SEALING;
  try {
    // Linux ≥ 6.3 asks for MFD_EXEC explicitly (vm.memfd_noexec may make memfds noexec by default).
    return memfdCreate(name, flags | MFD.EXEC);
  } catch (err) {
    // Older kernels know no MFD_EXEC (EINVAL) and make every memfd executable.
    if (err instanceof SyscallError && err.code === 'EINVAL') return memfdCreate(name, flags);
    throw err;
  }
}
