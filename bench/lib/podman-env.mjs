// A private podman configuration: storage, run root and network configs under the bench's
// temp folder. Host quirks: cgroup v1 without systemd needs the cgroupfs manager; crun
// refuses hybrid cgroups, so runc; podman's default nofile and nproc ulimits exceed this
// host's hard limits (nofile 20000) and CAP_SYS_RESOURCE is absent, so both are capped.

import fs from 'node:fs';
import path from 'node:path';
import { killMarked, unmountBelow } from './host-guard.mjs';
import { quiet } from './run.mjs';

/**
 * containers.conf of the bench's podman, rootful or rootless: the host quirks above, and
 * `engine`/`network` lines of the caller's.
 */
export function containersConf(hard, { engine = [], network = [] }) {
  // podman starts conmon with a hard nproc of 32768 (seen here), and runc under conmon
  // cannot raise it: ask for no more than either.
  const nproc = Math.min(hard.nproc, 32768);
  return [
    '[containers]',
    `default_ulimits = ["nofile=${hard.nofile}:${hard.nofile}", "nproc=${nproc}:${nproc}"]`,
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    'runtime = "runc"',
    ...engine,
    '[network]',
    ...network,
    '',
  ].join('\n');
}

export function podmanEnv(root, hard) {
  const dir = path.join(root, 'podman');
  for (const d of ['root', 'run', 'networks', 'tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const conf = path.join(dir, 'containers.conf');
  fs.writeFileSync(
    conf,
    containersConf(hard, {
      engine: [`events_logfile_path = "${path.join(dir, 'events.log')}"`, `tmp_dir = "${path.join(dir, 'tmp')}"`],
      network: [`network_config_dir = "${path.join(dir, 'networks')}"`],
    }),
  );
  const storage = path.join(dir, 'storage.conf');
  fs.writeFileSync(
    storage,
    [
      '[storage]',
      'driver = "overlay"',
      `graphroot = "${path.join(dir, 'root')}"`,
      `runroot = "${path.join(dir, 'run')}"`,
      '',
    ].join('\n'),
  );
  return { dir, env: { ...process.env, CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage } };
}

export function cleanupPodman(p) {
  quiet('podman', ['rm', '-af', '-t', '0'], { env: p.env });
  quiet('podman', ['network', 'prune', '-f'], { env: p.env });
  killMarked(p.dir);
  unmountBelow(p.dir);
}
