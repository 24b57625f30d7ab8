// Privileged, real engine: an image of 60 layers (the busybox test image and 59 COPY steps,
// built by `stack build`) runs, and mounts whole as a `type: image` volume. mount(2) takes
// one page of options, and 60 layer folders named in `lowerdir=` by their digests do not
// fit (about 55 do as names relative to the layer store, about 40 as absolute paths):
// overlays of many layers name them by short links instead (images/short-layer-links.ts),
// as docker's overlay2 does with its `l/` folder. Both init stages.

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
  type StackEnv,
} from '../support/stack-cli.js';

const LAYERS = 60;
let env: StackEnv;
let project: string;
let image: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tmanylay');
  image = `stack.local/${project}-many:1`;
  const ctx = path.join(env.root, 'many');
  fs.mkdirSync(ctx);
  const steps: string[] = [];
  for (let i = 1; i < LAYERS; i++) {
    fs.writeFileSync(path.join(ctx, `f${i}`), `layer ${i}\n`);
    steps.push(`COPY f${i} /many/f${i}`);
  }
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\n${steps.join('\n')}\n`);
  const buildFile = path.join(env.root, 'build.yaml');
  fs.writeFileSync(buildFile, `name: ${project}-build\nservices:\n  many:\n    image: ${image}\n    build: ./many\n`);
  const built = stack(env, ['-f', buildFile, 'build']);
  if (built.code !== 0) throw new Error(`building the ${LAYERS}-layer image failed: ${built.stderr}`);
});

afterAll(() => env.dispose());

describe.each(INIT_STAGES)('an image of 60 layers (%s init stage)', (stage) => {
  let file: string;
  const run = (...args: string[]) => stack(env, ['-f', file, ...args]);

  beforeAll(() => {
    if (stage === 'node') env.env.STACK_INIT_STAGE = 'node';
    else delete env.env.STACK_INIT_STAGE;
    file = path.join(env.root, `stack-${stage}.yaml`);
    fs.writeFileSync(
      file,
      `name: ${project}-${stage}
services:
  app:
    image: ${image}
    command: sleep 1000
    stop_grace_period: 0s
  viewer:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    volumes:
      - { type: image, source: ${image}, target: /img }
`,
    );
  });

  afterAll(() => {
    run('down', '-t', '0');
  });

  it('has 60 layers', () => {
    const refs = path.join(env.env.STACK_ROOT!, 'images', 'refs');
    const infos = fs.readdirSync(refs).map((f) => fs.readFileSync(path.join(refs, f), 'utf8'));
    const info = infos
      .map((t) => JSON.parse(t) as { layers?: unknown[] })
      .find((i) => JSON.stringify(i).includes(image));
    expect(info?.layers).toHaveLength(LAYERS);
  });

  it('runs as a container, every layer in its root, and mounts as an image volume', () => {
    const up = run('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const inRoot = run('exec', 'app', 'sh', '-c', `cat /many/f1 /many/f${LAYERS - 1}; ls /many | wc -l`);
    expect(inRoot.code, inRoot.stderr).toBe(0);
    expect(inRoot.stdout.split('\n').map((l) => l.trim())).toEqual([
      'layer 1',
      `layer ${LAYERS - 1}`,
      `${LAYERS - 1}`,
      '',
    ]);
    const inVolume = run('exec', 'viewer', 'sh', '-c', `cat /img/many/f${LAYERS - 1}; ls /img/many | wc -l`);
    expect(inVolume.code, inVolume.stderr).toBe(0);
    expect(inVolume.stdout.split('\n').map((l) => l.trim())).toEqual([`layer ${LAYERS - 1}`, `${LAYERS - 1}`, '']);
  });
});
