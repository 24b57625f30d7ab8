// What `stack run SERVICE` needs before its one-off starts, as compose's run: the service
// even when it is only in a profile (naming it enables its profiles), and the stack's
// networks and the service's dependencies up (unless --no-deps): an `up -d` of them when
// one is missing, so `run` works without a prior `up`.

import type { Service, Stack } from '../../model/types.js';
import { selectServices } from '../../planner/plan/select-services.js';
import { loadStackFiles, type GlobalOptions } from '../stack-file.js';
import { UsageError } from '../usage-error.js';
import type { Observed } from '../../model/observed.js';

export interface RunStack {
  stack: Stack;
  service: Service;
  /** The globals with the service's profiles enabled, for the `up` of its dependencies. */
  globals: GlobalOptions;
}

export function runStack(globals: GlobalOptions, name: string): RunStack {
  const stack = loadStackFiles(globals);
  const service = stack.services.find((s) => s.name === name);
  if (service) return { stack, service, globals };
  // Only in a profile? Naming it enables that profile, as compose does.
  const everything = loadStackFiles({ ...globals, profile: ['*'] });
  const hidden = everything.services.find((s) => s.name === name);
  if (!hidden)
    throw new UsageError(
      `no service ${name} in ${stack.file}; services: ${stack.services.map((s) => s.name).join(', ')}`,
    );
  const enabled = { ...globals, profile: [...(globals.profile ?? []), ...hidden.profiles] };
  const withProfiles = loadStackFiles(enabled);
  return { stack: withProfiles, service: withProfiles.services.find((s) => s.name === name)!, globals: enabled };
}

/** The dependencies (with theirs) that have no running container, or [] when all run; `noDeps`: none. */
export function missingForRun(
  target: RunStack,
  observed: Observed,
  noDeps: boolean,
): { deps: string[]; networks: boolean } {
  const deps = [...selectServices(target.stack, [target.service.name], noDeps)].filter(
    (s) => s !== target.service.name,
  );
  const running = new Set(observed.containers.filter((c) => c.running).map((c) => c.service));
  const networks =
    target.service.networkMode === undefined &&
    target.service.networks.some((sn) => !observed.networks.some((n) => n.key === sn.network && n.linkPresent));
  return { deps: deps.filter((d) => !running.has(d)), networks };
}

/** `up -d` of the dependencies (or, with none to start, `up --no-start` of the service: its networks and image). */
export async function bringUpForRun(target: RunStack, deps: string[], quietPull: boolean): Promise<void> {
  const { up } = await import('./up-action.js');
  const code =
    deps.length > 0
      ? await up(target.globals, { detach: true, quietPull }, deps)
      : await up(target.globals, { detach: true, start: false, quietPull }, [target.service.name]);
  if (code !== 0) throw new UsageError(`stack run: could not bring up what ${target.service.name} needs`);
}
