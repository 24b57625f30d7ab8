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
  // A secret taken from the environment stays out of the output: only the variable's name shows.
  const secrets = model.secrets.map((o) => (o.environment !== undefined ? { ...o, content: undefined } : o));
  const plain = JSON.parse(JSON.stringify({ ...model, secrets, services: model.services.map(({ pos: _pos, ...s }) => s) }));
  process.stdout.write(opts.format === 'json' ? JSON.stringify(plain, null, 2) + '\n' : YAML.stringify(plain));
}
