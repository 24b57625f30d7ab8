// koffi for the CLI and the supervisor. The koffi package's loader (which binary fits this
// platform and libc, then deprecation wrappers) costs every command that touches the host
// ~8 ms of CPU before the first call. The build records the binary it picks
// (scripts/record-koffi-native.mjs) and we load that one directly, as the init stage does
// (init/sys.ts) — only while it is the very file the build saw (same inode, size and
// mtime); otherwise, or when run from the sources, through the package as before.

import fs from 'node:fs';
import { createRequire } from 'node:module';

type Koffi = typeof import('koffi');

/** What scripts/record-koffi-native.mjs writes to dist/koffi-native.json. */
export interface KoffiNativeRecord {
  path: string;
  identity: string;
}

export const koffiNativeIdentity = (st: fs.Stats): string => [st.dev, st.ino, st.size, st.mtimeMs].join(':');

function recordedBinary(): string | undefined {
  try {
    const record = JSON.parse(
      fs.readFileSync(new URL('../../../koffi-native.json', import.meta.url), 'utf8'),
    ) as KoffiNativeRecord;
    return koffiNativeIdentity(fs.statSync(record.path)) === record.identity ? record.path : undefined;
  } catch {
    return undefined; // not built, or moved: the package finds it
  }
}

function loadKoffi(): Koffi {
  const binary = recordedBinary();
  if (binary !== undefined) {
    const mod = { exports: {} as Koffi };
    process.dlopen(mod, binary);
    return mod.exports;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return createRequire(import.meta.url)('koffi') as Koffi;
}

export const koffi: Koffi = loadKoffi();
