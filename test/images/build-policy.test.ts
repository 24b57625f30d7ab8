import { describe, expect, it } from 'vitest';
import { decideBuilds, type BuildJob, type BuildMode } from '../../images/build-policy.js';
import { ImageMissingError } from '../../images/pull-policy.js';
import { BuildsFailedError, runBuilds } from '../../images/run-builds.js';
import { serviceBuildRequest } from '../../images/service-build-request.js';
import { load } from '../planner/helpers.js';

const STACK = `
name: shop
services:
  base:
    build: ./base
  web:
    build:
      context: ./web
      additional_contexts: { base: "service:base" }
    depends_on: [db]
  worker:
    image: shop-web
    build: ./web
  db:
    image: postgres
  tool:
    image: registry.local/tool:1
    build: ./tool
    pull_policy: build
`;
const stack = load(STACK);
const names = stack.services.map((s) => s.name);

function decide(
  mode: BuildMode,
  stored: string[],
  wanted = names,
): { ref: string; services: string[]; after: string[] }[] {
  const have = new Set(stored.map((r) => (r.includes('/') ? r : `docker.io/library/${r}:latest`)));
  return decideBuilds(stack.services, wanted, mode, (ref) => have.has(ref)).map((j) => ({
    ref: j.ref,
    services: j.services,
    after: j.after,
  }));
}
const REF = (name: string) => `docker.io/library/${name}:latest`;

describe('decideBuilds (compose: build what is missing, --build all, --no-build none)', () => {
  it('up builds the images missing from the store, and what pull_policy: build asks for', () => {
    expect(decide('missing', ['shop-base', 'shop-web'])).toEqual([
      { ref: 'registry.local/tool:1', services: ['tool'], after: [] },
    ]);
  });

  it('an image two services share is built once, and a service:NAME context that is missing is built first', () => {
    expect(decide('missing', [])).toEqual([
      { ref: REF('shop-base'), services: ['base'], after: [] },
      { ref: REF('shop-web'), services: ['web', 'worker'], after: [REF('shop-base')] },
      { ref: 'registry.local/tool:1', services: ['tool'], after: [] },
    ]);
  });

  it('a stored context image is used as it is when only its user is missing', () => {
    expect(decide('missing', ['shop-base'], ['web'])).toEqual([
      { ref: REF('shop-web'), services: ['web', 'worker'], after: [] },
    ]);
  });

  it('up --build and stack build build every selected build, with the context images they take; depends_on does not add builds', () => {
    const all = ['shop-base', 'shop-web', 'postgres'];
    expect(decide('always', all, ['web'])).toEqual([
      { ref: REF('shop-base'), services: ['base'], after: [] },
      { ref: REF('shop-web'), services: ['web', 'worker'], after: [REF('shop-base')] },
    ]);
  });

  it('--no-build builds nothing, and a missing image is an error naming each service', () => {
    expect(decide('never', ['shop-base', 'shop-web', 'registry.local/tool:1'])).toEqual([]);
    let err: unknown;
    try {
      decide('never', ['shop-base']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImageMissingError);
    const problems = (err as ImageMissingError).problems;
    expect(problems).toEqual([
      'service tool: image registry.local/tool:1 is not in the local store and --no-build was given; run `stack build tool` first',
      `service web: image ${REF('shop-web')} is not in the local store and --no-build was given; run \`stack build web\` first`,
      `service worker: image ${REF('shop-web')} is not in the local store and --no-build was given; run \`stack build worker\` first`,
    ]);
  });
});

describe('serviceBuildRequest', () => {
  const full = load(
    `
name: shop
services:
  base:
    build: ./base
  web:
    image: registry.local/web:dev
    build:
      context: ./web
      dockerfile: docker/Dockerfile
      target: runtime
      args: { A: "1", B: "2", FROM_ENV: null }
      labels: { team: web }
      network: none
      extra_hosts: ["mirror=10.0.0.5"]
      shm_size: 64m
      no_cache: false
      tags: [web-local]
      secrets: [{ source: npmrc, target: npm }]
      additional_contexts: { base: "service:base", assets: ../assets, alpine: "docker-image://alpine:3" }
  inline:
    build:
      dockerfile_inline: "FROM busybox"
secrets:
  npmrc:
    file: ./.npmrc
`,
    { FROM_ENV: 'e' },
  );
  const svc = (n: string) => full.services.find((s) => s.name === n)!;

  it("fills every field from the file; tags are the service's image then build.tags; CLI overrides win", () => {
    const req = serviceBuildRequest(full, svc('web'), { noCache: true, buildArgs: { B: 'cli', C: '3' } });
    expect(req).toEqual({
      context: '/home/u/My App/web',
      dockerfile: { file: '/home/u/My App/web/docker/Dockerfile' },
      buildArgs: new Map([
        ['A', '1'],
        ['B', 'cli'],
        ['FROM_ENV', 'e'],
        ['C', '3'],
      ]),
      target: 'runtime',
      tags: ['registry.local/web:dev', 'docker.io/library/web-local:latest'],
      labels: { team: 'web' },
      noCache: true,
      pull: false,
      network: 'none',
      extraHosts: [{ host: 'mirror', ip: '10.0.0.5' }],
      shmSizeBytes: 64 * 1024 * 1024,
      secrets: [{ id: 'npm', file: '/home/u/My App/.npmrc' }],
      additionalContexts: {
        base: 'image:docker.io/library/shop-base:latest',
        assets: '/home/u/assets',
        alpine: 'image:alpine:3',
      },
    });
  });

  it('an inline Dockerfile and the compose name <project>-<service>', () => {
    const req = serviceBuildRequest(full, svc('inline'), { pull: true });
    expect(req.dockerfile).toEqual({ inline: 'FROM busybox' });
    expect(req.context).toBe('/home/u/My App');
    expect(req.tags).toEqual(['docker.io/library/shop-inline:latest']);
    expect(req.pull).toBe(true);
    expect(req.network).toBe('default');
  });
});

describe('runBuilds', () => {
  const job = (ref: string, after: string[] = []): BuildJob => ({
    ref,
    after,
    services: [ref],
    service: stack.services[0]!,
  });

  it('starts independent builds together and a build after the ones it takes as context', async () => {
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const build = (j: BuildJob) =>
      new Promise<void>((resolve) => {
        log.push(`start ${j.ref}`);
        gates.set(j.ref, () => (log.push(`end ${j.ref}`), resolve()));
      });
    const run = runBuilds([job('a'), job('b'), job('c', ['a', 'b'])], build);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start a', 'start b']);
    gates.get('a')!();
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start a', 'start b', 'end a']);
    gates.get('b')!();
    await new Promise((r) => setImmediate(r));
    gates.get('c')!();
    await run;
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b', 'start c', 'end c']);
  });

  it('after a failure nothing new starts, running builds finish, and every failure is reported', async () => {
    const started: string[] = [];
    const build = async (j: BuildJob) => {
      started.push(j.ref);
      if (j.ref !== 'ok') throw new Error(`${j.ref} broke`);
    };
    const err = await runBuilds([job('a'), job('ok'), job('b'), job('c', ['ok'])], build).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildsFailedError);
    expect((err as BuildsFailedError).failures.map((f) => f.job.ref)).toEqual(['a', 'b']);
    expect(started).toEqual(['a', 'ok', 'b']);
  });
});
