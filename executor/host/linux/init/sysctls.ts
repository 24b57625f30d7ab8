// Namespaced sysctls (the planner let only those through), written under the container's
// own /proc/sys before it is made read-only: the net, ipc and uts namespaces are its own,
// so nothing here reaches the host.

import fs from 'node:fs';
import path from 'node:path';

/** The file of sysctl `key` (dotted) under `procSys`; a name that could leave it is refused. */
export function sysctlFile(procSys: string, key: string): string {
  if (key.includes('/') || key.split('.').some((p) => p === '..' || p === ''))
    throw new Error(`bad sysctl name ${key}`);
  return path.join(procSys, ...key.split('.'));
}

export function writeSysctls(procSys: string, sysctls: Record<string, string>): void {
  for (const [key, value] of Object.entries(sysctls)) {
    const file = sysctlFile(procSys, key);
    try {
      fs.writeFileSync(file, value);
    } catch (err) {
      throw new Error(
        `sysctl ${key}=${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} writing ${file}`,
      );
    }
  }
}
