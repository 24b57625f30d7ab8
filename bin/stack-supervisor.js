#!/usr/bin/env node
// A stack's supervisor, as the CLI starts it (supervisor/launch.ts): runs the bundled
// supervisor (dist/bundle/supervisor.cjs, from supervisor/main.ts) with a V8 code cache,
// as bin/stack.js runs the CLI. Its start is on the critical path of a first `up`: as an
// ES module it was compiled from source at every start, and each `import … from 'node:…'`
// built an ES module facade of that builtin (one getter per export, which loaded fs's
// streams among others).
//
// The build makes the cache of its top level (`common`, scripts/bundle-cli.mjs: a run told
// by BUILD_CACHE to write its cache though it serves nothing). The first supervisor that
// served a request and ends well (at `down`) writes its own, `supervisor`, with what it
// compiled: boot, observe, plan and apply. One started early by `up` and not needed (EOF
// on its stdin) has compiled no more than the build's run did, and writes none.
'use strict';

const path = require('node:path');
const { runBundle, traceMark } = require('./stack.js');
traceMark('loader: supervisor');

/** Emitted by the supervisor (supervisor/main.ts) when it has finished a request. */
const SERVED = 'stack-supervisor-served';

/** Set by the build's run only. */
const BUILD_CACHE = 'STACK_SUPERVISOR_BUILD_CACHE';

let served = process.env[BUILD_CACHE] === '1';
process.once(SERVED, () => {
  served = true;
});
runBundle(path.join(__dirname, '../dist/bundle/supervisor.cjs'), 'supervisor', {
  cacheAtExit: (code) => code === 0 && served,
});
