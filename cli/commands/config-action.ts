// What `stack config` does (loaded only when it runs; see config.ts).

import YAML from 'yaml';
import { loadStackFiles, type GlobalOptions } from '../stack-file.js';

export interface ConfigOptions {
  format: string;
  quiet?: boolean;
}

export async function config(globals: GlobalOptions, opts: ConfigOptions): Promise<void> {
  const stack = loadStackFiles(globals);
  if (opts.quiet) return;
  const { file: _file, ...model } = stack;
  const plain = JSON.parse(JSON.stringify({ ...model, services: model.services.map(({ pos: _pos, ...s }) => s) }));
  process.stdout.write(opts.format === 'json' ? JSON.stringify(plain, null, 2) + '\n' : YAML.stringify(plain));
}
