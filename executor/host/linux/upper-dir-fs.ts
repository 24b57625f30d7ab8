// The filesystem a container's upper dir sits on. overlayfs refuses an upper (and work) dir
// that is itself on overlayfs: the init stage's mount then fails with a bare EINVAL. That
// happens whenever STACK_ROOT lies on an overlay — stack run inside a container, or on a
// live system or VM whose root is an overlay — so it is checked before anything is spawned,
// with the cause and the fix in the message.

import { statfsSync } from 'node:fs';
import { stackRoot } from '../../../store/paths.js';

/** statfs(2)'s f_type of overlayfs (OVERLAYFS_SUPER_MAGIC). */
const OVERLAYFS_MAGIC = 0x794c7630;

export class StackRootOnOverlayError extends Error {
  readonly stackRoot: string;
  constructor(root: string) {
    super(
      `STACK_ROOT ${root} is on overlayfs; overlayfs cannot use an upper dir on overlay; set STACK_ROOT to a folder on ext4/xfs/btrfs/tmpfs`,
    );
    this.name = 'StackRootOnOverlayError';
    this.stackRoot = root;
  }
}

/**
 * True when `dir` lies on an overlayfs mount. A blocking statfs: fs/promises costs a
 * thread-pool round trip, and its module, which nothing else on a one-shot `stack run`'s
 * way loads.
 */
export async function isOnOverlayFs(dir: string): Promise<boolean> {
  return statfsSync(dir).type === OVERLAYFS_MAGIC;
}

/** Throws StackRootOnOverlayError when the folder holding a container's upper dir is on overlayfs. */
export async function checkUpperDirFs(containerDir: string): Promise<void> {
  if (await isOnOverlayFs(containerDir)) throw new StackRootOnOverlayError(stackRoot());
}
