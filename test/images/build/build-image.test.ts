// Privileged: whole builds with the real runtime, over the busybox layer the tests make.
// What each step leaves in the image (files, owners, modes, whiteouts), the config, the
// build cache, and what a failed step reports and leaves behind.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { ImageInfo } from '../../../model/observed.js';
import { createLinuxHost } from '../../../executor/host/linux/linux-host.js';
import { makeBuildStepRunner } from '../../../executor/build-step-runner.js';
import { keptNetworkProjects, removeKeptNetworks } from '../../../executor/kept-build-network.js';
import { buildImage } from '../../../images/build/build-image.js';
import { BuildStepError, DockerfileError } from '../../../images/build/build-errors.js';
import { findImage, saveImage } from '../../../images/image-store.js';
import { lookup } from '../../../images/build/layer-stack.js';
import { paths } from '../../../store/paths.js';
import { natTableName, vethName } from '../../../model/names.js';
import { buildBusyboxLayer } from '../../support/busybox-layer.js';
import { makeOutsideHost } from '../../support/outside-host.js';
import { repoRoot } from '../../support/stack-cli.js';
import { buildRequest } from '../../support/build-request.js';

/** Alive and not a zombie (an orphan whose reaper has not reaped it yet is gone for us). */
function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-build-'));
process.env.STACK_ROOT = path.join(tmp, 'root');
process.env.STACK_RUN = path.join(tmp, 'run');
const BASE = 'stack.local/busybox:build';
const host = createLinuxHost();
const runner = makeBuildStepRunner(host);

const events = { started: [] as string[], cached: [] as boolean[], output: '' };
const deps = {
  runner,
  events: {
    stepStarted: (s: { text: string }) => events.started.push(s.text),
    stepOutput: (c: Buffer) => (events.output += c.toString()),
    stepDone: (s: { cached: boolean }) => events.cached.push(s.cached),
  },
  baseImage: async (ref: string) => {
    const info = await findImage(ref);
    if (!info) throw new Error(`no ${ref}`);
    return info;
  },
};

function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'ctx-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const request = buildRequest;

/** What the image's root shows at `rel`, through its layers. */
function inImage(info: ImageInfo, rel: string): { text?: string; stat?: fs.Stats } {
  const found = lookup(
    [...info.layers].reverse().map((l) => paths.layerDir(l)),
    rel,
  );
  if (found.kind === 'missing') return {};
  return { stat: found.stat, text: found.stat.isFile() ? fs.readFileSync(found.file, 'utf8') : undefined };
}

beforeAll(async () => {
  const layer = buildBusyboxLayer();
  await saveImage({ ref: BASE, id: layer, layers: [layer], env: ['PATH=/bin'] });
});

afterAll(async () => {
  // The network builds keep for the next one goes as `image prune` removes it.
  await removeKeptNetworks(host, 0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('buildImage', () => {
  it('runs RUN in a container, copies from the context, and writes the config', async () => {
    const dir = context({
      Dockerfile: [
        `FROM ${BASE}`,
        'ENV GREETING=hello',
        'WORKDIR /app',
        'COPY --chown=app:app --chmod=0640 hello.txt ./',
        'RUN echo "$GREETING from RUN" > /app/run.txt && rm /srv/data/from-image.txt',
        'USER app',
        'EXPOSE 8080',
        'CMD ["cat", "/app/run.txt"]',
        '',
      ].join('\n'),
      'hello.txt': 'hi\n',
    });
    const info = await buildImage(request(dir, 'stack.local/built:1'), deps);
    expect(inImage(info, 'app/run.txt').text).toBe('hello from RUN\n');
    const hello = inImage(info, 'app/hello.txt');
    expect(hello.text).toBe('hi\n');
    expect([hello.stat!.uid, hello.stat!.gid, hello.stat!.mode & 0o777]).toEqual([1000, 1000, 0o640]);
    expect(inImage(info, 'srv/data/from-image.txt').stat).toBeUndefined();
    expect(inImage(info, 'proc').stat?.isDirectory()).toBe(true); // from the base, untouched
    expect(info).toMatchObject({ cmd: ['cat', '/app/run.txt'], user: 'app', workingDir: '/app' });
    expect(info.env).toContain('GREETING=hello');
    expect(await findImage('stack.local/built:1')).toEqual(info);
    expect(fs.existsSync(paths.blobFile(info.manifest!))).toBe(true);
  });

  it('takes every step from the cache the second time, and runs them again with noCache', async () => {
    const dir = context({ Dockerfile: `FROM ${BASE}\nRUN head -c 16 /dev/urandom | od -x > /stamp\n` });
    const first = await buildImage(request(dir, 'stack.local/cached:1'), deps);
    events.cached.length = 0;
    const second = await buildImage(request(dir, 'stack.local/cached:1'), deps);
    expect(events.cached).toEqual([true]);
    expect(second.layers).toEqual(first.layers);
    expect(second.id).toBe(first.id); // the same image: `up` has nothing to replace
    events.cached.length = 0;
    const third = await buildImage(request(dir, 'stack.local/cached:1', { noCache: true }), deps);
    expect(events.cached).toEqual([false]);
    expect(third.layers.at(-1)).not.toBe(first.layers.at(-1));
  });

  it('reports a failing RUN with its exit code and last lines, and stores no image', async () => {
    const dir = context({ Dockerfile: `FROM ${BASE}\nRUN echo about to fail; exit 3\n` });
    const err = await buildImage(request(dir, 'stack.local/failing:1'), deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildStepError);
    expect((err as BuildStepError).exitCode).toBe(3);
    expect((err as BuildStepError).tail).toContain('about to fail');
    expect((err as BuildStepError).diagnostic.line).toBe(2);
    expect(await findImage('stack.local/failing:1')).toBeUndefined();
    expect(
      fs.readdirSync(path.join(process.env.STACK_ROOT!, 'stacks')).filter((n) => n.startsWith('stkbuild')),
    ).toEqual([]);
  });

  it('leaves no build stack and hands the network back when a step fails after the runner got ready for a RUN', async () => {
    // The COPY misses the cache and fails as it runs (no such user), the RUN after it never runs.
    const dir = context({ Dockerfile: `FROM ${BASE}\nCOPY --chown=nosuchuser a.txt /x\nRUN true\n`, 'a.txt': 'a' });
    const prepared: boolean[] = [];
    const watched = {
      ...deps,
      runner: {
        ...runner,
        prepare: (id: string, network: boolean) => (prepared.push(network), runner.prepare!(id, network)),
      },
    };
    const before = await keptNetworkProjects();
    const req = request(dir, 'stack.local/prepared-fail:1', { network: 'default', noCache: true });
    const err = await buildImage(req, watched).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect(prepared).toEqual([true]);
    expect(
      fs.readdirSync(path.join(process.env.STACK_ROOT!, 'stacks')).filter((n) => n.startsWith('stkbuild')),
    ).toEqual([]);
    // Its lock and its network were released: the next build takes the same kept network.
    const next = context({ Dockerfile: `FROM ${BASE}\nRUN true\n` });
    await buildImage(request(next, 'stack.local/after-prepared:1', { network: 'default', noCache: true }), deps);
    const after = await keptNetworkProjects();
    expect(after).toHaveLength(1);
    if (before.length > 0) expect(after).toEqual(before);
  });

  it('copies a context file as its cache key read it, though it is edited before the copy', async () => {
    const dir = context({ Dockerfile: `FROM ${BASE}\nCOPY a.txt /a.txt\nRUN true\n`, 'a.txt': 'before\n' });
    const file = path.join(dir, 'a.txt');
    fs.chmodSync(file, 0o644);
    // The edit lands between the COPY's checksum and its copy: when the runner gets ready for the RUN.
    const editing = {
      ...deps,
      runner: {
        ...runner,
        prepare: (id: string, network: boolean) => {
          fs.writeFileSync(file, 'edited meanwhile\n');
          fs.chmodSync(file, 0o755);
          runner.prepare!(id, network);
        },
      },
    };
    const first = await buildImage(request(dir, 'stack.local/edited:1', { noCache: true }), editing);
    expect(inImage(first, 'a.txt').text).toBe('before\n');
    expect(inImage(first, 'a.txt').stat!.mode & 0o777).toBe(0o644);
    // The edit is a change for the next build: its COPY misses the cache and copies it.
    events.cached.length = 0;
    const second = await buildImage(request(dir, 'stack.local/edited:1'), deps);
    expect(events.cached).toEqual([false, false]);
    expect(inImage(second, 'a.txt').text).toBe('edited meanwhile\n');
    expect(inImage(second, 'a.txt').stat!.mode & 0o777).toBe(0o755);
  });

  it('refuses a broken Dockerfile with every problem at once, located', async () => {
    const dir = context({ Dockerfile: `FROM ${BASE}\nRUNN echo\nCOPY\n` });
    const err = await buildImage(request(dir, 'stack.local/broken:1'), deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).diagnostics.map((d) => d.line)).toEqual([2, 3]);
  });

  it('gives RUN egress by default through a bridge of its own, and none with --network=none', async () => {
    const outside = await makeOutsideHost();
    try {
      const url = `http://${outside.ip}:${outside.httpPort}/`;
      const dir = context({
        Dockerfile: [
          `FROM ${BASE}`,
          // (busybox 1.35's wget crashes with -q or -T here: plain wget under timeout instead)
          `RUN timeout 5 wget -O /egress.txt ${url}`,
          `RUN --network=none timeout 2 wget -O /none.txt ${url} || echo unreachable > /none.txt`,
          '',
        ].join('\n'),
      });
      const info = await buildImage(request(dir, 'stack.local/egress:1', { network: 'default' }), deps);
      expect(inImage(info, 'egress.txt').text).toMatch(/^you are /);
      expect(inImage(info, 'none.txt').text).toBe('unreachable\n');
    } finally {
      outside.dispose();
    }
  });

  it("makes the kept network's table again when the ruleset changed, e.g. someone removed it", async () => {
    const outside = await makeOutsideHost();
    try {
      const url = `http://${outside.ip}:${outside.httpPort}/`;
      const dir = context({ Dockerfile: `FROM ${BASE}\nRUN timeout 5 wget -O /egress.txt ${url}\n` });
      await buildImage(request(dir, 'stack.local/kept-table:1', { network: 'default', noCache: true }), deps);
      const [project] = await keptNetworkProjects();
      const table = natTableName(project!);
      execFileSync('nft', ['delete', 'table', 'ip', table]); // a firewall reload, a hand
      const info = await buildImage(
        request(dir, 'stack.local/kept-table:2', { network: 'default', noCache: true }),
        deps,
      );
      expect(inImage(info, 'egress.txt').text).toMatch(/^you are /);
      expect(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' })).toContain(table);
    } finally {
      outside.dispose();
    }
  });

  it("mounts a secret with build.secrets' owner and mode unless the RUN's mount sets its own", async () => {
    const secret = path.join(tmp, 'owned.txt');
    fs.writeFileSync(secret, 'owned\n');
    const dir = context({
      Dockerfile: [
        `FROM ${BASE}`,
        'RUN --mount=type=secret,id=owned stat -c %a:%u:%g /run/secrets/owned > /from-compose',
        'RUN --mount=type=secret,id=owned,mode=0444,uid=7 stat -c %a:%u:%g /run/secrets/owned > /from-mount',
        '',
      ].join('\n'),
    });
    const req = request(dir, 'stack.local/secret-mode:1', {
      secrets: [{ id: 'owned', file: secret, uid: '1000', gid: '1001', mode: 0o440 }],
    });
    const info = await buildImage(req, deps);
    expect(inImage(info, 'from-compose').text).toBe('440:1000:1001\n');
    expect(inImage(info, 'from-mount').text).toBe('444:7:1001\n');
  });

  it('makes one network for the RUN steps of a build, keeps it for the next builds, failed or not, until it is removed', async () => {
    const counting = createLinuxHost();
    const made: string[] = [];
    const removed: string[] = [];
    const detached: string[] = [];
    const { createBridge, removeBridge, detach } = counting.networks;
    counting.networks.createBridge = (net) => (made.push(net.bridge), createBridge(net));
    counting.networks.removeBridge = (bridge) => (removed.push(bridge), removeBridge(bridge));
    counting.networks.detach = (veth) => (detached.push(veth), detach(veth));
    const countingDeps = { ...deps, runner: makeBuildStepRunner(counting) };
    const dir = context({
      Dockerfile: [`FROM ${BASE}`, 'RUN ip route > /one', 'RUN --network=none true', 'RUN ip route > /three', ''].join(
        '\n',
      ),
    });
    const info = await buildImage(
      request(dir, 'stack.local/one-net:1', { network: 'default', noCache: true }),
      countingDeps,
    );
    const bridge = made[0]!;
    expect(new Set(made)).toEqual(new Set([bridge])); // made (or made again over itself) once per build
    expect(removed).toEqual([]);
    expect(inImage(info, 'three').text).toBe(inImage(info, 'one').text); // the same network
    expect(fs.existsSync(`/sys/class/net/${bridge}`)).toBe(true); // kept for the next build
    const stepVeths = () =>
      fs
        .readdirSync('/sys/class/net')
        .filter(
          (n) =>
            fs.existsSync(`/sys/class/net/${n}/brport`) &&
            fs.realpathSync(`/sys/class/net/${n}/brport/bridge`).endsWith(`/${bridge}`),
        );
    // An exited step's veth is not deleted by its removal: the kernel deletes the pair with the
    // step's network namespace, which nothing holds once the step's init was reaped.
    expect(detached).toEqual([]);
    await vi.waitFor(() => expect(stepVeths()).toEqual([]), { timeout: 5000, interval: 5 });

    made.length = 0;
    const failing = context({ Dockerfile: `FROM ${BASE}\nRUN true\nRUN ip route > /dev/null; exit 4\n` });
    const err = await buildImage(request(failing, 'stack.local/one-net:2', { network: 'default' }), countingDeps).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildStepError);
    expect(new Set(made)).toEqual(new Set([bridge])); // the same kept network
    expect(removed).toEqual([]);
    expect(detached).toEqual([]); // its failed RUN ran and exited too
    await vi.waitFor(() => expect(stepVeths()).toEqual([]), { timeout: 5000, interval: 5 });
    expect(
      fs.readdirSync(path.join(process.env.STACK_ROOT!, 'stacks')).filter((n) => n.startsWith('stkbuild')),
    ).toEqual([]);

    // `image prune` removes a kept network no build holds: bridge, table, records.
    const [project] = await keptNetworkProjects();
    expect(await removeKeptNetworks(counting, 0)).toEqual([project]);
    expect(removed).toEqual([bridge]);
    expect(fs.existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    expect(await keptNetworkProjects()).toEqual([]);
  });

  it('builds multi-stage: COPY --from a stage, heredocs, a cache mount kept between builds, a secret, ONBUILD', async () => {
    const secret = path.join(tmp, 'token.txt');
    fs.writeFileSync(secret, 's3cret\n');
    const dir = context({
      Dockerfile: [
        `FROM ${BASE} AS builder`,
        'RUN --mount=type=cache,target=/cache echo run >> /cache/runs && wc -l < /cache/runs > /runs-seen',
        'RUN --mount=type=secret,id=token cp /run/secrets/token /token-copy && echo ok > /built',
        'RUN <<EOF',
        'echo "from a heredoc $((1 + 2))" > /heredoc.txt',
        'EOF',
        'COPY <<NOTE /note.txt',
        'a note',
        'NOTE',
        'ONBUILD RUN echo triggered > /triggered',
        `FROM ${BASE}`,
        'COPY --from=builder /built /heredoc.txt /note.txt /out/',
        '',
      ].join('\n'),
    });
    const req = request(dir, 'stack.local/multi:1', { secrets: [{ id: 'token', file: secret }] });
    const info = await buildImage(req, deps);
    expect(inImage(info, 'out/built').text).toBe('ok\n');
    expect(inImage(info, 'out/heredoc.txt').text).toBe('from a heredoc 3\n');
    expect(inImage(info, 'out/note.txt').text).toBe('a note\n');
    const builder = await buildImage(
      { ...req, target: 'builder', tags: ['stack.local/multi-builder:1'], noCache: true },
      deps,
    );
    expect(inImage(builder, 'runs-seen').text?.trim()).toBe('2'); // the cache folder outlived the first build
    expect(inImage(builder, 'token-copy').text).toBe('s3cret\n');
    expect(inImage(builder, 'run/secrets/token').stat).toBeUndefined(); // the mount point is not in the image
    const child = context({ Dockerfile: 'FROM stack.local/multi-builder:1\n' });
    const built = await buildImage(request(child, 'stack.local/onbuild-child:1'), deps);
    expect(inImage(built, 'triggered').text).toBe('triggered\n');
  });

  it('ADD unpacks a local tar archive and fetches a URL', async () => {
    const dir = context({ Dockerfile: '', 'payload/inner.txt': 'inside the tar\n' });
    execFileSync('tar', ['-czf', path.join(dir, 'payload.tgz'), '-C', path.join(dir, 'payload'), '.']);
    const server = http.createServer((_req, res) => res.end('fetched over http\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      fs.writeFileSync(
        path.join(dir, 'Dockerfile'),
        `FROM ${BASE}\nADD payload.tgz /unpacked/\nADD http://127.0.0.1:${port}/files/remote.txt /fetched/\n`,
      );
      const info = await buildImage(request(dir, 'stack.local/add:1'), deps);
      expect(inImage(info, 'unpacked/inner.txt').text).toBe('inside the tar\n');
      const fetched = inImage(info, 'fetched/remote.txt');
      expect(fetched.text).toBe('fetched over http\n');
      expect(fetched.stat!.mode & 0o777).toBe(0o600);
    } finally {
      server.close();
    }
  });

  it('COPY --exclude leaves the matching files out, on top of .dockerignore', async () => {
    const dir = context({
      Dockerfile: `FROM ${BASE}\nCOPY --exclude=*.log --exclude=secret/ src/ /src/\n`,
      '.dockerignore': 'src/tmp\n',
      'src/keep.txt': 'kept\n',
      'src/debug.log': 'noise\n',
      'src/secret/key': 'k\n',
      'src/tmp/scratch': 's\n',
    });
    const info = await buildImage(request(dir, 'stack.local/exclude:1'), deps);
    expect(inImage(info, 'src/keep.txt').text).toBe('kept\n');
    for (const gone of ['src/debug.log', 'src/secret', 'src/tmp']) expect(inImage(info, gone).stat).toBeUndefined();
  });

  it.each(['none', 'default'] as const)(
    'a build killed with kill -9 in the middle of a RUN (network %s) leaves nothing once the next build starts',
    async (network) => {
      const dir = context({ Dockerfile: `FROM ${BASE}\nRUN echo started && sleep 120\n` });
      const script = `
      const { buildImage } = await import('${repoRoot}/dist/images/build/build-image.js');
      const { makeBuildStepRunner } = await import('${repoRoot}/dist/executor/build-step-runner.js');
      const { createLinuxHost } = await import('${repoRoot}/dist/executor/host/linux/linux-host.js');
      const { findImage } = await import('${repoRoot}/dist/images/image-store.js');
      const events = { stepStarted() {}, stepDone() {}, stepOutput: (c) => process.stdout.write(c) };
      const req = {
        context: ${JSON.stringify(dir)}, dockerfile: { file: ${JSON.stringify(path.join(dir, 'Dockerfile'))} },
        buildArgs: new Map(), tags: ['stack.local/killed:1'], labels: {}, noCache: true, pull: false,
        network: '${network}', extraHosts: [], secrets: [], additionalContexts: {},
      };
      await buildImage(req, { runner: makeBuildStepRunner(createLinuxHost()), events, baseImage: findImage });`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: process.env });
      let out = '';
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => c.toString().includes('started') && resolve());
        child.on('exit', () => reject(new Error(`the build ended before its RUN started: ${out}`)));
      });
      const stacks = path.join(process.env.STACK_ROOT!, 'stacks');
      const leftover = fs.readdirSync(stacks).find((n) => n.startsWith('stkbuild-'))!;
      const record = JSON.parse(
        fs.readFileSync(path.join(stacks, leftover, 'state', 'containers', `${leftover}-1.json`), 'utf8'),
      ) as { pid: number };
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
      expect(processAlive(record.pid)).toBe(true); // the step's container outlived its builder
      const stepVeth = () => fs.existsSync(`/sys/class/net/${vethName(leftover, `${leftover}-1`, 'build')}`);
      expect(stepVeth()).toBe(network === 'default');
      const kept = await keptNetworkProjects();
      expect(kept).toHaveLength(network === 'default' ? 1 : 0);

      const next = context({ Dockerfile: `FROM ${BASE}\nRUN ip route > /dev/null\n` });
      // The next build's process (a runner of its own) sweeps before its first step, and
      // takes the kept network the killed build held (its lock went with its process).
      const nextDeps = { ...deps, runner: makeBuildStepRunner(createLinuxHost()) };
      await buildImage(request(next, 'stack.local/after-kill:1', { noCache: true, network }), nextDeps);
      expect(fs.readdirSync(stacks).filter((n) => n.startsWith('stkbuild-'))).toEqual([]);
      expect(processAlive(record.pid)).toBe(false);
      expect(stepVeth()).toBe(false);
      expect(await keptNetworkProjects()).toEqual(kept);
    },
  );

  it('reads a folder of additional_contexts with COPY --from and RUN --mount=from, and refuses it as a FROM', async () => {
    const shared = context({ 'config/app.conf': 'shared config\n', 'tools/hello.sh': 'echo hello from a tool\n' });
    const dir = context({
      Dockerfile: [
        `FROM ${BASE}`,
        'COPY --from=shared config/app.conf /etc/app.conf',
        'RUN --mount=type=bind,from=shared,source=tools,target=/tools sh /tools/hello.sh > /hello.txt',
        '',
      ].join('\n'),
    });
    const info = await buildImage(request(dir, 'stack.local/contexts:1', { additionalContexts: { shared } }), deps);
    expect(inImage(info, 'etc/app.conf').text).toBe('shared config\n');
    expect(inImage(info, 'hello.txt').text).toBe('hello from a tool\n');
    const bad = context({ Dockerfile: 'FROM shared\n' });
    const err = await buildImage(
      request(bad, 'stack.local/contexts:2', { additionalContexts: { shared } }),
      deps,
    ).catch((e: unknown) => e);
    expect((err as DockerfileError).diagnostics[0]!.message).toMatch(/FROM shared: that build context is a folder/);
  });
});
