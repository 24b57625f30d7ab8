// Bundles the CLI (cli/main.ts) into one CommonJS file, dist/bundle/stack.cjs, which
// bin/stack.js compiles with a V8 code cache (vm.Script cachedData: Node 20 caches no ES
// module code). A command's own modules are still evaluated only when it runs: esbuild
// turns `await import('./x-action.js')` into a call of x-action's module initialiser.
// Then makes the code cache every command starts from (`common`, what `config` of the
// example stack compiles); each command adds its own on its first run.
// bin/stack (a sh launcher) runs bin/stack.js.
//
// `stack run` has a bundle of its own, dist/bundle/run.cjs (cli/run-main.ts: the same
// program with only `run` registered), which bin/stack.js chooses for it: a one-shot
// container's start is mostly the CLI's own, and the other commands' registrations and
// code cache are most of that. `stack build` has one too (build.cjs, cli/build-main.ts), and
// so do `stack plan` (plan.cjs, cli/plan-main.ts) and `stack up` (up.cjs, cli/up-main.ts). The
// one-shot form of `run` as root has the smallest (one-shot.cjs, cli/one-shot-main.ts),
// chosen by one-shot-args.cjs.
//
// And supervisor/launch.ts alone, dist/bundle/launch.cjs: bin/stack.js starts the
// supervisor of an `up` with it before it loads the CLI's bundle; or takes the one bin/stack
// started with supervisor/early-handle.ts alone, dist/bundle/early-handle.cjs.
//
// Also bundles a stack's supervisor (supervisor/main.ts) into one CommonJS file,
// dist/bundle/supervisor.cjs, which bin/stack-supervisor.js runs with a code cache as
// bin/stack.js runs the CLI: its start is on the critical path of the first `up`, and one
// cached file loads faster than its ~40 modules (or one ES module compiled at every start).
//
// Every `import fs from 'node:fs'` of the ~230 in our sources becomes its own
// `__toESM(require("node:fs"), 1)` in esbuild's CommonJS output: a fresh object with a getter
// defined for each of the builtin's ~100 properties, ~0.2 ms apiece at start, ~20 ms of the
// one-shot `run`. The builtin is the same object every time, so the bundle makes that
// namespace once per builtin (shareBuiltinNamespaces).
//
// koffi stays external (a native module, loaded from node_modules). Modules that locate
// files from import.meta.url (the schema and precompiled validator, the supervisor's
// main.js, dist/init.cjs, koffi) see the URL they have in tsc's output under dist/, so the
// bundle finds exactly what the unbundled build finds; dist/ must therefore be built by tsc
// first (npm run build does both).

import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire, isBuiltin } from 'node:module';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { COMMON, commandOf, readBundle } = createRequire(import.meta.url)('../bin/stack.js');
const outdir = path.join(root, 'dist/bundle');

/**
 * Rewrites `import.meta.url` in our sources to the URL of the module's tsc output, relative
 * to `base`: an expression for the bundle's own URL.
 */
const tscLayoutMetaUrl = (base) => ({
  name: 'tsc-layout-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await fs.readFile(args.path, 'utf8');
      const rel = path.relative(root, args.path);
      if (rel.startsWith('..') || rel.startsWith('node_modules') || !text.includes('import.meta.url')) return undefined;
      const compiled = path.relative(outdir, path.join(root, 'dist', rel.replace(/\.ts$/, '.js')));
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(compiled)}, ${base}).href`),
        loader: 'ts',
      };
    });
  },
});

/** The banner's helper: one esbuild namespace object per node builtin, made on first use. */
const SHARED_NAMESPACE_HELPER =
  'const __stackBuiltinNamespaces = new Map();\n' +
  'const __stackBuiltinNamespace = (mod) => {\n' +
  '  let ns = __stackBuiltinNamespaces.get(mod);\n' +
  '  if (ns === undefined) __stackBuiltinNamespaces.set(mod, (ns = __toESM(mod, 1)));\n' +
  '  return ns;\n' +
  '};';

/**
 * The banner's helper for LAZY_BUILTINS: a stand-in for the builtin's namespace that loads it
 * when one of its members is first read (a call, `.default`), one per builtin.
 */
const LAZY_BUILTIN_HELPER =
  'const __stackLazyBuiltins = new Map();\n' +
  'const __stackLazyBuiltin = (id) => {\n' +
  '  let lazy = __stackLazyBuiltins.get(id);\n' +
  '  if (lazy === undefined) {\n' +
  '    let ns;\n' +
  '    const load = () => (ns ??= __stackBuiltinNamespace(require(id)));\n' +
  '    __stackLazyBuiltins.set(id, (lazy = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() })));\n' +
  '  }\n' +
  '  return lazy;\n' +
  '};';

/**
 * Builtins that `stack run`'s bundle loads only when a member is first used. Our modules
 * import them at their top, yet the one-shot `run --rm --image` calls neither fs/promises
 * (its records, folders and cgroups are blocking calls) nor os: ~1 ms of CPU; nor net (~2 ms
 * with stream): its init stage's pipes are plain fds (init-channel-fds.ts). Only our
 * modules' import bindings (`import_x = …`) are rewritten: they are read member by member,
 * never enumerated. Not child_process: the container's spawn (namespace-window.ts) would load
 * it inside the namespace window, after its unshare.
 */
const LAZY_BUILTINS = ['node:fs/promises', 'node:os', 'node:net'];

/**
 * Rewrites esbuild's per-import namespace of a node builtin into the shared one, and the
 * imports of `lazy` builtins into their lazy stand-ins. Fails the build when esbuild's output
 * no longer has the shape this expects, rather than quietly bundling the slow form.
 */
function shareBuiltinNamespaces(text, lazy = []) {
  let count = 0;
  let out = text.replace(/__toESM\(require\("((?:node:)?[a-z_/]+)"\), 1\)/g, (whole, id) => {
    if (!isBuiltin(id)) return whole;
    count++;
    return lazy.includes(id)
      ? `__stackLazyBuiltin(${JSON.stringify(id)})`
      : `__stackBuiltinNamespace(require(${JSON.stringify(id)}))`;
  });
  if (count === 0 || !out.includes('var __toESM = '))
    throw new Error('bundle-cli: esbuild no longer emits __toESM(require("node:…"), 1)');
  if (lazy.length > 0) {
    let named = 0;
    out = out.replace(/(\bimport_\w+ = )require\("(node:[a-z_/]+)"\);/g, (whole, binding, id) => {
      if (!lazy.includes(id)) return whole;
      named++;
      return `${binding}__stackLazyBuiltin(${JSON.stringify(id)});`;
    });
    if (named === 0) throw new Error('bundle-cli: esbuild no longer emits import_x = require("node:…")');
  }
  return out;
}

/**
 * commander requires node:child_process at its start, for executable subcommands, which
 * stack has none of; loading it (with net and stream) is ~6 ms of CPU that `ps`, `config`,
 * `version`, … never use. commander gets it on first use instead.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`)
        ? { path: 'child_process', namespace: 'lazy-builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents:
        "let mod;\nmodule.exports = new Proxy({}, { get: (_, key) => (mod ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

const common = {
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * A CommonJS bundle of an entry, for bin/stack.js's runBundle, written as dist/bundle/<name>.cjs;
 * `lazy`: builtins loaded when first used (LAZY_BUILTINS).
 */
async function cjsBundle(name, entry, lazy = []) {
  const { outputFiles } = await build({
    ...common,
    entryPoints: { [name]: path.join(root, entry) },
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    write: false,
    // Our sources are ES modules, strict by definition; the bundle's one function keeps them so.
    banner: {
      js: `'use strict';\nconst __stackBundleUrl = require('node:url').pathToFileURL(__filename).href;\n${SHARED_NAMESPACE_HELPER}${lazy.length > 0 ? `\n${LAZY_BUILTIN_HELPER}` : ''}`,
    },
    plugins: [tscLayoutMetaUrl('__stackBundleUrl'), lazyChildProcessForCommander],
  });
  await fs.mkdir(outdir, { recursive: true });
  for (const f of outputFiles) await fs.writeFile(f.path, shareBuiltinNamespaces(f.text, lazy));
}

/**
 * One small module alone, with no cache, for bin/stack.js to require before any bundle:
 * cli/one-shot-args.ts (which chooses one-shot.cjs) and executor/host/linux/cgroup-warm.ts.
 */
async function aloneBundle(name, entry) {
  await build({
    ...common,
    entryPoints: { [name]: path.join(root, entry) },
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  });
}

await fs.rm(outdir, { recursive: true, force: true });
await Promise.all([
  cjsBundle('stack', 'cli/main.ts'),
  cjsBundle('run', 'cli/run-main.ts', LAZY_BUILTINS),
  // The one-shot form of `run` alone, and what tells it apart, for bin/stack.js.
  cjsBundle('one-shot', 'cli/one-shot-main.ts', LAZY_BUILTINS),
  aloneBundle('one-shot-args', 'cli/one-shot-args.ts'),
  // What bin/stack.js starts first for commands that start containers.
  aloneBundle('cgroup-warm', 'executor/host/linux/cgroup-warm.ts'),
  cjsBundle('build', 'cli/build-main.ts'),
  cjsBundle('plan', 'cli/plan-main.ts'),
  // `up`: child_process too. The CLI of an `up` spawns nothing on its way to the supervisor
  // (the shell started it, bin/early-supervisor.sh): ~3 ms of CPU on the first `up`'s path.
  cjsBundle('up', 'cli/up-main.ts', [...LAZY_BUILTINS, 'node:child_process']),
  // One file: the supervisor loads everything it has at start anyway.
  cjsBundle('supervisor', 'supervisor/main.ts'),
  // What bin/stack.js loads for `up` to start the supervisor before the CLI's bundle.
  cjsBundle('launch', 'supervisor/launch.ts'),
  // What bin/stack.js loads instead when bin/stack (the shell) started that supervisor.
  aloneBundle('early-handle', 'supervisor/early-handle.ts'),
]);

/**
 * Makes the code cache every command of `bundle` starts from (`common`): bin/stack.js writes
 * a command's cache when it ends well, named after the command; renamed, it serves them all.
 * `run` is the command line that makes it (node flags, loader, arguments), `command` the
 * name its loader gives the cache.
 */
async function commonCache(bundle, command, run, env = process.env) {
  const r = spawnSync(process.execPath, run, { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (r.status !== 0) throw new Error(`${run.join(' ')} exited ${r.status} while making the code cache`);
  const { sha256 } = JSON.parse(await fs.readFile(path.join(outdir, `${bundle}.sha256`), 'utf8'));
  const cache = (name) => path.join(outdir, 'code-cache', `${sha256}.${name}.v8`);
  await fs.rename(cache(command), cache(COMMON));
}

/** The cache of a CLI command line (`stack ARGS`). */
const cliCache = (bundle, args) => commonCache(bundle, commandOf(args), [path.join(root, 'bin/stack.js'), ...args]);

// What every command compiles (commander, the registrations) and what most do (the loader
// of stack files), as `config` of the example stack leaves it.
await cliCache('stack.cjs', ['-f', path.join(root, 'examples/hello/stack.yaml'), 'config']);
// `run`: commander and its registration, as its help leaves them.
await cliCache('run.cjs', ['run', '--help']);
await cliCache('build.cjs', ['build', '--help']);
await cliCache('plan.cjs', ['plan', '--help']);
await cliCache('up.cjs', ['up', '--help']);
// The one-shot's bundle has no cache from the build (its first one-shot makes it: that needs
// root and an image), but its hash memo: without one, that first run would load node:crypto.
readBundle(path.join(outdir, 'one-shot.cjs'));
// The supervisor's top level, as one started early by `up` and not needed leaves it (its
// stdin at EOF: it exits at once; bin/stack-supervisor.js writes a cache for such a run
// only when told). Started as the CLI starts it, with no node flags: V8 refuses a cache made
// under other flags (the supervisor sets its own at run time, supervisor/v8-settings.ts).
const { PROJECT_FROM_STDIN } = await import('../dist/supervisor/launch.js');
await commonCache('supervisor.cjs', 'supervisor', [path.join(root, 'bin/stack-supervisor.js'), PROJECT_FROM_STDIN], {
  ...process.env,
  STACK_SUPERVISOR_BUILD_CACHE: '1',
});
