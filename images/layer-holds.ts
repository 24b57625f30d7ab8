// A pull or import unpacks layers before it writes the image record that references them.
// Meanwhile it "holds" them: a small file in images/tmp naming its pid and the layers, so
// `image prune` (in any process) does not collect them as unreferenced.

import { randomHex } from '../store/random-hex.js';
import { isAlive } from '../store/pid-alive.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { blobTmpDir } from './blob-download.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';

const PREFIX = 'hold-';

/** Marks `layers` as in use until the returned release is called. */
export async function holdLayers(layers: string[]): Promise<() => Promise<void>> {
  await makePrivateDir(blobTmpDir());
  const file = path.join(blobTmpDir(), `${PREFIX}${process.pid}-${randomHex(4)}.json`);
  await fs.writeFile(file, JSON.stringify(layers), { mode: PRIVATE_FILE_MODE });
  return () => fs.rm(file, { force: true });
}

/** Layers held by live processes; hold files of dead ones are removed. */
export async function heldLayers(): Promise<Set<string>> {
  const held = new Set<string>();
  const names = await fs.readdir(blobTmpDir()).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(PREFIX))) {
    const file = path.join(blobTmpDir(), name);
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!isAlive(pid)) {
      await fs.rm(file, { force: true });
      continue;
    }
    const list = JSON.parse(await fs.readFile(file, 'utf8').catch(() => '[]')) as string[];
    for (const d of list) held.add(d);
  }
  return held;
}
