// The typed error every libc wrapper throws when a call fails. The CLI renders it; the
// code name (EPERM, EBUSY, …) is what users search for.

import os from 'node:os';

/** Made at the first error: every command that binds libc loads this module, few fail a call. */
let errnoNames: Map<number, string> | undefined;
// Two errnos have two names in os.constants; a Map built from its entries kept the later one
// (EWOULDBLOCK), so a test for EAGAIN never matched. Use the names strace prints.
const PREFERRED: ReadonlyMap<number, string> = new Map([
  [11, 'EAGAIN'],
  [95, 'EOPNOTSUPP'],
]);
const knownErrnoName = (errno: number): string | undefined =>
  (errnoNames ??= new Map([
    ...Object.entries(os.constants.errno).map(([name, num]) => [num as number, name] as const),
    ...PREFERRED,
  ])).get(errno);

/** EPERM, ENOENT…: the code name of an errno. */
export const errnoName = (errno: number): string => knownErrnoName(errno) ?? `errno ${errno}`;

export class SyscallError extends Error {
  readonly call: string;
  readonly errno: number;
  readonly code: string;
  readonly args: unknown[];
  constructor(call: string, errno: number, args: unknown[]) {
    const code = errnoName(errno);
    super(
      `${call}(${args.map((a) => JSON.stringify(a)).join(', ')}) failed: ${code} (${os.constants.errno ? describe(errno) : ''})`,
    );
    this.name = 'SyscallError';
    this.call = call;
    this.errno = errno;
    this.code = code;
    this.args = args;
  }
}

function describe(errno: number): string {
  // util.getSystemErrorMessage exists from Node 22.12; keep a fallback for Node 20.
  const names: Record<string, string> = {
    EPERM: 'operation not permitted',
    ENOENT: 'no such file or directory',
    EBUSY: 'device or resource busy',
    EINVAL: 'invalid argument',
    EEXIST: 'file exists',
    EACCES: 'permission denied',
    ENOSPC: 'no space left on device',
  };
  return names[knownErrnoName(errno) ?? ''] ?? 'see errno(3)';
}
