// Atomic JSON records under load and under faults: several writers of one record at once
// (two services sharing a new named volume write its volume.json together), and a write
// that fails leaves no temporary file and names the record.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeJson, writeJsonAtomic } from '../../store/json-file.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-test-json-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeJsonAtomic', () => {
  it('concurrent writes of one record all succeed, and one of them is what the file holds', async () => {
    const file = path.join(dir, 'volume.json');
    const writers = Array.from({ length: 20 }, (_, i) => writeJsonAtomic(file, { writer: i }));
    const outcomes = await Promise.allSettled(writers);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).writer).toBeGreaterThanOrEqual(0);
    expect(fs.readdirSync(dir)).toEqual(['volume.json']);
  });

  it('makes the folders a record goes in, 0700, when they are missing (a first record, or removed meanwhile)', async () => {
    const file = path.join(dir, 'state', 'containers', 'web-1.json');
    await writeJsonAtomic(file, { n: 1 });
    fs.rmSync(path.join(dir, 'state'), { recursive: true });
    await writeJsonAtomic(file, { n: 2 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ n: 2 });
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['web-1.json']);
  });

  it('a write that fails leaves no temporary file and names the record', async () => {
    // The record's name is taken by a folder: the rename fails after the temporary file is written.
    const file = path.join(dir, 'record.json');
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'x'), '');
    await expect(writeJsonAtomic(file, { a: 1 })).rejects.toThrow(`cannot write ${file}`);
    expect(fs.readdirSync(dir)).toEqual(['record.json']);
  });
});

describe('removeJson', () => {
  it("removes the record and the temporary files of writers that were killed mid-write, never a live writer's", async () => {
    const file = path.join(dir, 'web-1.json');
    fs.writeFileSync(file, '{}');
    // A writer killed with kill -9 between its write and its rename leaves its temporary file.
    const killed = spawnSync('sh', ['-c', 'echo $$']);
    const deadPid = Number(killed.stdout.toString().trim());
    fs.writeFileSync(`${file}.${deadPid}.0123abcd.tmp`, '{"half":');
    // A writer in flight (this process) keeps its file; another record's leftovers are not this one's.
    fs.writeFileSync(`${file}.${process.pid}.89abcdef.tmp`, '{}');
    fs.writeFileSync(path.join(dir, `web-10.json.${deadPid}.0123abcd.tmp`), '{}');
    await removeJson(file);
    expect(fs.readdirSync(dir).sort()).toEqual(
      [`web-1.json.${process.pid}.89abcdef.tmp`, `web-10.json.${deadPid}.0123abcd.tmp`].sort(),
    );
  });
});
