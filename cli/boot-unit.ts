// The systemd unit that runs `stack -p PROJECT boot` when the machine starts: written by
// `up` for a stack with a service that must come back after a reboot (`restart: always`
// or `unless-stopped`), removed by `down`. Podman is the model: like `podman generate
// systemd`, a plain unit per stack naming the absolute paths of the program it runs; like
// quadlet, nothing to do by hand (compose's `restart:` already says what the user wants,
// and with docker it needs no second step either). Enabling is the `WantedBy=` symlink
// `systemctl enable` would make, made here: the next boot needs nothing else, and no
// systemctl runs against a host whose PID 1 is not systemd.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stackRoot, stackRun } from '../store/paths.js';

/** Where systemd reads the administrator's units. */
export const SYSTEM_UNIT_DIR = '/etc/systemd/system';
const WANTED_BY = 'multi-user.target';

export const unitName = (project: string) => `stack-${project}.service`;

/**
 * Where units go: `STACK_SYSTEMD_UNIT_DIR` when set (empty: never), else /etc/systemd/system
 * where systemd runs (the folder systemd documents as its sign: /run/systemd/system).
 */
export function unitDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.STACK_SYSTEMD_UNIT_DIR;
  if (chosen !== undefined) return chosen === '' ? undefined : path.resolve(chosen);
  return fs.existsSync('/run/systemd/system') ? SYSTEM_UNIT_DIR : undefined;
}

/** Settings of ours that change what `boot` finds or how it starts containers. */
const PASSED_ON = ['STACK_INIT_STAGE', 'STACK_IP_FORWARD_DIR'];

export interface UnitFacts {
  project: string;
  root: string;
  run: string;
  /** Absolute paths: node and the CLI's entry script. */
  node: string;
  cli: string;
  env: Record<string, string>;
}

export function unitFacts(project: string): UnitFacts {
  const env: Record<string, string> = {};
  for (const k of PASSED_ON) if (process.env[k]) env[k] = process.env[k]!;
  return {
    project,
    root: stackRoot(),
    run: stackRun(),
    node: process.execPath,
    cli: fs.realpathSync(process.argv[1]!),
    env,
  };
}

/**
 * One word of a unit line, quoted as systemd reads it: `\` and `"` escaped, `%` (a
 * specifier) doubled, and in ExecStart `$` (a variable) too. A line break cannot be written.
 */
function quoted(word: string, exec = false): string {
  if (/[\n\r]/.test(word)) throw new Error(`a systemd unit cannot hold a line break: ${JSON.stringify(word)}`);
  const escaped = word.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%');
  return `"${exec ? escaped.replace(/\$/g, '$$$$') : escaped}"`;
}

export function unitText(f: UnitFacts): string {
  const env = { STACK_ROOT: f.root, STACK_RUN: f.run, ...f.env };
  return [
    `# Made by \`stack up\` for stack ${f.project}; \`stack down\` removes it.`,
    '[Unit]',
    `Description=stack ${f.project}: containers with restart always or unless-stopped`,
    'Wants=network-online.target',
    'After=network-online.target local-fs.target',
    // STACK_ROOT may be a mount of its own; the list is space-separated, so a path with a space is left out.
    ...(/\s/.test(f.root) ? [] : [`RequiresMountsFor=${f.root.replace(/%/g, '%%')}`]),
    '',
    '[Service]',
    // The supervisor it starts runs on: the unit is "the stack was brought back".
    'Type=oneshot',
    'RemainAfterExit=yes',
    ...Object.entries(env).map(([k, v]) => `Environment=${quoted(`${k}=${v}`)}`),
    `ExecStart=${[f.node, f.cli, '-p', f.project, 'boot'].map((w) => quoted(w, true)).join(' ')}`,
    // Images are in the store already: a boot that takes longer is stuck.
    'TimeoutStartSec=5min',
    '',
    '[Install]',
    `WantedBy=${WANTED_BY}`,
    '',
  ].join('\n');
}

/** The STACK_ROOT a unit file was written for, if it is one of ours. */
function rootOf(text: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith('Environment="STACK_ROOT='));
  return line?.slice('Environment="STACK_ROOT='.length, -1).replace(/\\(.)/g, '$1').replace(/%%/g, '%');
}

export interface UnitChange {
  file: string;
  changed: boolean;
  /** Why nothing was done, when not. */
  skipped?: string;
}

/** Writes and enables the unit (or leaves an identical one); never overwrites another STACK_ROOT's unit of the same name. */
export function installUnit(dir: string, facts: UnitFacts): UnitChange {
  const file = path.join(dir, unitName(facts.project));
  const text = unitText(facts);
  const old = readIfThere(file);
  const other = old !== undefined ? rootOf(old) : undefined;
  if (old !== undefined && other !== facts.root)
    return {
      file,
      changed: false,
      skipped: `${file} is there for ${other ? `STACK_ROOT ${other}` : 'something else'}; left as it is`,
    };
  const wants = path.join(dir, `${WANTED_BY}.wants`);
  const link = path.join(wants, unitName(facts.project));
  const enabled = readLinkIfThere(link) === `../${unitName(facts.project)}`;
  if (old === text && enabled) return { file, changed: false };
  fs.mkdirSync(wants, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
  if (!enabled) {
    fs.rmSync(link, { force: true });
    fs.symlinkSync(`../${unitName(facts.project)}`, link);
  }
  return { file, changed: true };
}

/** Disables and removes the unit, if it is this STACK_ROOT's. */
export function removeUnit(dir: string, project: string, root = stackRoot()): UnitChange {
  const file = path.join(dir, unitName(project));
  const old = readIfThere(file);
  if (old === undefined || rootOf(old) !== root) return { file, changed: false };
  fs.rmSync(path.join(dir, `${WANTED_BY}.wants`, unitName(project)), { force: true });
  fs.rmSync(file, { force: true });
  return { file, changed: true };
}

/** systemd rereads its units (for `systemctl status`; the next boot reads them anyway). Only for its own folder, where it runs. */
export function reloadSystemd(dir: string): string | undefined {
  if (dir !== SYSTEM_UNIT_DIR || !fs.existsSync('/run/systemd/system')) return undefined;
  const r = spawnSync('systemctl', ['daemon-reload'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  return r.status === 0 ? undefined : `systemctl daemon-reload failed: ${(r.stderr ?? r.error?.message ?? '').trim()}`;
}

function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readLinkIfThere(link: string): string | undefined {
  try {
    return fs.readlinkSync(link);
  } catch {
    return undefined;
  }
}

/**
 * After `up` (every apply) and `down`: the unit is there exactly while the stack has a
 * service that must come back at boot. A unit that cannot be written warns; `up` stands.
 */
export function syncBootUnit(project: string, wanted: boolean, say: (line: string) => void): void {
  const dir = unitDir();
  if (!dir) return;
  try {
    const change = wanted ? installUnit(dir, unitFacts(project)) : removeUnit(dir, project);
    if (change.skipped) say(`stack: not installing the boot unit: ${change.skipped}`);
    if (!change.changed) return;
    say(
      wanted ? `stack ${project} comes back at boot: ${change.file} (enabled)` : `removed the boot unit ${change.file}`,
    );
    const problem = reloadSystemd(dir);
    if (problem) say(`stack: ${problem}`);
  } catch (err) {
    say(
      `stack: the boot unit of ${project} in ${dir} could not be ${wanted ? 'written' : 'removed'}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
