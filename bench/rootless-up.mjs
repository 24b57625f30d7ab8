#!/usr/bin/env node
// Issue 22's bench on its own: stack rootless against stack rootful, podman-compose rootless
// and podman-compose rootful, `up -d` and `down` of the reference stack in one run
// (bench/sections/rootless.mjs), with the margins table. The same as
// `node bench/run.mjs --only rootless`. Must run as root (it makes and removes a user).
// Usage: node bench/rootless-up.mjs [--quick]   (after `npm run build`)

process.argv.push('--only', 'rootless');
await import('./run.mjs');
