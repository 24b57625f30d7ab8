// What `stack run` does (loaded only when it runs; see run.ts): a one-off of a service of the
// stack file (serviceTarget), or of a bare image with --image (run-targeted.ts, which runs
// both).

import { fixedPorts } from './run-ports.js';
import type { Service } from '../../model/types.js';
import type { GlobalOptions } from '../stack-file.js';
import { UsageError } from '../usage-error.js';
import { withRunVolumes } from './run-volumes.js';
import { imageTarget, runTargeted, type RunCliOptions, type Target } from './run-targeted.js';

export type { RunCliOptions };

export function run(
  globals: GlobalOptions,
  first: string | undefined,
  rest: string[],
  opts: RunCliOptions,
): Promise<number> {
  return runTargeted(globals, first, rest, opts, opts.image !== undefined ? imageTarget : serviceTarget);
}

/** The target of `run SERVICE`: the service of the stack file, once what it needs is up. */
async function serviceTarget(
  globals: GlobalOptions,
  first: string | undefined,
  rest: string[],
  opts: RunCliOptions,
): Promise<{ t: Target; command: string[] }> {
  if (first === undefined) throw new UsageError('stack run needs a SERVICE of the stack file, or --image REF');
  // Loaded only here: `run --image` needs no stack file, nor the YAML parser and planner.
  const prepare = await import('./run-prepare.js');
  const target = prepare.runStack(globals, first);
  await pullForRun(target.globals, first, opts.pull, !!opts.quietPull);
  const project = target.stack.project;
  const { createLinuxObserver } = await import('../../executor/host/linux/linux-observer.js');
  const missing = prepare.missingForRun(target, await createLinuxObserver().observe(project), opts.deps === false);
  if (missing.deps.length > 0 || missing.networks) await prepare.bringUpForRun(target, missing.deps, !!opts.quietPull);
  return {
    t: {
      project,
      service: withRunFlags(target.service, opts),
      observe: (host, ports) => host.observe(project, { publishedPorts: fixedPorts(ports) }),
      stack: target.stack,
    },
    command: rest,
  };
}

/**
 * `run --pull`: `always` pulls the service's image first, `missing` when it is not stored,
 * `never` leaves the store as it is; `policy` (the default) lets the service's pull_policy
 * decide, through the `up` that brings up what the one-off needs.
 */
async function pullForRun(globals: GlobalOptions, service: string, flag: string | undefined, quiet: boolean) {
  if (flag === undefined || flag === 'policy' || flag === 'never') return;
  if (flag !== 'always' && flag !== 'missing')
    throw new UsageError(`--pull takes always, missing, never or policy, not "${flag}"`);
  const { pull } = await import('./pull-action.js');
  const code = await pull(globals, [service], { policy: flag, quiet, overridesServices: true });
  if (code !== 0) throw new UsageError(`stack run --pull ${flag}: could not pull the image of ${service}`);
}

/** -l, --cap-add, --cap-drop and -v laid over the service, as compose's run does. */
function withRunFlags(service: Service, opts: RunCliOptions): Service {
  const labels = Object.fromEntries(
    (opts.label ?? []).map((l) =>
      l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, ''],
    ),
  );
  return {
    ...service,
    labels: { ...service.labels, ...labels },
    capAdd: [...service.capAdd, ...(opts.capAdd ?? [])],
    capDrop: [...service.capDrop, ...(opts.capDrop ?? [])],
    volumes: withRunVolumes(service.volumes, opts.volume ?? []),
  };
}
