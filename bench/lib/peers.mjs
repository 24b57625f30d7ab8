// Which peers are installed, and `--install-peers`: Debian's packages, installed without
// letting their postinst scripts start daemons (the bench starts its own, privately).

import fs from 'node:fs';
import { quiet, timed } from './run.mjs';

export const PEERS = {
  runc: { bin: 'runc', pkg: 'runc' },
  crun: { bin: 'crun', pkg: 'crun' },
  podman: { bin: 'podman', pkg: 'podman' },
  'podman-compose': { bin: 'podman-compose', pkg: 'podman-compose' },
  docker: { bin: 'dockerd', pkg: 'docker.io' },
  'docker-compose': { bin: 'docker-compose', pkg: 'docker-compose' },
};

const has = (bin) => quiet('sh', ['-c', `command -v ${bin}`]).status === 0;

export function detectPeers() {
  return Object.fromEntries(Object.entries(PEERS).map(([name, p]) => [name, has(p.bin)]));
}

/** What the peers need besides themselves: podman's `--init` (init: true) runs catatonit. */
const HELPERS = [
  { path: '/usr/libexec/podman/catatonit', pkg: 'catatonit' },
  { path: '/usr/bin/tini-static', pkg: 'tini' },
];

export function installPeers(log) {
  const missing = [
    ...Object.values(PEERS)
      .filter((p) => !has(p.bin))
      .map((p) => p.pkg),
    ...HELPERS.filter((h) => !fs.existsSync(h.path)).map((h) => h.pkg),
  ];
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} from Debian`);
  // policy-rc.d answering 101 keeps dpkg from starting dockerd/containerd on install.
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !fs.existsSync(policy);
  if (ours) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    timed(
      'apt-get',
      ['install', '-y', '-q', '--no-install-recommends', ...new Set([...missing, 'tini', 'catatonit', 'conmon'])],
      { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 900_000 },
    );
  } finally {
    if (ours) fs.rmSync(policy);
  }
}

export function versions() {
  const v = (cmd, args) => {
    try {
      return quiet(cmd, args).stdout.split('\n')[0].trim() || 'absent';
    } catch {
      return 'absent'; // not installed: spawn fails with ENOENT
    }
  };
  return {
    runc: v('runc', ['--version']),
    crun: v('crun', ['--version']),
    podman: v('podman', ['--version']),
    'podman-compose': v('sh', [
      '-c',
      'podman-compose --version 2>/dev/null | grep -i podman-compose || podman-compose version 2>/dev/null | head -1',
    ]),
    docker: v('dockerd', ['--version']),
    'docker-compose': v('docker-compose', ['--version']),
  };
}
