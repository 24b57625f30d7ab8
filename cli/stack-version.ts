// stack's own version, from its package.json: the source tree has it one folder above
// cli/, the tsc output (dist/cli/, which the bundle's URLs point at) two.

import fs from 'node:fs';

export function stackVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'stack' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}

/** docker compose's `Docker Compose version v2.29.1`, with stack's name. */
export const prettyVersion = (): string => `stack version v${stackVersion()}`;
