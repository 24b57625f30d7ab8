// The reference builder: Debian 12's `podman build` (4.3.1, buildah 1.28) on this machine,
// with everything it keeps in the test's temp folder. The options, and why each:
//   --root/--runroot/--tmpdir, TMPDIR   storage, run state and scratch space in the test's
//                                       folder: nothing in /var/lib/containers or /run/containers
//   --storage-driver overlay            the kernel's overlayfs (the folder is on ext4); vfs
//                                       works too but copies every layer for every step
//   --cgroup-manager cgroupfs           PID 1 is not systemd, so no systemd cgroup manager; the
//                                       cgroup v1 controllers work through cgroupfs with runc
//   --events-backend file               no journald here
//   --runtime runc                      podman picks crun when it is installed (the bench's peers
//                                       install it), and crun refuses this host's hybrid cgroups
//   build --network none                RUN steps get no network at all (the fixtures need none,
//                                       and traffic must stay on this machine). OCI isolation
//                                       (runc) is kept: `--isolation chroot` refuses any
//                                       network but the host's
//   build --format docker               OCI image configs have no Healthcheck, Shell or OnBuild,
//                                       so buildah drops them in its default OCI format; docker's
//                                       format keeps them, as BuildKit does
//   build --identity-label=false        no `io.buildah.version` label in every image
//   CONTAINERS_REGISTRIES_CONF          `stack.test/…` goes to the local registry, over http
//   --signature-policy                  accept the local registry's unsigned images
// Builds give `podman save --format docker-dir` folders, which read-image.ts reads.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE_REGISTRY } from './base-images.js';
import type { Fixture } from './fixtures.js';

const run = promisify(execFile);

/** Options of every reference build (a part of the reference cache's key). */
export const PODMAN_BUILD_OPTIONS = ['--format', 'docker', '--identity-label=false', '--network', 'none'];

export interface PodmanBuilder {
  version: string;
  /** Builds the fixture, tags it with its `tag` (if any), saves it; returns the docker-dir folder. */
  build(f: Fixture): Promise<string>;
  dispose(): Promise<void>;
}

export async function makePodmanBuilder(dir: string, registryHost: string): Promise<PodmanBuilder> {
  for (const d of ['storage', 'run', 'tmp', 'out', 'secrets']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const registries = path.join(dir, 'registries.conf');
  fs.writeFileSync(
    registries,
    `unqualified-search-registries = []\n[[registry]]\nprefix = "${FIXTURE_REGISTRY}"\nlocation = "${registryHost}"\ninsecure = true\n`,
  );
  const policy = path.join(dir, 'policy.json');
  fs.writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const env = { ...process.env, CONTAINERS_REGISTRIES_CONF: registries, TMPDIR: path.join(dir, 'tmp'), HOME: dir };
  const globals = Object.entries({
    root: path.join(dir, 'storage'),
    runroot: path.join(dir, 'run'),
    tmpdir: path.join(dir, 'tmp'),
    'storage-driver': 'overlay',
    'cgroup-manager': 'cgroupfs',
    'events-backend': 'file',
    runtime: 'runc',
  }).flatMap(([k, v]) => [`--${k}`, v]);
  const podman = async (args: string[]) => {
    try {
      return (await run('podman', [...globals, ...args], { env, maxBuffer: 64 << 20 })).stdout;
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`podman ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  };
  const version = (await podman(['--version'])).trim();
  let n = 0;
  return {
    version,
    async build(f) {
      const tag = f.spec.tag ?? `localhost/stk-fixture-${f.name}:latest`;
      const args = ['build', ...PODMAN_BUILD_OPTIONS, '--signature-policy', policy, '-t', tag];
      args.push('-f', path.join(f.dir, f.spec.reference?.dockerfile ?? f.spec.dockerfile ?? 'Dockerfile'));
      if (f.spec.reference?.ignorefile) args.push('--ignorefile', path.join(f.dir, f.spec.reference.ignorefile));
      for (const [k, v] of Object.entries(f.spec.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
      if (f.spec.target) args.push('--target', f.spec.target);
      for (const [id, content] of Object.entries(f.spec.secrets ?? {})) {
        const file = path.join(dir, 'secrets', `${f.name}-${id}`);
        fs.writeFileSync(file, content, { mode: 0o600 });
        args.push('--secret', `id=${id},src=${file}`);
      }
      await podman([...args, f.dir]);
      const out = path.join(dir, 'out', `${++n}-${f.name}`);
      await podman(['save', '--format', 'docker-dir', '-o', out, tag]);
      return out;
    },
    async dispose() {
      // podman's overlay driver leaves its storage folder bind-mounted on itself.
      for (const m of mountsUnder(dir)) await run('umount', ['-l', m]).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const points = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}
