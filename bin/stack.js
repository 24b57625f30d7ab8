#!/usr/bin/env node
// The `stack` command: runs the bundled CLI (dist/bundle/, made by npm run build; see
// scripts/bundle-cli.mjs): no transpiling and few module files to resolve at start-up.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/bundle/stack.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write(
    'stack is not built yet: run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n',
  );
  process.exit(1);
}
await import(main);
