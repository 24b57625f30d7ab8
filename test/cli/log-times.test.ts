// The reading side of log timestamps: which note covers a line, and docker's --since forms.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logClock, parseLogTime } from '../../cli/log-times.js';

describe('logClock', () => {
  it('gives a line the time of the first note that covers its end, and the mtime past the last note', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stkt-logtimes-'));
    try {
      const log = path.join(dir, 'c.log');
      fs.writeFileSync(log, 'one\ntwo\nthree\n');
      fs.writeFileSync(`${log}.times`, '4 1000\n8 2000\n');
      const clock = logClock(log);
      expect(clock.timeOf(4)).toBe(1000);
      expect(clock.timeOf(8)).toBe(2000);
      expect(clock.timeOf(14)).toBe(fs.statSync(log).mtimeMs);
      fs.appendFileSync(`${log}.times`, '14 3000\n');
      clock.refresh();
      expect(clock.timeOf(14)).toBe(3000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseLogTime', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it('reads RFC 3339 dates, Unix seconds and durations before now', () => {
    expect(parseLogTime('--since', '2026-12-02T09:30:00Z', now)).toBe(Date.parse('2026-12-02T09:30:00Z'));
    expect(parseLogTime('--since', '1764669600', now)).toBe(1764669600_000);
    expect(parseLogTime('--since', '10m', now)).toBe(now - 600_000);
    expect(parseLogTime('--since', '1h30m', now)).toBe(now - 5_400_000);
  });
  it('names the flag and the forms it takes for anything else', () => {
    expect(() => parseLogTime('--until', 'soon', now)).toThrow(/--until takes a date .*not "soon"/);
  });
});
