// Runs a command as on a host without libnftables: in a mount namespace of its own (gone
// with the command), /dev/null is bound over the library, so loading it fails. The host's
// own library and every other process are untouched.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const LIBNFTABLES = '/usr/lib/x86_64-linux-gnu/libnftables.so.1';

export function runWithoutLibnftables(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): { code: number; stdout: string; stderr: string } {
  const lib = fs.realpathSync(LIBNFTABLES);
  const r = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind /dev/null "$0" && exec "$@"', lib, ...argv],
    { ...opts, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
