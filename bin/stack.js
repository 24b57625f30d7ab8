#!/usr/bin/env node
// The `stack` command: runs the bundled CLI (dist/bundle/stack.cjs, made by npm run build;
// see scripts/bundle-cli.mjs), compiled with a V8 code cache. Node 20 has no compile cache
// of its own (module.enableCompileCache is Node 22), and compiling the ~1.4 MB bundle plus
// the functions a command calls costs ~40 ms of CPU at every start; with the bytecode V8
// made on an earlier run it costs a few. CommonJS on purpose (bin/package.json): an ES
// module entry costs ~6 ms more before any of our code runs.
//
// A cache is only ever used for the bytes it was made from: caches are named by the
// bundle's sha256. Hashing 1.4 MB needs node:crypto (~7 ms to load), so the hash is kept
// beside the bundle with the file's identity (device, inode, size, mtime and ctime: ctime
// changes with any write and cannot be set back); when the file is not provably the one
// hashed, we hash it again. V8 itself refuses a cache of another Node version or flags.
//
// One cache per command (`run`, `up`, …), each made at the end of the command's first
// successful run from what it compiled, so it holds the functions that command calls;
// until then the build's cache (`common`: commander and the stack file loader) serves.
//
// `stack run` runs a bundle of its own (dist/bundle/run.cjs, from cli/run-main.ts: the
// same program with `run` alone registered), with its own caches: a one-shot container
// should not pay for the start of the other ~35 commands. So does `stack build`
// (dist/bundle/build.cjs, cli/build-main.ts): a one-file rebuild is mostly the CLI's start.
// And `stack plan` (dist/bundle/plan.cjs, cli/plan-main.ts): a plan only reads. And `stack up`
// (dist/bundle/up.cjs, cli/up-main.ts): a first `up` meets its supervisor once this CLI has
// loaded. The one-shot `run --rm --image REF [--network none] [--] COMMAND…` as root has
// the smallest (dist/bundle/one-shot.cjs, cli/one-shot-main.ts): reading and compiling
// run.cjs's 2 MB was a tenth of its CPU.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire, wrap } = require('node:module');

/** STACK_TRACE's marks (store/trace-marks.ts) for the loader's steps. */
function traceMark(label) {
  if (!process.env.STACK_TRACE) return;
  const cpu = process.cpuUsage();
  const at = (performance.timeOrigin + performance.now()).toFixed(2);
  fs.appendFileSync(
    process.env.STACK_TRACE,
    `${at} ${process.pid} ${((cpu.user + cpu.system) / 1000).toFixed(1)} ${label}\n`,
  );
}

/** Global options that take a value, so the command is not mistaken for one. */
const GLOBAL_VALUE_OPTIONS = new Set([
  '-f',
  '--file',
  '-p',
  '--project-name',
  '--env-file',
  '--profile',
  '--project-directory',
  '--ansi',
  '--progress',
  '--parallel',
]);
/** The cache every command may start from: made by the build (scripts/bundle-cli.mjs). */
const COMMON = 'common';

/**
 * A command's cache holds what the run that made it compiled. A `build` whose first run took
 * every step from the build cache made one without the step machinery (the COPY, the
 * runtime), which every later rebuild then compiled from source: ~10 ms of CPU each. So a
 * run may say, through this global, that it went down a path (`part`) its cache may lack; the
 * cache is made again at its exit, once per part, remembered by a mark file beside it
 * (`<cache>.<part>`). cli/code-cache-cover.ts calls it. The mark names the cache file it was
 * made for (cacheFileIdentity): when two builds run at once and the one without the path exits
 * last, its cache replaces the marked one, and a bare mark went on vouching for a cache
 * without the path until the bundle changed.
 */
const CODE_CACHE_COVER = Symbol.for('stack.codeCacheCover');

/** The command word of a `stack` command line: what its cache is named after. */
function commandOf(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (GLOBAL_VALUE_OPTIONS.has(a)) i++;
    else if (a === '-h' || a === '--help')
      return 'help'; // the program's help, whatever follows
    else if (!a.startsWith('-')) return /^[a-z][a-z-]{0,30}$/.test(a) ? a : 'other';
  }
  return 'help';
}

/** Commands with a bundle of their own (the program with that command alone registered). */
const OWN_BUNDLES = new Set(['run', 'build', 'plan', 'up']);

/**
 * The name of the code cache a command line runs with: its command, but a one-off of a bare
 * image (`run … --image REF …`, cli/run-main.ts's one-shot form among them) has its own. The
 * cache holds what its first run compiled, and a one-shot started from the cache of a `run
 * SERVICE` (commander, the stack file's loader) compiled the rest cold, ~10 ms more CPU.
 * Only a name: a cache that fits another line less well still runs it.
 */
function cacheNameOf(command, args) {
  return command === 'run' && args.includes('--image') ? 'run-image' : command;
}

/**
 * Whether the command line is the one-shot form that dist/bundle/one-shot.cjs runs, as root
 * (cli/run-main.ts runs it there too; an ordinary user's command runs again in rootless
 * namespaces, from the program). cli/one-shot-args.ts decides, bundled alone as
 * one-shot-args.cjs; only a `run` with `--image` loads it.
 */
function isOneShot(dir, command, args) {
  if (command !== 'run' || process.geteuid?.() !== 0 || !args.includes('--image')) return false;
  try {
    return require(path.join(dir, 'one-shot-args.cjs')).parseOneShotRun(args) !== undefined;
  } catch {
    return false; // an older build without it: run.cjs runs the one-shot too
  }
}

/** The bundle that runs `command`: its own bundle, or the whole CLI. */
function bundleFor(dir, command) {
  return path.join(dir, OWN_BUNDLES.has(command) ? `${command}.cjs` : 'stack.cjs');
}

const identity = (st) => [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');

/** The bundle's text and sha256, read through one descriptor so identity and bytes agree. */
function readBundle(bundle) {
  const fd = fs.openSync(bundle, 'r');
  try {
    const before = identity(fs.fstatSync(fd, { bigint: true }));
    const bytes = fs.readFileSync(fd);
    const unchanged = identity(fs.fstatSync(fd, { bigint: true })) === before;
    const memoFile = `${bundle}.sha256`;
    let sha256;
    try {
      const memo = JSON.parse(fs.readFileSync(memoFile, 'utf8'));
      if (unchanged && memo.identity === before) sha256 = memo.sha256;
    } catch {
      // no memo, or a damaged one: hash
    }
    if (sha256 === undefined) {
      sha256 = require('node:crypto').createHash('sha256').update(bytes).digest('hex');
      if (unchanged) writeAtomic(memoFile, JSON.stringify({ identity: before, sha256 }));
    }
    // The bundle is ASCII (esbuild escapes the rest): latin1 decodes it ~5× faster than utf8.
    return { text: bytes.toString('latin1'), sha256 };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * One file written under a name, told from the next written there: the rename keeps all of
 * it (not the ctime), and a freed inode number may come back, but not with the same mtime.
 */
const cacheFileIdentity = (st) => [st.dev, st.ino, st.size, st.mtimeNs].join(':');

/** Best effort: a read-only install runs without caches. The identity of the file written, if it was. */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data);
    const written = cacheFileIdentity(fs.statSync(tmp, { bigint: true })); // ours until renamed
    fs.renameSync(tmp, file);
    return written;
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
    return undefined;
  }
}

/** Whether the cache file now at `cache` is the one the mark of `part` was made for. */
function markedFor(cache, part) {
  try {
    const st = fs.statSync(cache, { bigint: true });
    return fs.readFileSync(`${cache}.${part}`, 'latin1') === cacheFileIdentity(st);
  } catch {
    return false;
  }
}

function readCache(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Runs `bundle` (a CommonJS file) as the main program with the code cache of `command`,
 * and writes that cache when the command succeeds without a usable one: when the process
 * exits with a code `cacheAtExit` takes (0 by default).
 */
function runBundle(bundle, command, { cacheAtExit = (code) => code === 0 } = {}) {
  traceMark(`loader: ${path.basename(bundle)}`);
  const { text, sha256 } = readBundle(bundle);
  const cacheOf = (name) => path.join(path.dirname(bundle), 'code-cache', `${sha256}.${name}.v8`);
  const own = readCache(cacheOf(command));
  const cachedData = own ?? readCache(cacheOf(COMMON));
  const script = new vm.Script(wrap(text), { filename: bundle, cachedData });
  const covered = [];
  let writing = false;
  const writeAtExit = () => {
    if (writing) return;
    writing = true;
    process.on('exit', (code) => {
      if (!cacheAtExit(code)) return;
      const made = writeAtomic(cacheOf(command), script.createCachedData());
      if (made !== undefined) for (const part of covered) writeAtomic(`${cacheOf(command)}.${part}`, made);
    });
  };
  if (own === undefined || script.cachedDataRejected) writeAtExit();
  const asked = new Set(); // each part looked up once: a build calls this at every step that ran
  globalThis[CODE_CACHE_COVER] = (part) => {
    if (asked.has(part) || !/^[a-z][a-z-]{0,30}$/.test(part)) return;
    asked.add(part);
    if (own !== undefined && markedFor(cacheOf(command), part)) return;
    covered.push(part);
    writeAtExit();
  };
  traceMark('loader: compiled');
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  traceMark('loader: bundle ran');
}

/**
 * The project a command line names for certain, as the CLI will take it (cli/stack-file.ts):
 * the last `-p`/`--project-name`, else COMPOSE_PROJECT_NAME of the process's environment
 * (which wins over `.env`). Undefined when neither names one, or when what is named is no
 * valid project name (the CLI refuses it): then only the file can say, once it is read.
 */
function namedProject(args, env) {
  let named;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-p' || a === '--project-name') named = args[++i] ?? '';
    else if (a.startsWith('--project-name=')) named = a.slice('--project-name='.length);
    else if (/^-p[^-]/.test(a))
      named = a.slice(2); // -pNAME
    else if (GLOBAL_VALUE_OPTIONS.has(a)) i++;
  }
  if (named === undefined) named = env.COMPOSE_PROJECT_NAME || undefined;
  return named !== undefined && /^[a-z0-9][a-z0-9_-]*$/.test(named) ? named : undefined;
}

/**
 * `up` as root (an ordinary user's command runs again in rootless namespaces, cli/needs-root.ts),
 * unless it only shows what it would do: the stack's supervisor, if it needs one, starts now
 * and boots while the CLI's bundle and the stack file load (supervisor/launch.ts,
 * startBeforeCli; bundled alone as launch.cjs). The `up` action takes it over; should it never
 * run (a usage error), the supervisor reads EOF when this process ends, and exits.
 */
function startSupervisorEarly(dir, args) {
  if (process.geteuid?.() !== 0 || args.includes('--dry-run')) return;
  try {
    // bin/stack (bin/early-supervisor.sh) started it already, before this process's Node.
    if (process.env.STACK_EARLY_SUPERVISOR && require(path.join(dir, 'early-handle.cjs')).handOverShellStarted())
      return;
    require(path.join(dir, 'launch.cjs')).startBeforeCli(namedProject(args, process.env));
  } catch {
    // the up action starts it
  }
}

/** Commands whose containers start while this process runs (`up` through its supervisor). */
const STARTS_CONTAINERS = new Set(['run', 'build', 'up', 'create', 'start', 'restart']);

/**
 * As root, for a command that starts containers: keeps the kernel's cgroup migrations quick
 * while it runs (executor/host/linux/cgroup-warm.ts; bundled alone as cgroup-warm.cjs), so a
 * container's join of its groups does not wait for an RCU grace period. It must begin a grace
 * period before the first container's join, so here, before the bundle loads.
 */
function warmCgroupMigrations(dir, command) {
  if (process.geteuid?.() !== 0 || !STARTS_CONTAINERS.has(command)) return;
  try {
    require(path.join(dir, 'cgroup-warm.cjs')).keepCgroupMigrationsQuick(WARM_FOR_MS);
  } catch {
    // an older build without it: only slower
  }
}

/** How long the writes go on at most: a one-shot or a rebuild ends well before. */
const WARM_FOR_MS = 3000;

module.exports = {
  traceMark,
  runBundle,
  readBundle,
  commandOf,
  bundleFor,
  isOneShot,
  cacheNameOf,
  namedProject,
  COMMON,
};

if (require.main === module) {
  const args = process.argv.slice(2);
  const command = commandOf(args);
  const dir = path.join(__dirname, '../dist/bundle');
  const bundle = isOneShot(dir, command, args) ? path.join(dir, 'one-shot.cjs') : bundleFor(dir, command);
  if (!fs.existsSync(bundle)) {
    process.stderr.write(`stack is not built yet: run \`npm run build\` in ${path.dirname(__dirname)}\n`);
    process.exit(1);
  }
  warmCgroupMigrations(dir, command);
  if (command === 'up') {
    traceMark(process.env.STACK_EARLY_SUPERVISOR ? 'loader: supervisor started by the shell' : 'loader: node');
    startSupervisorEarly(dir, args);
    traceMark('loader: early supervisor');
  }
  runBundle(bundle, cacheNameOf(command, args));
}
