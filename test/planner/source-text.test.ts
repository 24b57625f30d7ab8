import { describe, expect, it } from 'vitest';
import { StackFileError } from '../../model/diagnostics.js';
import { loadStack } from '../../planner/load/load.js';
import { MAX_SOURCE_BYTES, sourceText } from '../../planner/load/source-text.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

function problems(data: Uint8Array): string[] {
  try {
    loadStack({ files: [{ path: 'stack.yaml', text: data }], projectDir: '/x/app', env: {} });
  } catch (err) {
    if (err instanceof StackFileError) return err.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
    throw err;
  }
  return [];
}

describe('stack files as bytes', () => {
  it('reports each line that is not UTF-8 at its column, with every other problem of the file', () => {
    const file = bytes(
      'services:\n  web:\n    image: busybox\n    environment:\n      A: "\u00fc',
      [0xc3, 0x28],
      '"\n      B: ',
      [0xed, 0xa0, 0x80],
      '\n    bogus: 1\n',
    );
    expect(problems(file)).toStrictEqual([
      'stack.yaml:5:12: invalid UTF-8 (byte 0xc3); save the file as UTF-8',
      'stack.yaml:6:10: invalid UTF-8 (byte 0xed); save the file as UTF-8',
      'stack.yaml:7:5: unknown key "bogus" in service "web"',
    ]);
  });

  it('accepts UTF-8 of every length, a byte order mark, and U+FFFD written as such', () => {
    const file = bytes(
      [0xef, 0xbb, 0xbf],
      'services:\n  web:\n    image: busybox\n    labels: {a: "\u00e9\u20ac\u{1f600}\ufffd"}\n',
    );
    expect(problems(file)).toStrictEqual([]);
    expect(sourceText('f', file).diagnostics).toStrictEqual([]);
  });

  it('refuses a file over the limit without parsing it', () => {
    const file = Buffer.alloc(MAX_SOURCE_BYTES + 1, 0x20);
    expect(problems(file)).toStrictEqual([
      'stack.yaml:1:1: the file is larger than 4 MiB, the most stack reads (a stack file that size would take seconds and hundreds of MB to load); split it with include: or extends:',
    ]);
  });

  it('checks env files too', () => {
    const env = bytes('A=', [0xff], '\n');
    const text = 'services:\n  web:\n    image: busybox\n    env_file: web.env\n';
    expect(() =>
      loadStack({
        files: [{ path: 'stack.yaml', text }],
        projectDir: '/x/app',
        env: {},
        readFile: (p) => (p === '/x/app/web.env' ? env : undefined),
      }),
    ).toThrow('web.env:1:3: invalid UTF-8 (byte 0xff)');
  });
});
