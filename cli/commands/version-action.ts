// What `stack version` prints (loaded only when it runs; see version.ts). docker compose's
// forms: `Docker Compose version v2.29.1`, `--short` the bare number, `--format json`
// `{"version":"v2.29.1"}`.

import { prettyVersion, stackVersion } from '../stack-version.js';
import { UsageError } from '../usage-error.js';

export interface VersionOptions {
  short?: boolean;
  format: string;
}

export function version(opts: VersionOptions): void {
  if (opts.format !== 'pretty' && opts.format !== 'json')
    throw new UsageError(`--format ${opts.format}: use pretty or json`);
  const v = stackVersion();
  if (opts.short) process.stdout.write(`${v}\n`);
  else if (opts.format === 'json') process.stdout.write(JSON.stringify({ version: `v${v}` }) + '\n');
  else process.stdout.write(`${prettyVersion()}\n`);
}
