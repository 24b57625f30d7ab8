// `stack version` and `stack -v` in docker compose's forms: a script that reads
// `docker compose version --short` or its json keeps working with `stack`.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

beforeAll(() => (env = makeStackEnv()));
afterAll(() => env.dispose());

describe('stack version', () => {
  it('prints the version as compose does, exit 0', () => {
    expect(stack(env, ['version'])).toEqual({ code: 0, stdout: `stack version v${version}\n`, stderr: '' });
  });

  it('--short: the bare number', () => {
    expect(stack(env, ['version', '--short']).stdout).toBe(`${version}\n`);
  });

  it("--format json: one object with compose's field name", () => {
    const r = stack(env, ['version', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ version: `v${version}` });
  });

  it('-v and --version as global options', () => {
    for (const flag of ['-v', '--version'])
      expect(stack(env, [flag])).toEqual({ code: 0, stdout: `stack version v${version}\n`, stderr: '' });
  });

  it('an unknown format is a usage error, exit 2', () => {
    const r = stack(env, ['version', '--format', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('stack: --format yaml: use pretty or json\n');
  });

  it('reads no host state: nothing made under STACK_ROOT or STACK_RUN', () => {
    stack(env, ['version']);
    expect(fs.existsSync(env.env.STACK_ROOT!)).toBe(false);
    expect(fs.existsSync(env.env.STACK_RUN!)).toBe(false);
  });
});
