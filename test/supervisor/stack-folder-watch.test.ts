// The supervisor's look at its stack folder (supervisor/stack-folder-watch.ts): a folder seen
// and then removed is gone; one not there yet, one made again meanwhile, and one whose watch
// was stopped (a normal down) are not.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchStackFolder, type FolderWatch } from '../../supervisor/stack-folder-watch.js';
import { waitFor } from '../support/processes.js';

const CHECK_MS = 5;
/** Long enough for many checks: what must not happen has had every chance to. */
const settle = () => new Promise((r) => setTimeout(r, CHECK_MS * 20));

let watch: FolderWatch | undefined;
let base: string;

afterEach(() => {
  watch?.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

function folder(): string {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-folder-watch-'));
  return path.join(base, 'stack');
}

describe('the stack folder watch', () => {
  it('calls gone once the folder it saw is removed', async () => {
    const dir = folder();
    fs.mkdirSync(dir);
    let gone = 0;
    watch = watchStackFolder(dir, () => gone++, CHECK_MS);
    await settle();
    expect(gone).toBe(0);
    fs.rmSync(base, { recursive: true });
    await waitFor(() => gone === 1, 5000, 'gone');
    await settle();
    expect(gone).toBe(1);
  });

  it('waits for a folder not there yet, and calls gone only once it was there and went', async () => {
    const dir = folder();
    let gone = 0;
    watch = watchStackFolder(dir, () => gone++, CHECK_MS);
    await settle();
    expect(gone).toBe(0);
    fs.mkdirSync(dir);
    await settle();
    fs.rmdirSync(dir);
    await waitFor(() => gone === 1, 5000, 'gone');
  });

  it('takes a folder made again between two checks for the stack (a new up), not for gone', async () => {
    const dir = folder();
    fs.mkdirSync(dir);
    let gone = 0;
    watch = watchStackFolder(dir, () => gone++, CHECK_MS);
    fs.rmdirSync(dir);
    fs.mkdirSync(dir);
    await settle();
    expect(gone).toBe(0);
  });

  it('says nothing once stopped (the supervisor removes the folder itself at down)', async () => {
    const dir = folder();
    fs.mkdirSync(dir);
    let gone = 0;
    watch = watchStackFolder(dir, () => gone++, CHECK_MS);
    watch.stop();
    fs.rmdirSync(dir);
    await settle();
    expect(gone).toBe(0);
  });
});
