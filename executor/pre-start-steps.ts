// Compose's `pre_start` hooks, as docker compose runs them: each step a short-lived container
// of its own with the service container's image, mounts, networks (its addresses, which are
// free until that container starts) and resources, the step's command, user, working_dir,
// environment and privileged; one at a time, in the file's order, before the service's
// first container is made (the plan marks that start: container.start preStart). A step is
// never an exec inside the service's container: that one does not run yet, and before its
// release its /proc is not masked. A failing step fails the start: the service's container
// is not made, and its output's last lines are in the error. Each step's container is
// removed once it ends, whatever happened.

import fs from 'node:fs/promises';
import type { ContainerSpec } from '../model/plan.js';
import type { ServiceHook } from '../model/lifecycle-hooks.js';
import { effectiveCapabilities } from '../model/capabilities.js';
import { preStartStepName, vethName } from '../model/names.js';
import { paths } from '../store/paths.js';
import type { Host } from './host.js';
import { LifecycleHookError } from './lifecycle-hooks.js';
import { runOneOff } from './one-off.js';
import { removeContainer } from './stop-container.js';

/** What a failed step said, last lines only. */
const OUTPUT_TAIL = 2000;

/** The container of step `index` (1-based) of `spec`'s pre_start hooks. */
export function preStartStepSpec(spec: ContainerSpec, hook: ServiceHook, index: number): ContainerSpec {
  const name = preStartStepName(spec.name, index);
  const overlaid = new Map(spec.env.map((e) => [e.slice(0, e.indexOf('=')), e] as const));
  for (const [k, v] of Object.entries(hook.environment)) overlaid.set(k, `${k}=${v}`);
  const {
    displayName: _shown,
    healthcheck: _healthcheck,
    readyPorts: _ready,
    preStart: _pre,
    postStart: _post,
    preStop: _stop,
    stdinOpen: _stdin,
    ...rest
  } = spec;
  return {
    ...rest,
    name,
    argv: hook.command,
    env: [...overlaid.values()],
    user: hook.user ?? spec.user,
    cwd: hook.workingDir ?? spec.cwd,
    tty: false,
    restart: { name: 'no' },
    endpoints: spec.endpoints.map((ep) => ({ ...ep, hostVeth: vethName(spec.project, name, ep.network) })),
    ...(hook.privileged
      ? {
          privileged: true,
          capabilities: effectiveCapabilities({ privileged: true, capAdd: [], capDrop: [] }),
          seccomp: 'unconfined',
        }
      : {}),
  };
}

/** Runs `spec`'s pre_start steps in order; the first that fails throws a LifecycleHookError. */
export async function runPreStartSteps(host: Host, spec: ContainerSpec): Promise<void> {
  for (const [i, hook] of (spec.preStart ?? []).entries()) {
    const step = preStartStepSpec(spec, hook, i + 1);
    await host.state.saveContainer(step.project, { spec: step, status: 'creating' });
    try {
      const outcome = await runOneOff(step, host, { remove: false, attach: false });
      if (outcome.exitCode === 0) continue;
      const output = outcome.startError?.detail ?? (await logTail(step));
      throw new LifecycleHookError(spec.name, 'pre_start', i + 1, outcome.exitCode, output);
    } finally {
      await removeContainer(host, step.project, step.name, {
        signal: 'SIGKILL',
        graceSeconds: 0,
        hostVeths: step.endpoints.map((ep) => ep.hostVeth),
      });
    }
  }
}

async function logTail(step: ContainerSpec): Promise<string> {
  const text = await fs.readFile(paths.logFile(step.project, step.name), 'utf8').catch(() => '');
  return text.slice(-OUTPUT_TAIL).trim();
}
