// Preloaded (NODE_OPTIONS=--require) by bench/plan-ab.mjs: at exit, writes the CPU time of
// the process's main thread to stderr, from /proc/thread-self/schedstat (ns). On a loaded
// machine this is what a quiet machine's wall time would be, near enough: the CPU figure of
// `times` also counts V8's helper threads (compilers, GC), which run beside the main one.
'use strict';
const fs = require('node:fs');
process.on('exit', () => {
  try {
    const ns = Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    fs.writeSync(2, `\nstack-main-thread-cpu-ms ${(ns / 1e6).toFixed(1)}\n`);
  } catch {
    // no schedstat: no figure
  }
});
