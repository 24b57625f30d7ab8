// Stacks before issue 13 made STACK_ROOT, STACK_RUN and everything in them 0755 and their
// records and logs 0644. Every command that runs as root starts here (cli/needs-root.ts):
// a root folder any other user may enter is made private (private-files.ts), and with it,
// once, what that stack made inside — so that a user who kept a shell or an open folder
// inside the old tree gains nothing either. Two stat calls when there is nothing to do.

import fs from 'node:fs';
import path from 'node:path';
import { stackRoot, stackRun } from './paths.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.js';

/**
 * What containers see, relative to STACK_ROOT: the contents of a container's folder (its
 * upper, work and rootfs dirs, the hosts, hostname and resolv.conf files it mounts), a
 * volume's data, a layer, an import being unpacked. Their modes are the container's; they
 * are left as they are, behind their now private parents.
 */
const CONTAINER_SEES = [
  /^stacks\/[^/]+\/containers\/[^/]+\/[^/]+$/,
  /^volumes\/[^/]+\/_data$/,
  /^images\/layers\/[^/]+$/,
  /^images\/tmp\/import-[^/]+$/,
];

/** In STACK_RUN, a container's rendered secrets and configs: the modes the service gave them, in a folder made 0700. */
const RUN_CONTAINER_FILES = /^[^/]+\/containers\/[^/]+$/;

export function tightenStackDirs(): void {
  const root = stackRoot();
  if (isOpen(root)) tighten(root, '', (rel) => CONTAINER_SEES.some((re) => re.test(rel)));
  const run = stackRun();
  if (isOpen(run)) tighten(run, '', (rel) => RUN_CONTAINER_FILES.test(rel));
}

function isOpen(dir: string): boolean {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  return st !== undefined && st.isDirectory() && (st.mode & 0o077) !== 0;
}

/** Depth first, the folder itself last: a command cut short finds the root still open and starts again. */
function tighten(base: string, rel: string, leave: (rel: string) => boolean): void {
  const dir = path.join(base, rel);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (leave(child)) continue;
    if (entry.isDirectory()) tighten(base, child, leave);
    else if (entry.isFile()) fs.chmodSync(path.join(base, child), PRIVATE_FILE_MODE);
  }
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}
