// Privileged, real engine: `stack build` of a small Dockerfile FROM the project's busybox
// test image, and `up`'s compose rule around it — a missing image is built before anything
// starts, `--build` builds again, `--no-build` refuses a missing image naming the service —
// and a broken Dockerfile or a failing RUN: located errors, exit 1, and nothing changed
// (the running container and the stored image are the ones from before). `plan` shows a
// missing image's build and the container as its Dockerfile makes it.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let file: string;
let project: string;
let image: string;

const DOCKERFILE = `FROM ${TEST_IMAGE}
ARG GREETING=hello
RUN echo "$GREETING from the build" > /greeting && echo built-line-1 && echo built-line-2
COPY page.txt /page.txt
CMD ["sh", "-c", "cat /greeting /page.txt; sleep 1000"]
`;

const writeDockerfile = (text: string) => fs.writeFileSync(path.join(env.root, 'web', 'Dockerfile'), text);
const run = (...args: string[]) => stack(env, ['-f', file, ...args]);
const imageId = () =>
  run('image', 'ls')
    .stdout.split('\n')
    .find((l) => l.startsWith(`${image} `))
    ?.split(/\s+/)[1];
const webRow = () =>
  run('ps')
    .stdout.split('\n')
    .find((l) => l.includes(`${project}-web-1`));

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tbuild');
  image = `docker.io/library/${project}-web:latest`;
  fs.mkdirSync(path.join(env.root, 'web'));
  fs.writeFileSync(path.join(env.root, 'web', 'page.txt'), 'page v1\n');
  writeDockerfile(DOCKERFILE);
  file = writeStackFile(
    env,
    project,
    `  web:
    build:
      context: ./web
      args: [GREETING=hi]
    stop_grace_period: 0s
`,
  );
});

afterAll(() => {
  run('down', '-t', '0');
  env.dispose();
});

describe('stack build', () => {
  it('builds the image with plain progress: numbered steps, their output, DONE; then stores it', () => {
    const r = run('build', '--progress', 'plain', '--build-arg', 'GREETING=hey');
    expect(r.stderr).toContain(`#1 [web 1/2] RUN echo "$GREETING from the build" > /greeting`);
    expect(r.stderr).toMatch(/^#1 built-line-1$/m);
    expect(r.stderr).toMatch(/^#1 built-line-2$/m);
    expect(r.stderr).toMatch(/^#1 DONE \d+\.\ds$/m);
    expect(r.stderr).toContain('#2 [web 2/2] COPY page.txt /page.txt');
    expect(r.stderr).toContain(`✔ web: built ${image}`);
    expect(r.code).toBe(0);
    expect(imageId()).toMatch(/^sha256:/);
  });

  it('builds again from the cache, and runs every step with --no-cache', () => {
    const cached = run('build', '--progress', 'plain', '--build-arg', 'GREETING=hey');
    expect(cached.code).toBe(0);
    expect(cached.stderr).toMatch(/^#1 CACHED$/m);
    expect(cached.stderr).toMatch(/^#2 CACHED$/m);
    const fresh = run('build', '--no-cache', '--progress', 'plain', 'web');
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).not.toContain('CACHED');
    expect(fresh.stderr).toMatch(/^#1 built-line-1$/m);
  });

  it('refuses a service that is not in the file', () => {
    const r = run('build', 'nosuch');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such service: nosuch');
  });
});

describe('up and the build rule', () => {
  it('--no-build with the image missing is an error naming the service, and starts nothing', () => {
    expect(run('image', 'rm', image).code).toBe(0);
    const r = run('up', '-d', '--no-build');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `service web: image ${image} is not in the local store and --no-build was given; run \`stack build web\` first`,
    );
    expect(webRow()).toBeUndefined();
  });

  it('plan with the image missing shows the build up would run first and the container as its Dockerfile makes it', () => {
    const r = run('plan');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `note: service web: image ${image} is not built yet; \`up\` builds it first (\`stack build web\` builds it now)`,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `container\\.start ${project}-web-1 image=${image.replace(/[.]/g, '\\.')} .*cmd=\\["sh","-c","cat /greeting /page.txt; sleep 1000"\\]`,
      ),
    );
    expect(r.stdout).not.toContain('not in the local store');
    expect(imageId()).toBeUndefined(); // nothing was built
  });

  it('up builds the missing image before it starts the container', () => {
    const r = run('up', '-d');
    expect(r.stderr).toContain('#1 [web 1/2] RUN');
    expect(r.code).toBe(0);
    expect(webRow()).toMatch(/running/);
    expect(imageId()).toMatch(/^sha256:/);
  });

  it('up with the image stored builds nothing; up --build builds again and replaces the container', () => {
    const idBefore = imageId();
    const again = run('up', '-d');
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('[web 1/2]');
    fs.writeFileSync(path.join(env.root, 'web', 'page.txt'), 'page v2\n');
    const rebuilt = run('up', '-d', '--build');
    expect(rebuilt.stderr).toMatch(/^#1 CACHED$/m);
    expect(rebuilt.stderr).toMatch(/^#2 DONE/m);
    expect(rebuilt.code).toBe(0);
    expect(imageId()).not.toBe(idBefore);
    expect(run('exec', 'web', 'cat', '/page.txt').stdout).toBe('page v2\n');
  });

  it('a broken Dockerfile: every mistake at its line with a caret, exit 1, nothing changed', () => {
    const id = imageId();
    const row = webRow();
    writeDockerfile(`FROM ${TEST_IMAGE}\nRUNN echo broken\nCOPY --bogus=1 page.txt /\n`);
    const r = run('up', '-d', '--build');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`stack: the image of web (${image}) could not be built:`);
    expect(r.stderr).toMatch(/web\/Dockerfile:2:1: unknown instruction RUNN.*\n {4}RUNN echo broken\n {4}\^/);
    expect(r.stderr).toMatch(/web\/Dockerfile:3:\d+: .*bogus/);
    expect(r.stderr).toContain('2 problems found in the Dockerfile; nothing was changed.');
    expect(imageId()).toBe(id);
    expect(webRow()).toBe(row);
  });

  it('a failing RUN: the step, its exit code and last output lines, exit 1, nothing changed', () => {
    const id = imageId();
    const row = webRow();
    writeDockerfile(`FROM ${TEST_IMAGE}\nRUN echo about-to-fail && echo on-stderr >&2 && exit 7\n`);
    const r = run('build', '--progress', 'quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'web/Dockerfile:2:1: RUN echo about-to-fail && echo on-stderr >&2 && exit 7 failed with exit code 7',
    );
    expect(r.stderr).toMatch(/its last output lines:\n {4}about-to-fail\n {4}on-stderr/);
    expect(imageId()).toBe(id);
    expect(webRow()).toBe(row);
    writeDockerfile(DOCKERFILE);
  });
});

describe('a first up whose build fails', () => {
  it('leaves no supervisor, no state and no container of the stack', () => {
    const dir = path.join(env.root, 'fresh');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN exit 9\n`);
    const fresh = uniqueProject('tbuildf');
    fs.writeFileSync(path.join(dir, 'stack.yaml'), `name: ${fresh}\nservices:\n  app:\n    build: .\n`);
    const r = stack(env, ['-f', path.join(dir, 'stack.yaml'), 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RUN exit 9 failed with exit code 9');
    expect(fs.existsSync(path.join(env.env.STACK_RUN!, fresh))).toBe(false);
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', fresh))).toBe(false);
    expect(stack(env, ['-p', fresh, 'ps']).stdout).not.toContain(fresh);
  });
});

describe('several builds', () => {
  it('builds a service:NAME context first and the FROM takes it; an image two services share is built once', () => {
    const dir = path.join(env.root, 'multi');
    fs.mkdirSync(path.join(dir, 'base'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'base', 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo from-base > /base.txt\n`);
    fs.writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'FROM base\nRUN cat /base.txt > /app.txt\n');
    const multi = uniqueProject('tbuildm');
    fs.writeFileSync(
      path.join(dir, 'stack.yaml'),
      `name: ${multi}
services:
  base:
    build: ./base
  app:
    build:
      context: ./app
      additional_contexts: { base: "service:base" }
  worker:
    image: ${multi}-app
    build:
      context: ./app
      additional_contexts: { base: "service:base" }
`,
    );
    const r = stack(env, ['-f', path.join(dir, 'stack.yaml'), 'build', '--progress', 'plain']);
    expect(r.code).toBe(0);
    const started = r.stderr.split('\n').filter((l) => /^#\d+ \[/.test(l));
    expect(started).toEqual([
      '#1 [base 1/1] RUN echo from-base > /base.txt',
      '#2 [app, worker 1/1] RUN cat /base.txt > /app.txt',
    ]);
    const ls = stack(env, ['image', 'ls']).stdout;
    expect(ls).toContain(`docker.io/library/${multi}-base:latest`);
    expect(ls).toContain(`docker.io/library/${multi}-app:latest`);
    for (const name of ['base', 'app']) expect(stack(env, ['image', 'rm', `${multi}-${name}`]).code).toBe(0);
  });
});
