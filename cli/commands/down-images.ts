// `down --rmi local|all`, as compose: after the stack is down, remove the images its
// services use from the store. `local`: only those without a name of their own in the
// file (no `image:` key: built ones named `<project>-<service>`); `all`: every one. An image that
// another stack's container still uses stays (said on stderr), as docker refuses it.

import { normalizeImageRef } from '../../model/image-ref.js';
import { readState } from '../../store/state-store.js';
import type { GlobalOptions } from '../stack-file.js';
import { UsageError } from '../usage-error.js';

export type RmiMode = 'local' | 'all';

export function rmiMode(value: string | undefined): RmiMode | undefined {
  if (value === undefined || value === 'local' || value === 'all') return value;
  throw new UsageError(`--rmi ${value}: local or all`);
}

/**
 * The images of the stack's services. `all`: those of its container records and of the file
 * (when it can be read). `local`: compose's rule, images without a custom tag, i.e. of the
 * file's services without an `image:` key; never decided by the name alone, which a file
 * may give a service itself (`image: <project>-web`). Without a readable file, none.
 */
export async function stackImages(globals: GlobalOptions, project: string, mode: RmiMode): Promise<string[]> {
  const used: { ref: string; unnamed: boolean }[] =
    mode === 'all'
      ? (await readState.containerDir(project)).records.map((r) => ({ ref: r.spec.image.ref, unnamed: false }))
      : [];
  try {
    const { loadStackFiles } = await import('../stack-file.js');
    const stack = loadStackFiles(globals);
    if (stack.project === project)
      used.push(...stack.services.map((s) => ({ ref: s.image, unnamed: !!s.imageUnnamed })));
  } catch {
    // down works from the records alone; a file that cannot be read adds nothing.
  }
  const refs = used.filter((u) => mode === 'all' || u.unnamed).map((u) => normalizeImageRef(u.ref));
  return [...new Set(refs)].sort();
}

/** Removes those in the store that no container uses any more; says what it removed and what it kept. */
export async function removeStackImages(refs: string[], say: (line: string) => void): Promise<void> {
  if (refs.length === 0) return;
  const { findImage } = await import('../../images/image-store.js');
  const { removeImages, ImageInUseError } = await import('../../images/image-gc.js');
  for (const ref of refs) {
    if (!(await findImage(ref))) continue;
    try {
      await removeImages([ref], false);
      say(`Image ${ref} Removed`);
    } catch (err) {
      if (!(err instanceof ImageInUseError)) throw err;
      say(`Image ${ref} kept: ${err.message}`);
    }
  }
}
