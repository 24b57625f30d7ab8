// Records which native binary the koffi package loads on this machine, for
// executor/host/linux/koffi.ts to load directly (the package's loader costs ~8 ms per
// command): dist/koffi-native.json, with the file's identity so a reinstalled koffi is
// found through the package again.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
createRequire(import.meta.url)('koffi');
const line = fs
  .readFileSync('/proc/self/maps', 'utf8')
  .split('\n')
  .find((l) => l.endsWith('/koffi.node'));
if (!line) throw new Error('koffi loaded no koffi.node');
const binary = line.slice(line.indexOf('/'));
const { koffiNativeIdentity } = await import(pathToFileURL(path.join(root, 'dist/executor/host/linux/koffi.js')).href);
fs.writeFileSync(
  path.join(root, 'dist/koffi-native.json'),
  JSON.stringify({ path: binary, identity: koffiNativeIdentity(fs.statSync(binary)) }) + '\n',
);
