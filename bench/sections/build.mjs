// Section: image builds of one 10-step Dockerfile (FROM the bench's busybox, ENV, WORKDIR,
// two COPYs, three RUNs, EXPOSE, CMD) with `stack build`, `podman build` and docker's
// BuildKit (the private dockerd), timed as wall time of the command: a cold build (no
// cache), a rebuild with nothing changed, and a rebuild after one source file changed
// (the steps from the second COPY on run again).

import fs from 'node:fs';
import path from 'node:path';
import { IMAGE } from '../lib/images.mjs';
import { timed } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';
import { dockerCli } from '../lib/docker-daemon.mjs';

const DOCKERFILE = `FROM ${IMAGE}
ENV APP_HOME=/app
WORKDIR /app
COPY deps.txt ./
RUN for i in $(seq 1 300); do echo "dep $i" >> deps.lock; done
RUN mkdir -p lib && cp /bin/busybox lib/tool
COPY src/ ./src/
RUN cat src/*.txt | wc -l > lines
EXPOSE 8080
CMD ["cat", "/app/lines"]
`;

/** The build context of the section: the Dockerfile, deps.txt, 20 source files and a stack.yaml. */
export function makeContext(dir) {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  fs.writeFileSync(path.join(dir, 'deps.txt'), 'a\nb\nc\n');
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, 'src', `f${i}.txt`), `line ${i}\n`.repeat(50));
  fs.writeFileSync(path.join(dir, 'stack.yaml'), 'services:\n  app:\n    image: bench-build:latest\n    build: .\n');
  return dir;
}

export async function build(ctx) {
  const runs = ctx.runs.build ?? 5;
  const dir = makeContext(path.join(ctx.root, 'build-context'));
  const tools = [
    ['stack', true, (flags) => [ctx.stackBin, ['-f', path.join(dir, 'stack.yaml'), 'build', ...flags], ctx.stackEnv]],
    [
      'podman build',
      ctx.podman,
      (flags) => [
        'podman',
        ['build', '--pull=never', '-q', '-t', 'bench-build:latest', ...flags, dir],
        ctx.podman?.env,
      ],
    ],
    [
      'docker build (BuildKit)',
      ctx.docker,
      (flags) => [
        dockerCli(),
        ['build', '-q', '-t', 'bench-build:latest', ...flags, dir],
        { ...ctx.docker?.env, DOCKER_BUILDKIT: '1' },
      ],
    ],
  ];
  const rows = [];
  const measurements = [
    ['build, cold (no cache)', ['--no-cache'], () => {}],
    ['build, nothing changed', [], () => {}],
    ['build, one source file changed', [], (i) => fs.appendFileSync(path.join(dir, 'src', 'f0.txt'), `edit ${i}\n`)],
  ];
  for (const [tool, present, command] of tools) {
    if (!present) {
      for (const [m] of measurements) rows.push({ measurement: m, tool, absent: true });
      continue;
    }
    try {
      const [cmd, args, env] = command([]);
      timed(cmd, args, { env }); // warm the cache once: the later rows measure rebuilds
      for (const [m, flags, change] of measurements) {
        const samples = [];
        for (let i = 0; i < runs; i++) {
          change(i);
          const [c, a, e] = command(flags);
          samples.push(timed(c, a, { env: e }).ms);
        }
        rows.push({ measurement: m, tool, unit: 'ms', stats: summary(samples) });
      }
    } catch (e) {
      for (const [m] of measurements)
        if (!rows.some((r) => r.measurement === m && r.tool === tool))
          rows.push({ measurement: m, tool, error: e.message });
    }
  }
  // stack keeps its build network for the next build until `image prune` (the peers keep theirs too).
  timed(ctx.stackBin, ['image', 'prune'], { env: ctx.stackEnv, allowFailure: true });
  return rows;
}
