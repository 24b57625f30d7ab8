// The Compose conformance suite: test/conformance/<feature>/<case>/ holds a stack
// (stack.yaml, or compose.yaml, and any other files it names: .env, overrides, extended
// and included files) and either
//   expected.yaml        what `stack config` prints for it (the file is valid), or
//   expected-errors.txt  what it reports instead (the file is invalid): the diagnostics as
//                        a user sees them, `file:line:col: message`, the line and a caret.
// Optional `args`: global options, one a line (e.g. `--profile` then `debug`); optional
// env.json: the environment (besides PATH and HOME, which is the case folder).
// The built CLI runs in the case folder exactly as a user would run it there, so `.env`,
// override discovery and COMPOSE_* variables work as they do for a user. The case folder's
// absolute path is written `.` in the expected output, and the suite's folder (for a file
// outside the case, such as a shared bind source) `<conformance>`, so the expected files
// hold for any checkout location. UPDATE_CONFORMANCE=1 rewrites the
// expected files from the actual output (review the diff before committing).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../../bin/stack');
const update = process.env.UPDATE_CONFORMANCE === '1';

const dirs = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const readIf = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);

function runConfig(caseDir: string): { code: number; stdout: string; stderr: string } {
  const args = readIf(path.join(caseDir, 'args'))?.split('\n').filter(Boolean) ?? [];
  const extraEnv = JSON.parse(readIf(path.join(caseDir, 'env.json')) ?? '{}') as Record<string, string>;
  const r = spawnSync(cli, [...args, 'config'], {
    cwd: caseDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: caseDir, ...extraEnv },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const relative = (s: string) => s.split(caseDir).join('.').split(here).join('<conformance>');
  return { code: r.status ?? -1, stdout: relative(r.stdout), stderr: relative(r.stderr) };
}

const features = dirs(here);

describe('conformance', () => {
  it('has cases for every loader stage and the format', () => {
    expect(features.length).toBeGreaterThanOrEqual(20);
  });

  for (const feature of features) {
    describe(feature, () => {
      for (const name of dirs(path.join(here, feature))) {
        const caseDir = path.join(here, feature, name);
        const expectedYaml = path.join(caseDir, 'expected.yaml');
        const expectedErrors = path.join(caseDir, 'expected-errors.txt');
        it(name, () => {
          const r = runConfig(caseDir);
          if (fs.existsSync(expectedErrors)) {
            if (update) fs.writeFileSync(expectedErrors, r.stderr);
            expect(r.stdout, 'an invalid case must print no configuration').toBe('');
            expect(r.code).toBe(1);
            expect(r.stderr).toBe(fs.readFileSync(expectedErrors, 'utf8'));
          } else {
            expect(fs.existsSync(expectedYaml), `${caseDir} needs expected.yaml or expected-errors.txt`).toBe(true);
            if (update) fs.writeFileSync(expectedYaml, r.stdout);
            expect(r.stderr, 'a valid case loads without diagnostics').not.toMatch(/^\S+:\d+:\d+: /m);
            expect(r.code).toBe(0);
            expect(r.stdout).toBe(fs.readFileSync(expectedYaml, 'utf8'));
          }
        });
      }
    });
  }
});
