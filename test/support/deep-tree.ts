// Folders nested past PATH_MAX (4096 bytes), as a container or a RUN step may leave them in
// its upper dir: bash descends one level at a time, so each of its calls names a short path.

import { spawnSync } from 'node:child_process';

/** 30 folders of 200 characters, one in the other, in `dir`, with a file at the bottom; throws if bash fails. */
export function nestPastPathMax(dir: string): void {
  const level = 'd'.repeat(200);
  const made = spawnSync('bash', [
    '-c',
    `cd "$1" && for i in $(seq 30); do mkdir ${level} && cd ${level} || exit 1; done && echo x > f`,
    'sh',
    dir,
  ]);
  if (made.status !== 0) throw new Error(`cannot nest folders in ${dir}: ${made.stderr.toString()}`);
}
