// The supervisor (and its watchdog) of a stack whose records are gone: nothing in STACK_RUN
// leads to it any more (its lock and socket went with the folder), so it is found as `ps`
// finds it: a command line ending in the supervisor's script and the project (or the
// watchdog's `stack-watchdog <project>`), with this STACK_ROOT in its environment (test
// roots reuse project names). Only ever for a stack whose folder is absent under the
// current STACK_ROOT: a supervisor whose stack still has its folder is never touched.

import fs from 'node:fs';
import { paths, stackRoot } from '../store/paths.js';
import { isSameProcess, readStartTime } from '../store/proc-stat.js';
import { WATCHDOG_NAME } from './watchdog.js';

/** The script in a supervisor's command line: the loader, or the unbundled build. */
const SUPERVISOR_SCRIPT = /(bin\/stack-supervisor|dist\/supervisor\/main)\.js$/;

/** True when `argv` is a supervisor's of `project`: `… bin/stack-supervisor.js <project>`. */
export const isSupervisorOf = (argv: string[], project: string): boolean =>
  argv.at(-1) === project && SUPERVISOR_SCRIPT.test(argv.at(-2) ?? '');

/** True when `argv` is the watchdog's of `project` (supervisor/watchdog.ts): `sh -c … stack-watchdog <project> …`. */
export const isWatchdogOf = (argv: string[], project: string): boolean =>
  argv[3] === WATCHDOG_NAME && argv[4] === project;

export interface StrayProcesses {
  supervisors: number[];
  watchdogs: number[];
}

/** A process's argv (a supervisor started early sets its title as one string); [] when gone. */
export function argvOf(pid: string | number): string[] {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv.length === 1 ? argv[0]!.split(' ') : argv;
  } catch {
    return [];
  }
}

/** Its STACK_ROOT as paths.ts resolves it (the default when unset); undefined when unreadable. */
function rootOf(pid: string): string | undefined {
  try {
    const env = Object.fromEntries(
      fs
        .readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter((e) => e.startsWith('STACK_ROOT='))
        .map((e) => ['STACK_ROOT', e.slice('STACK_ROOT='.length)]),
    );
    return stackRoot(env);
  } catch {
    return undefined;
  }
}

/** The supervisors and watchdogs of `project` under this STACK_ROOT, if its stack folder is gone. */
export function strayProcesses(project: string): StrayProcesses {
  const found: StrayProcesses = { supervisors: [], watchdogs: [] };
  if (fs.existsSync(paths.stackDir(project))) return found;
  const root = stackRoot();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const argv = argvOf(pid);
    const supervisor = isSupervisorOf(argv, project);
    const watchdog = isWatchdogOf(argv, project);
    if ((supervisor || watchdog) && rootOf(pid) === root) found[supervisor ? 'supervisors' : 'watchdogs'].push(+pid);
  }
  return found;
}

/**
 * Ends them: the watchdogs first (one would start a new supervisor), then the supervisors
 * (SIGKILL reaches a stopped process too; SIGCONT lets it die at once). Their containers
 * stay, for the down that follows to remove by name. Resolves once they are gone.
 */
export async function endStrayProcesses(stray: StrayProcesses): Promise<void> {
  for (const group of [stray.watchdogs, stray.supervisors]) {
    const started = group.map((pid) => ({ pid, startTime: readStartTime(pid) }));
    for (const { pid } of started) {
      for (const signal of ['SIGKILL', 'SIGCONT'] as const) {
        try {
          process.kill(pid, signal);
        } catch {
          // gone already
        }
      }
    }
    const deadline = Date.now() + 5000;
    while (started.some((p) => isSameProcess(p.pid, p.startTime)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
  }
}
