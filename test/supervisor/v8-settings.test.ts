// The supervisor sets its V8 flags at run time (supervisor/v8-settings.ts) so that node's
// builtins and its own code cache load under the default flags. Each case runs in a node
// of its own: the flags are the process's.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/stack-cli.js';

const settings = JSON.stringify(path.join(repoRoot, 'dist/supervisor/v8-settings.js'));

/** Runs `body` (an ES module's text, after the settings module is imported as `s`) in a plain node; its stdout. */
function inNode(body: string): string {
  const script = `import * as s from ${settings};\nimport vm from 'node:vm';\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

describe('applyV8Settings', () => {
  it('gives a gc() that collects, and leaves none in the global scope', () => {
    const out = inNode(
      `s.applyV8Settings();
const gc = s.exposedGc();
let kept = new Array(1e6).fill({});
kept = undefined;
const before = process.memoryUsage().heapUsed;
gc();
console.log(typeof gc, typeof globalThis.gc, process.memoryUsage().heapUsed < before);`,
    );
    expect(out).toBe('function undefined true');
  });

  it('changes the flags a code cache is checked against, and sets them back before the exit', () => {
    // A cache made under the default flags is refused while the run-time flags are set,
    // and accepted again once they are reset: the supervisor's cache, written at exit
    // after resetV8Flags, serves the next start (made with no flags on its command line).
    const out = inNode(
      `const source = 'function f(x) { return x + 1 }';
const cachedData = new vm.Script(source).createCachedData();
// A file name of its own each time: V8's in-memory cache of compiled scripts would answer first.
let n = 0;
const refused = () => new vm.Script(source, { cachedData, filename: \`f\${n++}.js\` }).cachedDataRejected;
const atStart = refused();
s.applyV8Settings();
const whileSet = refused();
s.resetV8Flags();
console.log(atStart, whileSet, refused());`,
    );
    expect(out).toBe('false true false');
  });
});
