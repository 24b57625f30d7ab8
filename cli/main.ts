// The `stack` command line: global options like docker compose, one module per command.

import { registerBoot } from './commands/boot.js';
import { registerBuild } from './commands/build.js';
import { registerConfig } from './commands/config.js';
import { registerConvert } from './commands/convert.js';
import { registerDoctor } from './commands/doctor.js';
import { registerDown } from './commands/down.js';
import { registerEvents } from './commands/events.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerExec } from './commands/exec.js';
import { registerGraph } from './commands/graph.js';
import { registerImage } from './commands/image.js';
import { registerLogs } from './commands/logs.js';
import { registerPlan } from './commands/plan.js';
import { registerPort } from './commands/port.js';
import { registerPs } from './commands/ps.js';
import { registerPush } from './commands/push.js';
import { registerPull } from './commands/pull.js';
import { registerRun } from './commands/run.js';
import { registerUp } from './commands/up.js';
import { registerWatch } from './commands/watch.js';
import { registerVolume } from './commands/volume.js';
import { registerVersion } from './commands/version.js';
import { registerLs } from './commands/ls.js';
import { registerKill } from './commands/kill.js';
import { registerRm } from './commands/rm.js';
import { registerPause } from './commands/pause.js';
import { registerTop } from './commands/top.js';
import { registerWait } from './commands/wait.js';
import { registerImages } from './commands/images.js';
import { registerScale } from './commands/scale.js';
import { registerCompletion } from './commands/completion.js';
import { addHelpExamples } from './help-examples.js';
import { registerStats } from './commands/stats.js';
import { registerCp } from './commands/cp.js';
import { registerExport } from './commands/export.js';
import { registerCommit } from './commands/commit.js';
import { registerAttach } from './commands/attach.js';
import { registerCreate } from './commands/create.js';
import { stackProgram } from './program.js';

// The whole CLI. `stack run` starts from cli/run-main.ts instead, which registers `run` alone
// (bin/stack.js chooses): the one-shot container's start is on the user's critical path.
const { program, globals } = stackProgram();

registerUp(program, globals);
registerBuild(program, globals);
registerWatch(program, globals);
registerDown(program, globals);
registerPs(program, globals);
registerRun(program, globals);
registerPort(program, globals);
registerLogs(program, globals);
registerLifecycle(program, globals);
registerEvents(program, globals);
registerExec(program, globals);
registerConfig(program, globals);
registerPlan(program, globals);
registerGraph(program, globals);
registerConvert(program, globals);
registerDoctor(program, globals);
registerPush(program, globals);
registerPull(program, globals);
registerImage(program);
registerVolume(program);
registerBoot(program, globals);
registerLs(program);
registerKill(program, globals);
registerRm(program, globals);
registerPause(program, globals);
registerTop(program, globals);
registerWait(program, globals);
registerImages(program, globals);
registerScale(program, globals);
registerStats(program, globals);
registerCp(program, globals);
registerExport(program, globals);
registerCommit(program, globals);
registerAttach(program, globals);
registerCreate(program, globals);
registerVersion(program);
registerCompletion(program);
addHelpExamples(program);

// Not awaited at the top level: the CLI is bundled as CommonJS (scripts/bundle-cli.mjs),
// for V8's code cache. An error that escapes a command still ends the process, with 1.
void program.parseAsync(process.argv);
