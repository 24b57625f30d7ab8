// What `--dry-run` prints for a command that changes the host (loaded only then; see
// ../dry-run.ts): the plan the stack's supervisor would carry out, made here by the same
// pure planners from an observation of the host, which changes nothing. `up`, `scale`,
// `watch` and `run` plan as `stack plan` does; `down`, `stop`/`start`/`restart` and
// `kill`/`rm`/`pause`/`unpause` plan from the records, as the supervisor does. What has no
// plan (pull, build, push, exec, cp, …) is described in a line. compose marks its lines
// "DRY-RUN MODE"; so do we.

import fs from 'node:fs';
import { createLinuxObserver } from '../../executor/host/linux/linux-observer.js';
import { planToText } from '../../model/plan-text.js';
import type { Plan } from '../../model/plan.js';
import { containerCommandPlan, type ContainerCommand } from '../../planner/plan/container-command-plan.js';
import { lifecyclePlan, type LifecycleCommand } from '../../planner/plan/lifecycle-plan.js';
import { selectServices } from '../../planner/plan/select-services.js';
import { teardown } from '../../planner/plan/teardown.js';
import { paths } from '../../store/paths.js';
import { EXIT } from '../errors.js';
import { loadStackFiles, projectOf, type GlobalOptions } from '../stack-file.js';
import { stopTimeoutSeconds } from '../stop-timeout.js';
import { UsageError } from '../usage-error.js';
import { upPlan } from './plan-action.js';
import type { UpOptions } from './up-action.js';
import { lifecycleRequest, type LifecycleCliOptions } from './lifecycle-action.js';
import { killRequest, type KillOptions } from './kill-action.js';
import { rmRequest, type RmOptions } from './rm-action.js';

const MARK = 'DRY-RUN MODE';
type Opts = Record<string, unknown>;

export async function dryRun(name: string, globals: GlobalOptions, args: unknown[], opts: Opts): Promise<number> {
  const plan = await planOf(name, globals, args, opts);
  if (typeof plan === 'string') process.stdout.write(`${MARK} ${plan}\n`);
  else if (plan) process.stdout.write(planToText(plan).replace(/^(?=.)/gm, `${MARK} `));
  if (!plan || name === 'run') process.stdout.write(`${MARK} ${describe(name, globals, args, opts)}\n`);
  process.stderr.write(`${MARK}: nothing was changed\n`);
  return EXIT.ok;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);

/** The plan, or a line saying why there is none (as the command itself would say it). */
async function planOf(
  name: string,
  globals: GlobalOptions,
  args: unknown[],
  opts: Opts,
): Promise<Plan | string | undefined> {
  switch (name) {
    case 'up':
    case 'create':
      return upPlan(globals, opts as UpOptions, list(args[0]));
    case 'watch':
      return upPlan(globals, {}, list(args[0]));
    case 'scale': {
      const entries = list(args[0]);
      const flags = { scale: entries, ...(opts.deps === false ? { deps: false } : {}) };
      return upPlan(
        globals,
        flags,
        entries.map((e) => e.split('=')[0]!),
      );
    }
    case 'run':
      return runDependencies(globals, args[0], opts);
    case 'down': {
      const project = projectOf(globals);
      const timeout = stopTimeoutSeconds(opts.timeout as string | undefined);
      if (!isUp(project)) return `stack ${project} is not up; nothing to remove`;
      return teardown(await createLinuxObserver().observe(project), {
        ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        removeVolumes: !!opts.volumes,
      });
    }
    case 'stop':
    case 'start':
    case 'restart': {
      const command = name as LifecycleCommand;
      const { project, options } = lifecycleRequest(command, globals, list(args[0]), opts as LifecycleCliOptions);
      return lifecyclePlan(command, await observeRecords(project), options);
    }
    case 'kill':
    case 'rm':
    case 'pause':
    case 'unpause': {
      const services = list(args[0]);
      const request: ContainerCommand =
        name === 'kill'
          ? killRequest(services, opts as unknown as KillOptions)
          : name === 'rm'
            ? rmRequest(services, opts as RmOptions)
            : { command: name as 'pause' | 'unpause', services };
      const project = projectOf(globals);
      return containerCommandPlan(request, await observeRecords(project));
    }
    default:
      return undefined;
  }
}

const isUp = (project: string) => fs.existsSync(paths.stackDir(project));

/** The stack's records as the supervisor observes them; refused as the command itself refuses a stack that is not up. */
async function observeRecords(project: string) {
  if (!isUp(project)) throw new UsageError(`stack ${project} is not up; \`stack up\` creates it`);
  return createLinuxObserver().observe(project);
}

/** `run SERVICE`: the services it depends on come up first (none with --no-deps or --image). */
async function runDependencies(globals: GlobalOptions, service: unknown, opts: Opts): Promise<Plan | undefined> {
  if (typeof service !== 'string' || opts.image !== undefined || opts.deps === false) return undefined;
  const stack = loadStackFiles(globals);
  const deps = [...selectServices(stack, [service], false)].filter((s) => s !== service);
  return deps.length > 0 ? upPlan(globals, {}, deps) : undefined;
}

/** A line for commands without a plan: what they would act on. */
function describe(name: string, globals: GlobalOptions, args: unknown[], opts: Opts): string {
  const named = list(args[0]);
  if (name === 'pull' || name === 'build' || name === 'push') {
    const stack = loadStackFiles(globals);
    const services = stack.services.filter(
      (s) =>
        (named.length === 0 || named.includes(s.name)) &&
        (name === 'pull' ? !s.build : name === 'build' ? s.build : true),
    );
    if (services.length === 0) return `${name}: nothing to do`;
    return services.map((s) => `would ${name} ${s.image} (service ${s.name})`).join(`\n${MARK} `);
  }
  if (name === 'run')
    return `would run a one-off container of ${typeof opts.image === 'string' ? `image ${opts.image}` : `service ${String(args[0])}`}`;
  const shown = args.flatMap((a) => (Array.isArray(a) ? a : typeof a === 'string' ? [a] : [])).join(' ');
  return `would run \`stack ${name}${shown ? ` ${shown}` : ''}\``;
}
