// An overlay mount made by a test under its own folder: STACK_ROOT on overlay is what
// overlayfs refuses as an upper dir (a container or a live system's root), made for real.

import fs from 'node:fs';
import path from 'node:path';
import { runTool } from './run-tool.js';

/** Mounts an empty overlay at `<dir>/merged` (source name `name`, which should start with stk); returns that path. */
export async function mountTestOverlay(dir: string, name: string): Promise<string> {
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => path.join(dir, d));
  for (const d of [lower!, upper!, work!, merged!]) fs.mkdirSync(d, { recursive: true });
  await runTool('mount', ['-t', 'overlay', name, '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged!]);
  return merged!;
}
