// `up --watch` and `stack watch`: every edit of a file the stack was loaded from (stack
// files, overrides, .env, and whatever else the load read) is loaded, planned, printed and
// applied. Edits are debounced into bursts; one cycle runs at a time, at most one waits.
// An invalid edit prints its diagnostics and leaves the running stack alone; the next
// valid edit applies. The services' develop.watch rules act on edits of their sources
// at the same time (cli/watch/develop/).

import type { ReconcileOptions } from '../../planner/plan/reconcile.js';
import { EXIT, renderError } from '../errors.js';
import { loadStackFilesWithSources, type GlobalOptions } from '../stack-file.js';
import type { UpFlags } from '../up-flags.js';
import { reconcileOptions } from '../up-options.js';
import { withStackLock } from '../with-lock.js';
import { ApplyQueue } from '../watch/apply-queue.js';
import { Debouncer, systemClock } from '../watch/debounce.js';
import { watchFiles } from '../watch/file-watcher.js';
import { applyStack, buildForUp, type UpOptions } from './up-action.js';
import type { Stack } from '../../model/types.js';
import { progressFormat } from '../progress-format.js';
import { startDevelopWatch } from '../watch/develop/develop-watch.js';
import { cliServiceActions } from '../watch/develop/cli-actions.js';

/** Quiet time that ends a burst of edits. */
const QUIET_MS = Number(process.env.STACK_WATCH_QUIET_MS ?? 100);
/** The same for the sources develop.watch rules watch: short, an edit should show at once. */
const DEVELOP_QUIET_MS = Number(process.env.STACK_WATCH_DEVELOP_QUIET_MS ?? 20);

export interface Watching {
  close(): Promise<void>;
}

const say = (line: string) => process.stderr.write(`watch: ${line}\n`);

/**
 * `up`: its flags and services rule each cycle's builds as they ruled up's own (--no-build
 * builds nothing, --build builds again); `stack watch` builds what is missing.
 */
export async function startWatching(
  globals: GlobalOptions,
  options: ReconcileOptions,
  files: string[],
  loaded: Stack,
  up: { opts: UpOptions; services: string[] } = { opts: {}, services: [] },
): Promise<Watching> {
  let current = loaded;
  const format = progressFormat(up.opts.format);
  const actions = cliServiceActions({ project: loaded.project, format, stack: () => current, options });
  const develop = await startDevelopWatch(loaded, actions, DEVELOP_QUIET_MS);
  const cycle = async () => {
    let loaded;
    try {
      loaded = loadStackFilesWithSources(globals);
    } catch (err) {
      process.stderr.write(`${(await renderError(err)).text}\n`);
      say('the running stack is unchanged; waiting for the next edit');
      return;
    }
    watcher.setFiles(loaded.filesRead);
    const { stack } = loaded;
    try {
      await withStackLock(stack.project, 'stack watch', async () => {
        await buildForUp(stack, up.services, up.opts); // a service added with `build:` is built, as `up` would
        await applyStack(stack, options, { showPlan: true });
      });
      current = stack;
      actions.forget(); // the apply may have replaced or added containers
      await develop.setStack(stack);
      say('applied; waiting for the next edit');
    } catch (err) {
      process.stderr.write(`${(await renderError(err)).text}\n`);
      say('the edit could not be applied; waiting for the next edit');
    }
  };
  const queue = new ApplyQueue(cycle);
  const debouncer = new Debouncer(systemClock, QUIET_MS, (paths) => {
    say(`${paths.join(', ')} changed`);
    queue.trigger();
  });
  const watcher = watchFiles(files, (file) => debouncer.poke(file));
  await watcher.ready;
  say(`watching ${files.join(', ')}`);
  if (develop.services.length) say(`watching the sources of ${develop.services.join(', ')} (develop.watch)`);
  return {
    async close() {
      debouncer.cancel();
      await watcher.close();
      await queue.idle();
      await develop.close();
    },
  };
}

/** `stack watch`: applies edits to an already running stack until Ctrl-C; the stack stays. */
export async function watch(globals: GlobalOptions, flags: UpFlags & { format?: string }): Promise<number> {
  const options = reconcileOptions(flags);
  const { filesRead, stack } = loadStackFilesWithSources(globals);
  const watching = await startWatching(globals, options, filesRead, stack, {
    opts: { format: flags.format },
    services: [],
  });
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await watching.close();
  return EXIT.interrupted;
}
