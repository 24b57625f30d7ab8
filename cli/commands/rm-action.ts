// What `stack rm` does (loaded only when it runs; see rm.ts). docker compose's dialogue:
// `Going to remove NAME, NAME` on stdout, then without -f `Are you sure? [yN]`, read from
// stdin: only y/yes goes on, and an answer that never comes (stdin at its end, as in a
// script without a terminal) is no. Nothing to remove: `No stopped containers`.

import readline from 'node:readline';
import { shownName } from '../../model/names.js';
import type { ContainerCommand } from '../../planner/plan/container-command-plan.js';
import { isRunning, readState } from '../../store/state-store.js';
import { EXIT } from '../errors.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { requestContainerCommand } from './container-command-action.js';

export interface RmOptions {
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
}

export async function rm(globals: GlobalOptions, services: string[], opts: RmOptions): Promise<number> {
  const project = projectOf(globals);
  const confirm = async (): Promise<boolean> => {
    const records = await readState.containers(project);
    const names = records
      .filter((r) => services.length === 0 || services.includes(r.spec.service))
      .filter((r) => opts.stop || !isRunning(r))
      .map((r) => shownName(r.spec))
      .sort();
    if (names.length === 0) {
      process.stderr.write('No stopped containers\n');
      // Unknown services still fail as they do for every other command: the plan says so.
      return services.length > 0;
    }
    process.stdout.write(`Going to remove ${names.join(', ')}\n`);
    return opts.force === true || (await askYes('Are you sure? [yN] '));
  };
  await requestContainerCommand(project, rmRequest(services, opts), 'text', confirm);
  return EXIT.ok;
}

async function askYes(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once('close', () => resolve(undefined));
      rl.question(question, resolve);
    });
    return /^y(es)?$/i.test(answer?.trim() ?? '');
  } finally {
    rl.close();
  }
}

/** What the supervisor is asked to plan (`--dry-run` plans the same). */
export function rmRequest(services: string[], opts: RmOptions): ContainerCommand {
  return { command: 'rm', services, stop: opts.stop === true, volumes: opts.volumes === true };
}
