import { describe, expect, it } from 'vitest';
import { buildSteps, type BuildStepsInput } from '../../../images/build/build-steps.js';
import { BuildPlanError, emptyConfig, type ImageConfig } from '../../../images/build/build-plan.js';
import { parseDockerfile } from '../../../images/build/dockerfile-parse.js';

const busybox: ImageConfig = { ...emptyConfig(), env: ['PATH=/usr/bin:/bin'], cmd: ['sh'] };

function steps(lines: string[], opts: Partial<Omit<BuildStepsInput, 'dockerfile'>> = {}) {
  const dockerfile = parseDockerfile('Dockerfile', lines.join('\n'));
  expect(dockerfile.diagnostics).toEqual([]);
  return buildSteps({
    dockerfile,
    buildArgs: new Map(),
    platform: { os: 'linux', architecture: 'amd64' },
    imageConfig: (ref) => (ref === 'busybox' ? structuredClone(busybox) : emptyConfig()),
    ...opts,
  });
}

describe('build steps', () => {
  it('scopes ARGs as docker does: global ones in FROM, declared again in a stage, build args winning', () => {
    const out = steps(
      [
        'ARG BASE=busybox',
        'ARG VERSION=1',
        'FROM $BASE',
        'ARG VERSION',
        'ARG OTHER=x',
        'RUN echo $VERSION $OTHER $BASE',
      ],
      {
        buildArgs: new Map([
          ['OTHER', 'from-cli'],
          ['UNUSED', '1'],
        ]),
      },
    );
    const [stage] = out.stages;
    expect(stage.base).toEqual({ kind: 'image', ref: 'busybox' });
    expect(stage.steps[0]).toMatchObject({ kind: 'run', argv: ['/bin/sh', '-c', 'echo $VERSION $OTHER $BASE'] });
    // RUN gets the ARGs in scope as environment (BASE is global only, so not among them).
    expect(stage.steps[0]).toMatchObject({ env: ['PATH=/usr/bin:/bin', 'VERSION=1', 'OTHER=from-cli'] });
    expect(out.unusedBuildArgs).toEqual(['UNUSED']);
  });

  it('lets ENV win over an ARG of the same name and expands values with both', () => {
    const [stage] = steps([
      'FROM busybox',
      'ARG MODE=arg',
      'ENV MODE=env DIR=/srv/$MODE',
      'LABEL mode=$MODE',
      'WORKDIR $DIR',
    ]).stages;
    expect(stage.config.env).toEqual(['PATH=/usr/bin:/bin', 'MODE=env', 'DIR=/srv/arg']);
    expect(stage.config.labels).toEqual({ mode: 'env' });
    expect(stage.config.workingDir).toBe('/srv/arg');
  });

  it('resolves WORKDIR and COPY destinations against the working directory', () => {
    const [stage] = steps(['FROM busybox', 'WORKDIR /app', 'WORKDIR src', 'COPY a.txt b/ ./', 'COPY x rel/']).stages;
    expect(stage.steps.map((s) => (s.kind === 'copy' ? s.dest : s.kind === 'workdir' ? s.path : ''))).toEqual([
      '/app',
      '/app/src',
      '/app/src/',
      '/app/src/rel/',
    ]);
    expect(stage.steps[2]).toMatchObject({ sources: ['a.txt', 'b/'], from: { kind: 'context' } });
  });

  it('plans only the stages the target needs, resolving --from by name and by number', () => {
    const out = steps(
      [
        'FROM busybox AS deps',
        'RUN fetch',
        'FROM busybox AS unused',
        'RUN never',
        'FROM scratch AS app',
        'COPY --from=deps /d /d',
        'COPY --from=0 /e /e',
        'FROM app',
      ],
      { target: 'app' },
    );
    expect(out.stages.map((s) => s.name)).toEqual(['deps', 'app']);
    expect(out.stages[1].steps.map((s) => s.kind === 'copy' && s.from)).toEqual([
      { kind: 'stage', index: 0 },
      { kind: 'stage', index: 0 },
    ]);
    expect(steps(['FROM busybox AS a', 'FROM a']).stages.map((s) => s.base)).toEqual([
      { kind: 'image', ref: 'busybox' },
      { kind: 'stage', index: 0 },
    ]);
  });

  it('refuses an unknown target and a stage used before it is defined, at their lines', () => {
    expect(() => steps(['FROM busybox AS one'], { target: 'two' })).toThrow(
      'target stage two is not in the Dockerfile; its stages: one',
    );
    // BuildKit skips a stage the target does not need, mistakes in it included.
    expect(() => steps(['FROM busybox', 'COPY --from=later /x /x', 'FROM busybox AS later'])).not.toThrow();
    expect(() =>
      steps(['FROM busybox AS a', 'COPY --from=b /x /x', 'FROM busybox AS b', 'COPY --from=a /y /y'], { target: 'b' }),
    ).toThrow(
      expect.objectContaining({
        name: 'BuildPlanError',
        pos: { line: 2, col: 1 },
        message: 'stage b is used before it is defined; a stage can only use earlier stages',
      }),
    );
  });

  it('builds the config: CMD, ENTRYPOINT dropping the base CMD, SHELL, EXPOSE, HEALTHCHECK in nanoseconds', () => {
    const [stage] = steps([
      'FROM busybox',
      'SHELL ["/bin/ash", "-eo", "pipefail", "-c"]',
      'ENTRYPOINT run.sh --flag',
      'EXPOSE 80 53/UDP 8000-8002',
      'HEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD wget -q -O- localhost',
      'STOPSIGNAL SIGQUIT',
      'USER 1000:1000',
      'VOLUME ["/data"]',
    ]).stages;
    expect(stage.config).toMatchObject({
      entrypoint: ['/bin/ash', '-eo', 'pipefail', '-c', 'run.sh --flag'],
      cmd: undefined,
      exposedPorts: { '80/tcp': {}, '53/udp': {}, '8000-8002/tcp': {} },
      healthcheck: { test: ['CMD-SHELL', 'wget -q -O- localhost'], interval: 90e9, timeout: 500e6, retries: 3 },
      stopSignal: 'SIGQUIT',
      user: '1000:1000',
      volumes: { '/data': {} },
    });
    expect(steps(['FROM busybox', 'CMD ["a"]', 'ENTRYPOINT ["b"]']).stages[0].config).toMatchObject({
      cmd: ['a'],
      entrypoint: ['b'],
    });
  });

  it('keeps RUN heredocs as written: the shell expands them when it runs (BuildKit ignores the expand option for RUN)', () => {
    const [stage] = steps([
      'FROM busybox',
      'ENV WHO=world',
      "RUN <<A sh && <<'B' sh",
      'echo "hi $WHO"',
      'A',
      'echo $WHO',
      'B',
    ]).stages;
    expect(stage.steps[0]).toMatchObject({
      heredocs: [
        { name: 'A', body: 'echo "hi $WHO"\n' },
        { name: 'B', body: 'echo $WHO\n' },
      ],
    });
  });

  it('sets the platform ARGs globally and in a stage only when declared', () => {
    const [stage] = steps([
      'FROM busybox-$TARGETARCH',
      'RUN echo $TARGETOS',
      'ARG TARGETARCH',
      'RUN echo $TARGETARCH',
    ]).stages;
    expect(stage.base).toEqual({ kind: 'image', ref: 'busybox-amd64' });
    expect(stage.steps.map((s) => s.kind === 'run' && s.env.filter((e) => e.startsWith('TARGET')))).toEqual([
      [],
      ['TARGETARCH=amd64'],
    ]);
  });

  it('names the line of a failed expansion', () => {
    expect(() => steps(['FROM busybox', 'ARG REQUIRED', 'WORKDIR ${REQUIRED:?give --build-arg REQUIRED}'])).toThrow(
      expect.objectContaining({ pos: { line: 3, col: 1 }, message: 'REQUIRED: give --build-arg REQUIRED' }),
    );
  });

  it('reports every planning mistake at once, each at its line, in every stage the target needs', () => {
    const lines = [
      'FROM busybox AS deps',
      'ARG REQUIRED',
      'WORKDIR ${REQUIRED:?give --build-arg REQUIRED}',
      'EXPOSE eighty',
      'FROM deps AS app',
      'COPY --from=later /x /x',
      'HEALTHCHECK --interval=5 CMD true',
      'FROM busybox AS later',
    ];
    const err = (() => {
      try {
        steps(lines, { target: 'app' });
      } catch (e) {
        return e as BuildPlanError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(BuildPlanError);
    expect(err.problems).toEqual([
      { pos: { line: 3, col: 1 }, message: 'REQUIRED: give --build-arg REQUIRED' },
      { pos: { line: 4, col: 1 }, message: 'EXPOSE eighty: expected PORT[/PROTOCOL], e.g. 80 or 53/udp' },
      {
        pos: { line: 6, col: 1 },
        message: 'stage later is used before it is defined; a stage can only use earlier stages',
      },
      {
        pos: { line: 7, col: 1 },
        message: 'HEALTHCHECK duration 5: expected a number with a unit, e.g. 30s or 1m30s',
      },
    ]);
  });

  it("runs a base image's ONBUILD triggers first, at its FROM line, and does not pass them on", () => {
    const base = { ...emptyConfig(), onBuild: ['WORKDIR /app', 'COPY . .'] };
    const result = steps(['FROM onbuild-base', 'RUN make', 'ONBUILD RUN echo mine'], {
      imageConfig: () => structuredClone(base),
    });
    const [stage] = result.stages;
    expect(stage.steps.map((s) => [s.kind, s.line])).toEqual([
      ['workdir', 1],
      ['copy', 1],
      ['run', 2],
    ]);
    expect(stage.steps[1]).toMatchObject({ sources: ['.'], dest: '/app/' });
    expect(stage.config.onBuild).toEqual(['RUN echo mine']);
  });

  it('accepts FROM --platform of this host (by ARG too) and refuses another at its line', () => {
    expect(steps(['FROM --platform=$BUILDPLATFORM busybox', 'RUN true']).stages).toHaveLength(1);
    expect(() => steps(['FROM busybox', 'FROM --platform=linux/s390x busybox']).stages).toThrow(
      /FROM --platform=linux\/s390x: stack builds for this host's platform only/,
    );
  });
});
