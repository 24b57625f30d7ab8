// `stack convert` through the real command line: the manifests on stdout are the golden
// ones, each warning is shown at its line, --strict makes them errors and prints nothing,
// -o writes one file per object, and an image stack built is pinned by the digest the
// image store holds (what `stack push` sends).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTestImage, makeStackEnv, repoRoot, stack, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
beforeAll(() => (env = makeStackEnv()));
afterAll(() => env.dispose());

const WEBAPP = 'examples/webapp/stack.yaml';
const golden = (name: string) =>
  fs.readFileSync(path.join(repoRoot, `test/convert/golden/${name}.yaml`), 'utf8').replace(/^# warning: .*\n/gm, '');

describe('stack convert', () => {
  it('prints the golden manifests, and each warning at its line with a caret', () => {
    const r = stack(env, ['-f', WEBAPP, 'convert', '--publish', 'NodePort'], repoRoot);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(golden('webapp'));
    expect(r.stderr).toContain(`warning: ${WEBAPP}:10:9: host port 8081 is outside the cluster's NodePort range`);
    expect(r.stderr).toContain('          - "8081:8080"\n            ^');
    expect(r.stderr).toMatch(/3 things of the stack not carried over \(--strict makes them errors\)\n$/);
  });

  it('--strict: what cannot carry over is an error, and no manifest is printed', () => {
    const r = stack(env, ['-f', WEBAPP, 'convert', '--strict'], repoRoot);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${WEBAPP}:8:5: stack builds webapp-web`);
  });

  it('-o DIR writes one file per object', () => {
    const out = path.join(env.root, 'k8s');
    const r = stack(env, ['-f', 'examples/hello/stack.yaml', 'convert', '-o', out], repoRoot);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual([
      'deployment-client.yaml',
      'deployment-web.yaml',
      'networkpolicy-network-default.yaml',
      'networkpolicy-web-published.yaml',
      'service-client.yaml',
      'service-web-published.yaml',
      'service-web.yaml',
    ]);
    expect(fs.readFileSync(path.join(out, 'deployment-web.yaml'), 'utf8')).toContain('kind: Deployment\n');
  });

  it("-o DIR never writes through a symlink another user planted, nor into another user's folder", () => {
    // The attack: a local user prepares the folder root will write into, a symlink at a
    // manifest's name pointing at a file of root's (here a victim file of the test).
    const victim = path.join(env.root, 'victim');
    fs.writeFileSync(victim, 'untouched');
    const planted = path.join(env.root, 'planted');
    fs.mkdirSync(planted);
    fs.symlinkSync(victim, path.join(planted, 'deployment-web.yaml'));
    const r = stack(env, ['-f', 'examples/hello/stack.yaml', 'convert', '-o', planted], repoRoot);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('deployment-web.yaml is a symlink; refusing to write through it');
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched');
    const chart = path.join(env.root, 'planted-chart');
    fs.mkdirSync(chart);
    fs.symlinkSync(planted, path.join(chart, 'templates'));
    const h = stack(env, ['-f', 'examples/hello/stack.yaml', 'convert', '--format', 'helm', '-o', chart], repoRoot);
    expect(h.code).toBe(1);
    expect(h.stderr).toContain('templates is not a folder (a symlink?)');
    const theirs = path.join(env.root, 'theirs');
    fs.mkdirSync(theirs);
    fs.chownSync(theirs, 65534, 65534);
    const t = stack(env, ['-f', 'examples/hello/stack.yaml', 'convert', '-o', theirs], repoRoot);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('belongs to uid 65534');
    expect(fs.readdirSync(theirs)).toEqual([]);
  });

  it('--format helm -o DIR writes a chart; without -o it is a usage error', () => {
    const out = path.join(env.root, 'chart');
    const r = stack(env, ['-f', 'examples/hello/stack.yaml', 'convert', '--format', 'helm', '-o', out], repoRoot);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['Chart.yaml', 'templates', 'values.yaml']);
    expect(fs.readFileSync(path.join(out, 'Chart.yaml'), 'utf8')).toContain('name: hello\n');
    expect(fs.readdirSync(path.join(out, 'templates'))).toContain('deployment-web.yaml');
    expect(stack(env, ['-f', WEBAPP, 'convert', '--format', 'helm'], repoRoot).code).toBe(2);
  });

  it('refuses an unknown format or Service type as a usage error', () => {
    expect(stack(env, ['-f', WEBAPP, 'convert', '--format', 'swarm'], repoRoot).code).toBe(2);
    expect(stack(env, ['-f', WEBAPP, 'convert', '--publish', 'ClusterIP'], repoRoot).code).toBe(2);
  });

  it('--registry: a built image is referenced there by the digest the image store holds', () => {
    importTestImage(env);
    const dir = path.join(env.root, 'built');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    fs.writeFileSync(
      path.join(dir, 'stack.yaml'),
      `name: built\nservices:\n  app:\n    build: .\n    image: ${TEST_IMAGE}\n`,
    );
    const listed = JSON.parse(stack(env, ['image', 'ls', '--format', 'json']).stdout) as Record<string, unknown>[];
    expect(listed.length).toBe(1);
    const r = stack(env, ['convert', '--registry', 'registry.example.com:5000'], dir);
    expect(r.code).toBe(0);
    const digest = /image: registry\.example\.com:5000\/busybox@(sha256:[0-9a-f]{64})\n/.exec(r.stdout)?.[1];
    expect(digest).toBeDefined();
    expect(JSON.stringify(listed)).toContain(digest!);
    expect(r.stderr).not.toContain('referenced by tag');
  });

  it('refuses two services that become one Kubernetes name, naming both and the fix, and writes nothing', () => {
    // Found in review: api_v1 and api-v1 were both written as deployment-api-v1.yaml, the
    // second over the first, with exit 0.
    const dir = path.join(env.root, 'clash');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'stack.yaml'),
      'name: clash\nservices:\n  api_v1:\n    image: busybox\n  api-v1:\n    image: busybox\n',
    );
    const out = path.join(dir, 'k8s');
    const r = stack(env, ['convert', '-o', out], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'stack.yaml:3:3: services api-v1 and api_v1 both become the Kubernetes name api-v1: rename one of them',
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});
