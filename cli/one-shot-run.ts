// The one-shot `stack run --rm --image REF [--network none] [--] COMMAND…` without
// commander (one-shot-main.ts or run-main.ts chose it; one-shot-args.ts read the command
// line): what the program does before every command's action, then what the `run` action
// the `run` registration calls (commands/run.ts) does for an image, with the options
// commander would have given it.

import { closeInheritedFdsByFcntl } from '../executor/host/linux/close-inherited-fds-fcntl.js';
import { exitAtOnce } from '../executor/host/linux/exit-at-once.js';
import { leaveOwnStdioUnmade } from '../executor/host/linux/spawned-child.js';
import { tightenStackDirs } from '../store/tighten-modes.js';
import { EXIT, runCommand } from './errors.js';
import { exitAfterOutput } from './exit-after-output.js';
import { settleGlobalFlags } from './settle-global-flags.js';
import { watchStdioMade } from './stdio-made.js';
import type { OneShotRun } from './one-shot-args.js';

export async function runOneShot(req: OneShotRun): Promise<void> {
  // Nothing here writes to stdout or stderr while the container runs: its errors are written
  // once it is removed. So neither stream is made for the spawn, nor at the end unless used.
  const stdioMade = watchStdioMade();
  leaveOwnStdioUnmade();
  // program.ts: only 0, 1 and 2 go on to the container.
  closeInheritedFdsByFcntl();
  // global-flags.ts: no flag was given, yet a bad COMPOSE_* variable is still a usage error.
  const problem = settleGlobalFlags({});
  if (problem) {
    process.stderr.write(`stack: ${problem}\n`);
    process.exit(EXIT.usage);
  }
  await runCommand(async () => {
    // needs-root.ts (root's part: run-main.ts leaves an ordinary user's command to the program)
    tightenStackDirs();
    const { imageTarget, runTargeted } = await import('./commands/run-targeted.js');
    const [first, ...rest] = req.command;
    const opts = { rm: true, image: req.image, ...(req.network ? { network: req.network } : {}) };
    return runTargeted({}, first, rest, opts, imageTarget);
  });
  // The container is removed and its code set (runCommand): nothing the one-shot started is
  // left to wait for, so it ends now instead of draining the event loop (the cgroup warm-up's
  // timer), once what stdout and stderr hold, if they were made, is written
  // (exit-after-output.ts); else without Node's teardown either (exit-at-once.ts).
  if (stdioMade()) await exitAfterOutput();
  else exitAtOnce();
}
