#!/usr/bin/env node
// `npm run test:vm`: boots Debian 12's own 6.1 kernel under qemu (TCG; KVM hangs on the
// development machine) with the unified cgroup v2 hierarchy only, and runs the VM suite
// (test/vm/*.vm.ts, node:test) inside it as root, against this worktree's built CLI.
// - The guest's root is the host's / shared read-only over 9p with a tmpfs overlay on top,
//   so the guest runs the host's node, kmod, nft and busybox and this repo's dist/.
// - No network device: nothing leaves the machine. Published ports answer on the guest's lo.
// - Results come back through a second, writable 9p share: a temp folder holding the suite's
//   bundle and, at the end, its exit code. The console (serial) streams to our stdout.
// - A hard time limit (STACK_VM_TIMEOUT seconds, default 900) kills qemu.
// Skips (exit 0, a clear message) only where qemu-system-x86_64 cannot run at all; under
// CI=true that is a failure, like any privileged test that cannot run.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bootModules } from './boot-modules.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const QEMU = process.env.STACK_VM_QEMU ?? 'qemu-system-x86_64';
const TIMEOUT_S = Number(process.env.STACK_VM_TIMEOUT ?? 900);
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (msg) => process.stderr.write(`test:vm: ${msg}\n`);

/** Why the lane cannot run here at all, or undefined. */
function cannotRun() {
  // The guest runs the host's own binaries (node, busybox, kmod) on an amd64 kernel.
  if (process.arch !== 'x64')
    return `the guest runs this host's binaries on an amd64 kernel; this host is ${process.arch}`;
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0)
    return `${QEMU} does not run (apt-get install qemu-system-x86 cpio kmod): ${r.error?.message ?? r.stderr.trim()}`;
  return undefined;
}

const unusable = cannotRun();
if (unusable) {
  const msg = `SKIP: the VM lane cannot run here: ${unusable}`;
  if (process.env.CI === 'true') {
    log(`${msg} — failing, because CI=true`);
    process.exit(1);
  }
  log(msg);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  log("the VM lane runs as root (9p passthrough of the host's /, and the suite needs root in the guest)");
  process.exit(1);
}

if (!process.env.STACK_VM_NO_BUILD) {
  log('building');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}
const kernelDir = execFileSync('bash', [path.join(here, 'kernel.sh')], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();
const kver = path.basename(kernelDir);

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-vm-'));
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-vm-initramfs-'));
let qemu;
try {
  // The suite: one ESM file per *.vm.ts, bundled into dist/vm/ (so paths relative to the repo
  // stay right) with nothing but node builtins left to load.
  const suites = fs
    .readdirSync(path.join(root, 'test/vm'))
    .filter((f) => f.endsWith('.vm.ts'))
    .sort();
  const only = process.argv.slice(2);
  const chosen = only.length > 0 ? suites.filter((f) => only.some((o) => f.includes(o))) : suites;
  await build({
    entryPoints: chosen.map((f) => path.join(root, 'test/vm', f)),
    outdir: path.join(root, 'dist/vm'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // createRequire lets bundled CommonJS code (if any) require node builtins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const files = chosen.map((f) => path.join('dist/vm', f.replace(/\.ts$/, '.mjs')));
  // STACK_VM_TEST_NAME: only the tests whose name matches (node --test-name-pattern).
  const pattern = process.env.STACK_VM_TEST_NAME
    ? `--test-name-pattern=${JSON.stringify(process.env.STACK_VM_TEST_NAME)} `
    : '';
  const suiteCmd = `cd ${root} && exec node --test-reporter=spec --test-concurrency=1 ${pattern}--test ${files.join(' ')}`;

  // The initramfs: static busybox, the init script, the modules 9p and overlayfs need.
  for (const d of ['bin', 'proc', 'sys', 'dev', 'modules']) fs.mkdirSync(path.join(stage, d));
  fs.copyFileSync('/bin/busybox', path.join(stage, 'bin/busybox'));
  fs.chmodSync(path.join(stage, 'bin/busybox'), 0o755);
  fs.symlinkSync('busybox', path.join(stage, 'bin/sh'));
  fs.copyFileSync(path.join(here, 'guest-init.sh'), path.join(stage, 'init'));
  fs.chmodSync(path.join(stage, 'init'), 0o755);
  const moduleTree = path.join(kernelDir, 'lib/modules', kver);
  const modules = bootModules(moduleTree, ['virtio_pci', '9pnet_virtio', '9p', 'overlay', 'tun']);
  for (const m of modules) fs.copyFileSync(path.join(moduleTree, m), path.join(stage, 'modules', path.basename(m)));
  const env = {
    KVER: kver,
    KDIR: kernelDir,
    OUT: out,
    REPO: root,
    BOOT_MODULES: modules.map((m) => path.basename(m)).join(' '),
    SUITE_CMD: suiteCmd,
  };
  fs.writeFileSync(
    path.join(stage, 'vm.env'),
    Object.entries(env)
      .map(([k, v]) => `${k}='${v.replaceAll("'", "'\\''")}'\n`)
      .join(''),
  );
  const initramfs = path.join(out, 'initramfs.cpio');
  execFileSync('sh', ['-c', `cd "${stage}" && find . | cpio -o -H newc --quiet > "${initramfs}"`]);

  const args = [
    '-accel',
    'tcg,thread=multi',
    '-cpu',
    'max',
    '-smp',
    '2',
    '-m',
    '2048',
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-nic',
    'none',
    '-no-reboot',
    '-chardev',
    'stdio,id=console,signal=off',
    '-serial',
    'chardev:console',
    '-kernel',
    path.join(kernelDir, 'vmlinuz'),
    '-initrd',
    initramfs,
    '-append',
    'console=ttyS0 quiet loglevel=3 panic=-1 cgroup_no_v1=all',
    '-virtfs',
    'local,path=/,mount_tag=host,security_model=passthrough,readonly=on,multidevs=remap',
    '-virtfs',
    `local,path=${out},mount_tag=out,security_model=passthrough,multidevs=remap`,
  ];
  log(`booting linux ${kver} under qemu (TCG, 2 vCPUs, 2 GiB, no network), limit ${TIMEOUT_S} s`);
  qemu = spawn(QEMU, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    log(`time limit of ${TIMEOUT_S} s reached: killing qemu`);
    qemu.kill('SIGKILL');
  }, TIMEOUT_S * 1000);
  const qemuCode = await new Promise((resolve) => qemu.on('exit', (code, signal) => resolve(code ?? signal)));
  clearTimeout(timer);
  const codeFile = path.join(out, 'exit-code');
  const code = fs.existsSync(codeFile) ? Number(fs.readFileSync(codeFile, 'utf8').trim()) : undefined;
  if (code === undefined)
    log(`${timedOut ? 'timed out' : `qemu exited (${qemuCode})`} before the suite reported an exit code`);
  log(`${code === 0 ? 'passed' : 'FAILED'} in ${seconds()} (boot, suite and shutdown)`);
  process.exitCode = code ?? 1;
} finally {
  if (qemu && qemu.exitCode === null) qemu.kill('SIGKILL');
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(stage, { recursive: true, force: true });
}
