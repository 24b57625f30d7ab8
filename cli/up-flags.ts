// The flags `up`, `plan` and `watch` share. Only commander here: every command registers
// them at start-up, so this module must not load the planner (up-options.ts turns them
// into reconcile options once a command runs).

import type { Command } from 'commander';

export interface UpFlags {
  forceRecreate?: boolean;
  noRecreate?: boolean;
  removeOrphans?: boolean;
  /** commander's name for --no-deps (negatable: false when given). */
  deps?: boolean;
  scale?: string[];
  alwaysRecreateDeps?: boolean;
  renewAnonVolumes?: boolean;
}

/** Registers the flags on a command (each command lists them in its own help). */
export function upFlags(command: Command): Command {
  return command
    .option('--force-recreate', 'recreate containers even if their configuration is unchanged')
    .option('--no-recreate', 'keep running containers whose configuration changed')
    .option('--always-recreate-deps', 'with SERVICE…: recreate the services they depend on')
    .option('-V, --renew-anon-volumes', "a recreated container gets new anonymous volumes, not its predecessor's data")
    .option('--no-deps', 'with SERVICE…: do not start the services they depend on')
    .option('--remove-orphans', 'remove containers of services no longer in the file')
    .option(
      '--scale <service=n>',
      'run n replicas of a service (repeatable; overrides scale/deploy.replicas)',
      (v: string, prev: string[] = []) => [...prev, v],
    );
}
