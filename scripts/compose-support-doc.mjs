#!/usr/bin/env node
// Writes docs/compose-support.md from the key table (planner/load/compose-keys.ts).
// Usage: npm run docs:compose-support   (builds first)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { renderComposeSupport } = await import(path.join(repo, 'dist/planner/load/compose-support-doc.js'));
fs.writeFileSync(path.join(repo, 'docs/compose-support.md'), renderComposeSupport());
console.log('wrote docs/compose-support.md');
