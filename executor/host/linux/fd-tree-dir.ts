// A folder tree whose names another party controls (a running container's filesystem, a
// container's overlay upper folder), read for images/tree-tar.ts one name at a time through
// fds: each folder is opened below the last without following a symlink (in-root.ts), so a
// folder swapped for a symlink during the walk is refused, never followed into the host.

import fs from 'node:fs';
import type { TreeDir } from '../../../images/tree-tar.js';
import { fdPath, O_DIR_PATH, O_PATH, openBelow } from './in-root.js';
import { isOpaque } from '../../../images/overlay-form.js';

/** The folder held by `fd` (an O_PATH fd, closed by close()). */
export function fdTreeDir(fd: number): TreeDir {
  return {
    names: () => fs.readdirSync(fdPath(fd)),
    lstat: (name) => {
      const child = openBelow(fd, name, O_PATH);
      try {
        return fs.fstatSync(child);
      } finally {
        fs.closeSync(child);
      }
    },
    readlink: (name) => fs.readlinkSync(fdPath(fd, name)),
    // Held anew (not through a symlink) and checked before it is opened: the entry may have
    // changed since lstat, and a device node the container swapped in would be the host's
    // device to us (no device cgroup here), a FIFO would block.
    read: (name) => {
      const held = openBelow(fd, name, O_PATH);
      try {
        if (!fs.fstatSync(held).isFile())
          throw new Error(`${name} changed while it was read: no longer a regular file`);
        return fs.createReadStream('', { fd: fs.openSync(fdPath(held), fs.constants.O_RDONLY) });
      } finally {
        fs.closeSync(held);
      }
    },
    opaque: (name) => isOpaque(fdPath(fd, name)),
    enter: (name) => fdTreeDir(openBelow(fd, name, O_DIR_PATH)),
    close: () => fs.closeSync(fd),
  };
}

/** A host folder opened as the top of such a tree (not through a symlink). */
export const openFdTree = (dir: string): TreeDir =>
  fdTreeDir(fs.openSync(dir, O_DIR_PATH | fs.constants.O_NOFOLLOW | 0o2000000));
