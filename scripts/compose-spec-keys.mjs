#!/usr/bin/env node
// Writes schemas/compose-spec-keys.json: the keys of the Compose Specification by the path
// of the mapping that holds them, read from compose-spec's own JSON schema
// (schema/compose-spec.json of github.com/compose-spec/compose-spec). The test of the key
// table (test/planner/compose-keys.test.ts) fails when the specification has a key the
// table lacks, so after a new release of the specification: run this, then give each new
// key its status in planner/load/compose-keys.ts.
// Usage: node scripts/compose-spec-keys.mjs PATH/TO/compose-spec.json "compose-spec@COMMIT"   (after npm run build)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [schemaPath, source] = process.argv.slice(2);
if (!schemaPath || !source) {
  console.error('usage: node scripts/compose-spec-keys.mjs PATH/TO/compose-spec.json "compose-spec@COMMIT"');
  process.exit(2);
}
const { schemaKeys } = await import(path.join(repo, 'dist/planner/load/schema-keys.js'));
const keys = Object.fromEntries(schemaKeys(JSON.parse(fs.readFileSync(schemaPath, 'utf8'))));
const out = path.join(repo, 'schemas/compose-spec-keys.json');
fs.writeFileSync(out, `${JSON.stringify({ source, keys }, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), out)}: ${Object.values(keys).flat().length} keys`);
