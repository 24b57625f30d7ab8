// The Compose conformance suite: one folder per feature under test/conformance/, one
// folder per case inside it. A case is a stack.yaml and either expected.yaml (the file is
// valid; `stack config` must print exactly this) or expected.txt (the file is invalid; the
// rendered diagnostics must be exactly these). Optional env.json gives the variables.
// Every case is loaded as /project/stack.yaml, so resolved paths do not depend on where
// the repository lives.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfig } from '../../cli/commands/config-action.js';
import { renderDiagnostics } from '../../cli/render-diagnostics.js';
import { StackFileError } from '../../planner/diagnostics.js';
import { loadStack } from '../../planner/load.js';

const root = path.dirname(fileURLToPath(import.meta.url));
const dirs = (p: string) => fs.readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function run(caseDir: string): { config?: string; diagnostics?: string } {
  const text = fs.readFileSync(path.join(caseDir, 'stack.yaml'), 'utf8');
  const envFile = path.join(caseDir, 'env.json');
  const env = { HOME: '/home/user', ...(fs.existsSync(envFile) ? (JSON.parse(fs.readFileSync(envFile, 'utf8')) as Record<string, string>) : {}) };
  try {
    const stack = loadStack({ files: [{ path: 'stack.yaml', text }], projectDir: '/project', env });
    return { config: renderConfig(stack, { format: 'yaml' }) };
  } catch (e) {
    if (e instanceof StackFileError) return { diagnostics: `${renderDiagnostics(e.diagnostics)}\n` };
    throw e;
  }
}

const features = dirs(root);

describe('conformance', () => {
  it('has cases', () => {
    expect(features.length).toBeGreaterThanOrEqual(10);
  });

  for (const feature of features) {
    describe(feature, () => {
      for (const name of dirs(path.join(root, feature))) {
        const caseDir = path.join(root, feature, name);
        const expectedYaml = path.join(caseDir, 'expected.yaml');
        const expectedTxt = path.join(caseDir, 'expected.txt');
        it(name, () => {
          const got = run(caseDir);
          if (fs.existsSync(expectedYaml)) {
            expect(got.diagnostics, 'a valid case must load without diagnostics').toBeUndefined();
            expect(got.config).toBe(fs.readFileSync(expectedYaml, 'utf8'));
          } else {
            expect(fs.existsSync(expectedTxt), `${caseDir} needs expected.yaml or expected.txt`).toBe(true);
            expect(got.config, 'an invalid case must be rejected').toBeUndefined();
            expect(got.diagnostics).toBe(fs.readFileSync(expectedTxt, 'utf8'));
          }
        });
      }
    });
  }
});
