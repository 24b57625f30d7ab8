// Marks on the critical path of a command, for measuring it (docs/cli.md, "A first `up`: the
// timeline"): with STACK_TRACE=FILE in the environment, every mark appends
// one line to FILE: wall clock (ms since the epoch, fractional), pid, this process's CPU so
// far (user + system, ms) and the label. CLI and supervisor write to the same file, so one
// `up` reads as one timeline across both. Without STACK_TRACE a mark is one property read.

import fs from 'node:fs';

const file = process.env.STACK_TRACE;

export function traceMark(label: string): void {
  if (!file) return;
  const cpu = process.cpuUsage();
  const line = `${(performance.timeOrigin + performance.now()).toFixed(2)} ${process.pid} ${((cpu.user + cpu.system) / 1000).toFixed(1)} ${label}\n`;
  try {
    fs.appendFileSync(file, line);
  } catch {
    // a trace never fails the command
  }
}
