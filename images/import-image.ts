// `stack image import PATH`: an OCI layout folder, a tar of one (OCI archive), or a
// `docker save` tar (which newer docker also fills with an OCI layout; its manifest.json
// carries the full names, so it is read first). Archives are unpacked into images/tmp.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImageInfo } from '../model/observed.js';
import { blobTmpDir } from './blob-download.js';
import { makePrivateDir } from '../store/private-files.js';
import { extractArchive } from './extract-archive.js';
import { importDockerArchive } from './import-docker-archive.js';
import { ImageImportError, importOciLayout, type ImportOptions } from './import-oci-layout.js';

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

export async function importImage(source: string, opts: ImportOptions = {}): Promise<ImageInfo> {
  const st = await fs.stat(source).catch((err: Error) => {
    throw new ImageImportError(`cannot read ${source}: ${err.message}`);
  });
  if (st.isDirectory()) return importOciLayout(source, opts);
  await makePrivateDir(blobTmpDir());
  const dir = path.join(blobTmpDir(), `import-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  try {
    const x = await extractArchive(source, dir);
    if (await exists(path.join(dir, 'manifest.json'))) return await importDockerArchive(x, source, opts.tag);
    if (await exists(path.join(dir, 'index.json'))) return await importOciLayout(dir, opts);
    throw new ImageImportError(
      `${source} is neither a docker save archive (manifest.json) nor an OCI layout (index.json)`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
