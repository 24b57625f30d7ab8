// Privileged, real engine: a `type: image` volume. An image of two layers (the busybox
// test image and a COPY of a folder, built by `stack build`) is mounted whole (a read-only
// overlay of both layers) and by `image.subpath` (only that folder, from one layer: a
// read-only bind): its files are at the target and writes fail. A subpath that is a
// symbolic link in the image (pointing at /etc) is refused, never followed on the host.
// A one-layer volume's shadow folder whose build was killed is removed by the next start.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INIT_STAGES } from '../support/init-stages.js';
import { stackStoppedAt } from '../support/fault-points.js';
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
  plantInLayer();
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

/**
 * What a layer may hold beyond plain files, put into the stored layer that alone shows
 * `data/sub`: whiteouts (character devices 0:0, how the store keeps `.wh.` entries, which
 * hide names of the layers below and must never show themselves), one in a folder of its
 * own, a setuid-root program and a device node (1:3, /dev/null's numbers).
 */
function plantInLayer(): void {
  const layers = path.join(env.env.STACK_ROOT!, 'images', 'layers');
  const layer = fs.readdirSync(layers).find((l) => fs.existsSync(path.join(layers, l, 'data/sub/inner.txt')))!;
  const sub = path.join(layers, layer, 'data/sub');
  const mknod = (p: string, major: number, minor: number) => {
    const r = spawnSync('mknod', [p, 'c', String(major), String(minor)]);
    if (r.status !== 0) throw new Error(`mknod ${p}: ${r.stderr}`);
  };
  mknod(path.join(sub, 'gone'), 0, 0);
  fs.mkdirSync(path.join(sub, 'deeper'));
  mknod(path.join(sub, 'deeper', 'gone-too'), 0, 0);
  mknod(path.join(sub, 'null'), 1, 3);
  fs.copyFileSync(path.join(layers, layer, 'data/top.txt'), path.join(sub, 'suid'));
  fs.chmodSync(path.join(sub, 'suid'), 0o4755);
}

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
    expect(sh('app', 'ls -A /sub').stdout).toBe('deeper\ninner.txt\nnull\nsuid\n');
    expect(sh('app', 'cat /sub/inner.txt').stdout).toBe('inside sub\n');
    const w = sh('app', 'echo x > /sub/new');
    expect(w.code).not.toBe(0);
    expect(w.stderr).toMatch(/Read-only file system/);
  });

  it('from one layer, shows none of its whiteouts and is nosuid and nodev (found in review: a plain bind)', () => {
    const r = sh('app', 'ls -A /sub/deeper; grep " /sub " /proc/self/mounts; cat /sub/null && echo opened');
    expect(r.stdout).not.toContain('gone');
    expect(r.stdout).not.toContain('opened');
    expect(r.stderr).toMatch(/Permission denied/);
    const options = r.stdout.split(' ')[3]!.split(',');
    expect(options).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev']));
  });

  it("from one layer, keeps its shadow folder from one start to the next rather than walking the layer's folder again", () => {
    const shadows = path.join(env.env.STACK_ROOT!, 'images', 'shadows');
    const kept = fs.readdirSync(shadows).map((n) => [n, fs.statSync(path.join(shadows, n)).ino] as const);
    expect(kept).toHaveLength(1);
    const restarted = stack(env, ['-f', file, 'restart', '-t', '0']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(sh('app', 'ls -A /sub/deeper').stdout).not.toContain('gone');
    expect(fs.readdirSync(shadows).map((n) => [n, fs.statSync(path.join(shadows, n)).ino] as const)).toEqual(kept);
  });
});

describe('a shadow folder whose build was killed (-9)', () => {
  it('is removed by the next start, which builds and keeps a whole one', async () => {
    const shadows = path.join(env.env.STACK_ROOT!, 'images', 'shadows');
    fs.rmSync(shadows, { recursive: true, force: true });
    // The fault point: the one-off's `stack run` stops with its shadow built aside, not yet renamed.
    try {
      const { pid, result } = await stackStoppedAt(env, ['-f', file, 'run', '--rm', 'app', 'true'], 'shadow-built');
      const aside = fs.readdirSync(shadows);
      expect(aside).toEqual([expect.stringContaining('.partial-')]);
      process.kill(pid, 'SIGKILL');
      await result;
      const r = stack(env, ['-f', file, 'run', '--rm', 'app', 'ls', '-A', '/sub/deeper']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('gone');
      // One shadow, the kept one: nothing of the killed build is left beside it.
      const left = fs.readdirSync(shadows);
      expect(left).toHaveLength(1);
      expect(left[0]).not.toContain('.partial-');
    } finally {
      stack(env, ['-f', file, 'down', '-t', '0']);
    }
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
