// Bad input through the real command line: project names that would be rewritten into
// another project's, control characters that would act on the user's terminal, and files
// too large to load. Each is refused with a clear message before anything is made.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SOURCE_BYTES } from '../../planner/load/source-text.js';
import { makeStackEnv, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
const RULE =
  'it must contain only lowercase letters, decimal digits, dashes and underscores, and begin with a lowercase letter or decimal digit';
/** ESC and the other C0 controls but tab and newline, DEL and C1 controls: none may reach the terminal. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

beforeAll(() => {
  env = makeStackEnv();
  fs.writeFileSync(path.join(env.root, 'stack.yaml'), 'services:\n  web:\n    image: busybox\n');
});
afterAll(() => env.dispose());

/** Nothing under STACK_ROOT or STACK_RUN: the command changed nothing on the host. */
function nothingMade(): void {
  expect(fs.existsSync(env.env.STACK_ROOT!)).toBe(false);
  expect(fs.existsSync(env.env.STACK_RUN!)).toBe(false);
}

describe('project names given explicitly are refused when invalid, not rewritten', () => {
  it.each([['config'], ['down'], ['ps'], ['run', '--rm', '--image', 'busybox', '--', 'true']])(
    '-p sec/../../x %s',
    (...args) => {
      const r = stack(env, ['-p', 'sec/../../x', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`invalid project name "sec/../../x": ${RULE}`);
      expect(r.stdout).toBe('');
      nothingMade();
    },
  );

  it('COMPOSE_PROJECT_NAME too, and an upper-case one', () => {
    const r = stack({ ...env, env: { ...env.env, COMPOSE_PROJECT_NAME: 'Sec' } }, ['down']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`stack: invalid project name "Sec": ${RULE} (given with COMPOSE_PROJECT_NAME)\n`);
    nothingMade();
  });

  it("the folder's name is still normalised into the default, as compose does", () => {
    const dir = path.join(env.root, '_My.App');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(env.root, 'stack.yaml'), path.join(dir, 'stack.yaml'));
    const r = stack(env, ['config'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^name: myapp\n/);
  });
});

describe('control characters are escaped in what stack prints', () => {
  it('in an error that quotes a path given on the command line', () => {
    const r = stack(env, ['-f', 'no\x1b[2J\x1b]0;pwned\x07\r.yaml', 'config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no\\x1b[2J\\x1b]0;pwned\\x07\\r.yaml');
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });

  it('in diagnostics: the message and the source line, the caret under its column', () => {
    const file = path.join(env.root, 'ctl.yaml');
    fs.writeFileSync(file, 'services:\n  web:\n    image: "a\x1b[2Jb"\n    x-ok: 1\n    bogus: "\x9b31m\u202e"\n');
    const r = stack(env, ['-f', file, 'config']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toContain('\u202e');
    expect(r.stderr).toContain(
      'ctl.yaml:5:5: unknown key "bogus" in service "web"\n        bogus: "\\x9b31m\\u202e"\n        ^\n',
    );
  });
});

describe('stack files over the size limit', () => {
  it('are refused at once with the limit and why, having read no more than one byte past it', () => {
    const file = path.join(env.root, 'huge.yaml');
    const line = `    A${'x'.repeat(70)}: y\n`;
    fs.writeFileSync(
      file,
      `services:\n  web:\n    image: busybox\n    labels:\n${line.repeat(Math.ceil(MAX_SOURCE_BYTES / line.length) + 1)}`,
    );
    const r = stack(env, ['-f', file, 'config', '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `huge.yaml:1:1: the file is larger than 4 MiB, the most stack reads (a stack file that size would take seconds and hundreds of MB to load); split it with include: or extends:\n` +
        '1 problem found in stack file; nothing was changed.\n',
    );
  });
});
