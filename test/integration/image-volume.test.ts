// Privileged, real engine: a `type: image` volume. An image of two layers (the busybox
// test image and a COPY of a folder, built by `stack build`) is mounted whole (a read-only
// overlay of both layers) and by `image.subpath` (only that folder, from one layer: a
// read-only bind): its files are at the target and writes fail. A subpath that is a
// symbolic link in the image (pointing at /etc) is refused, never followed on the host.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INIT_STAGES } from '../support/init-stages.js';
import {
  importTestImage,
  makeStackEnv,
  stack,
  TEST_IMAGE,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';

let env: StackEnv;
let project: string;
let file: string;
let content: string;

const sh = (service: string, script: string) => stack(env, ['-f', file, 'exec', service, 'sh', '-c', script]);

function imageService(name: string, mounts: string): string {
  return `  ${name}:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    volumes:
${mounts}`;
}

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('timgvol');
  content = `stack.local/${project}-content:1`;
  const ctx = path.join(env.root, 'content');
  fs.mkdirSync(path.join(ctx, 'data', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(ctx, 'data', 'top.txt'), 'top of the image\n');
  fs.writeFileSync(path.join(ctx, 'data', 'sub', 'inner.txt'), 'inside sub\n');
  fs.symlinkSync('/etc', path.join(ctx, 'data', 'escape'));
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY data /data\n`);
  const buildFile = path.join(env.root, 'build.yaml');
  fs.writeFileSync(
    buildFile,
    `name: ${project}-build\nservices:\n  content:\n    image: ${content}\n    build: ./content\n`,
  );
  const built = stack(env, ['-f', buildFile, 'build']);
  if (built.code !== 0) throw new Error(`building the content image failed: ${built.stderr}`);
  file = writeStackFile(
    env,
    project,
    imageService(
      'app',
      `      - { type: image, source: ${content}, target: /img }
      - { type: image, source: ${content}, target: /sub, image: { subpath: data/sub } }
`,
    ),
  );
});

afterAll(() => {
  env.dispose();
});

describe.each(INIT_STAGES)('volumes of type image (%s init stage)', (stage) => {
  beforeAll(() => {
    if (stage === 'node') env.env.STACK_INIT_STAGE = 'node';
    else delete env.env.STACK_INIT_STAGE;
  });
  afterAll(() => {
    stack(env, ['-f', file, 'down', '-t', '0']);
  });

  it('shows every layer of the image at the target, read-only', () => {
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const r = sh('app', 'cat /img/data/top.txt /img/data/sub/inner.txt; test -x /img/bin/busybox && echo base-layer');
    expect(r.stdout, r.stderr).toBe('top of the image\ninside sub\nbase-layer\n');
    const w = sh('app', 'echo x > /img/data/new');
    expect(w.code).not.toBe(0);
    expect(w.stderr).toMatch(/Read-only file system/);
  });

  it('with image.subpath, shows only that folder, read-only', () => {
    expect(sh('app', 'ls -A /sub').stdout).toBe('inner.txt\n');
    expect(sh('app', 'cat /sub/inner.txt').stdout).toBe('inside sub\n');
    const w = sh('app', 'echo x > /sub/new');
    expect(w.code).not.toBe(0);
    expect(w.stderr).toMatch(/Read-only file system/);
  });
});

describe('a volume of type image with a symbolic link for subpath', () => {
  it('is refused, and nothing of the host is mounted', () => {
    const escapeFile = path.join(env.root, 'escape.yaml');
    fs.writeFileSync(
      escapeFile,
      `name: ${project}x\nservices:\n` +
        imageService(
          'esc',
          `      - { type: image, source: ${content}, target: /esc, image: { subpath: data/escape } }\n`,
        ),
    );
    try {
      const up = stack(env, ['-f', escapeFile, 'up', '-d']);
      expect(up.code).not.toBe(0);
      expect(up.stderr).toContain(`subpath "data/escape": data/escape is a symbolic link in the image`);
    } finally {
      stack(env, ['-f', escapeFile, 'down', '-t', '0']);
    }
  });
});
