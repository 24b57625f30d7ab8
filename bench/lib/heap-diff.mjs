#!/usr/bin/env node
// What grew between two V8 heap snapshots: objects counted and summed (self size) by
// constructor/type name, the largest growth first. Used with bench/supervisor-memory.mjs
// --snapshots. Usage: node bench/lib/heap-diff.mjs BEFORE.heapsnapshot AFTER.heapsnapshot [ROWS=30]

import fs from 'node:fs';

/** Counts and self sizes by "type:name" (closures, strings and arrays by their kind). */
export function heapCensus(file) {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const types = meta.node_types[0];
  const stride = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const census = new Map();
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]];
    // Strings' "names" are their contents: group them by type only.
    const name = ['string', 'concatenated string', 'sliced string', 'number', 'heap number'].includes(type)
      ? ''
      : snap.strings[nodes[i + iName]];
    const key = `${type}:${name.length > 80 ? name.slice(0, 80) + '…' : name}`;
    const c = census.get(key) ?? { count: 0, size: 0 };
    c.count++;
    c.size += nodes[i + iSize];
    census.set(key, c);
  }
  return census;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [a, b, rows = '30'] = process.argv.slice(2);
  const before = heapCensus(a);
  const after = heapCensus(b);
  const diff = [];
  for (const [key, c] of after) {
    const p = before.get(key) ?? { count: 0, size: 0 };
    if (c.count !== p.count || c.size !== p.size)
      diff.push({ key, count: c.count - p.count, size: c.size - p.size, total: c.count });
  }
  for (const [key, p] of before) if (!after.has(key)) diff.push({ key, count: -p.count, size: -p.size, total: 0 });
  const total = (m) => [...m.values()].reduce((s, c) => s + c.size, 0);
  console.log(`heap: ${(total(before) / 1048576).toFixed(1)} MB -> ${(total(after) / 1048576).toFixed(1)} MB\n`);
  console.log('| type:name | Δ count | Δ self bytes | count after |\n| --- | ---: | ---: | ---: |');
  for (const d of diff.sort((x, y) => y.size - x.size).slice(0, Number(rows)))
    console.log(`| ${d.key.replace(/\|/g, '/')} | ${d.count} | ${d.size} | ${d.total} |`);
  console.log('\nby count:\n');
  for (const d of diff.sort((x, y) => y.count - x.count).slice(0, Number(rows)))
    console.log(`| ${d.key.replace(/\|/g, '/')} | ${d.count} | ${d.size} | ${d.total} |`);
}
