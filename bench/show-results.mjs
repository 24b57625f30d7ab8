#!/usr/bin/env node
// Prints the table of the last `npm run bench` again, from bench/results/peers-latest.json
// (date, machine and peer versions first), without measuring anything: what the README's
// Benchmarks section shows. Usage: node bench/show-results.mjs [RESULTS.json]

import fs from 'node:fs';
import path from 'node:path';
import { markdownTable } from './lib/stats.mjs';

const file = process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), 'results/peers-latest.json');
const result = JSON.parse(fs.readFileSync(file, 'utf8'));
const versions = Object.entries(result.versions ?? {})
  .map(([tool, v]) => `${tool}: ${v}`)
  .join('; ');
process.stdout.write(
  `stack vs peers, ${result.date.slice(0, 10)}${result.quick ? ' (--quick)' : ''}, ${result.machine}\n`,
);
process.stdout.write(`${versions}\n\n${markdownTable(result.rows)}\n`);
