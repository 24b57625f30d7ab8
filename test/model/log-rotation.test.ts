// docker's reading of `logging:` options: json-file sizes in decimal units, local's in
// binary ones with its own defaults, and max-file only counting with max-size.

import { describe, expect, it } from 'vitest';
import { logConfig, logOptionProblem, parseLogSize } from '../../model/log-rotation.js';

describe('parseLogSize', () => {
  it('reads docker units: decimal for json-file, binary for local, a plain number as bytes', () => {
    expect(parseLogSize('10m', 'json-file')).toBe(10_000_000);
    expect(parseLogSize('1.5k', 'json-file')).toBe(1500);
    expect(parseLogSize('2GB', 'json-file')).toBe(2_000_000_000);
    expect(parseLogSize('20m', 'local')).toBe(20 * 1024 * 1024);
    expect(parseLogSize('20MiB', 'local')).toBe(20 * 1024 * 1024);
    expect(parseLogSize('4096', 'json-file')).toBe(4096);
    expect(parseLogSize('10x', 'json-file')).toBeUndefined();
    expect(parseLogSize('-1', 'json-file')).toBeUndefined();
  });
});

describe('logConfig', () => {
  it('is absent without logging: (one file, never rotated)', () => {
    expect(logConfig(undefined)).toBeUndefined();
  });

  it('fills json-file when the driver is left out; max-file only with max-size', () => {
    expect(logConfig({ options: { 'max-size': '1m', 'max-file': '3' } })).toEqual({
      driver: 'json-file',
      maxBytes: 1_000_000,
      maxFiles: 3,
    });
    expect(logConfig({ options: { 'max-file': '3' } })).toEqual({ driver: 'json-file' });
  });

  it("gives local docker's defaults (20 MiB × 5) unless the options say otherwise", () => {
    expect(logConfig({ driver: 'local', options: {} })).toEqual({
      driver: 'local',
      maxBytes: 20 * 1024 * 1024,
      maxFiles: 5,
    });
    expect(logConfig({ driver: 'local', options: { 'max-file': '2' } })?.maxFiles).toBe(2);
  });

  it('keeps nothing for none, whatever its options', () => {
    expect(logConfig({ driver: 'none', options: { 'max-size': 'x' } })).toEqual({ driver: 'none' });
    expect(logOptionProblem('none', 'max-size', 'x')).toBeUndefined();
  });
});
