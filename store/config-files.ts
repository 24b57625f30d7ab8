// The stack files a stack was last brought up from (absolute paths), kept beside its state so
// `stack ls` can name them as docker compose's CONFIG FILES column does. Removed with the
// stack's folder at its last `down`.

import path from 'node:path';
import { paths } from './paths.js';
import { readJson, writeJsonAtomic } from './json-file.js';
import { listOf, shape, str } from './shape-check.js';

const fileOf = (project: string) => path.join(paths.stackDir(project), 'config-files.json');
const check = shape({ files: listOf(str) });

export async function saveConfigFiles(project: string, files: string[]): Promise<void> {
  await writeJsonAtomic(fileOf(project), { files });
}

/** Empty for a stack brought up before this record existed; a damaged record throws BadRecordError. */
export async function readConfigFiles(project: string): Promise<string[]> {
  return (await readJson<{ files: string[] }>(fileOf(project), check))?.files ?? [];
}
