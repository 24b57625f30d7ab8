// A window library that is there but does not load (built for another machine, a truncated
// copy) leaves the namespace window on the calling thread, as no library does: before, the
// load's error came out of every container start, and of an early supervisor's warm-up.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWindowCall } from '../../executor/host/linux/threadpool-window.js';

describe('loading the window library', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-window-lib-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives no threadpool window for a file that is no library, instead of throwing', () => {
    const file = path.join(dir, 'libstack-window.so');
    fs.writeFileSync(file, 'not an ELF file\n');
    expect(loadWindowCall(file)).toBeNull();
  });

  it('gives none where there is no file', () => {
    expect(loadWindowCall(path.join(dir, 'absent.so'))).toBeNull();
  });
});
