// planMounts: a service's volumes, tmpfs, secrets and configs → ContainerSpec.mounts, and
// every problem the host would hit reported before anything starts.

import { describe, expect, it } from 'vitest';
import { emptyObserved, type Observed } from '../../model/observed.js';
import { planMounts, requiredHostPaths } from '../../planner/plan/plan-mounts.js';
import { teardown } from '../../planner/plan/teardown.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { planToText } from '../../model/plan-text.js';
import { volumeHash } from '../../model/hash.js';
import { load, problems } from './helpers.js';

const file = `name: app
services:
  web:
    image: busybox
    volumes:
      - data:/var/lib/data
      - /scratch
      - ./site:/www:ro
      - type: bind
        source: /srv/conf
        target: /conf
        bind: { create_host_path: false, propagation: rslave }
      - type: volume
        source: data
        target: /var/lib/data/sub
        volume: { nocopy: true }
    tmpfs: ["/run/cache:size=1m,mode=700"]
    secrets:
      - pw
      - { source: tok, target: token, uid: "1000", gid: "50", mode: 0400 }
    configs:
      - cfg
      - { source: cfg, target: /etc/app.conf }
volumes:
  data: {}
secrets:
  pw: { file: ./pw.txt }
  tok: { environment: TOKEN }
configs:
  cfg: { content: "a=1" }
`;

/** What a volume of the file without driver, driver_opts or labels is made from. */
const plain = {
  config: { driver: 'local', driverOpts: {}, labels: {} },
  hash: volumeHash({ driver: 'local', driverOpts: {}, labels: {} }),
};

const plan = (text: string, observed: Partial<Observed> = {}, env: Record<string, string> = { TOKEN: 't0k' }) => {
  const stack = load(text, env);
  return planMounts(stack, stack.services[0]!, 'app-web-1', { ...emptyObserved('app'), ...observed });
};

describe('planMounts', () => {
  it('turns every kind of entry into a mount, parents first (by depth, then file order)', () => {
    const { mounts, problems } = plan(file);
    expect(problems).toEqual([]);
    expect(mounts).toEqual([
      {
        type: 'volume',
        source: 'app-web-1_anon_' + mounts[0]!.source.slice(-12),
        target: '/scratch',
        readOnly: false,
        anonymous: true,
      },
      {
        type: 'bind',
        source: '/home/u/My App/site',
        target: '/www',
        readOnly: true,
        createHostPath: true,
        propagation: 'rprivate',
      },
      {
        type: 'bind',
        source: '/srv/conf',
        target: '/conf',
        readOnly: false,
        createHostPath: false,
        propagation: 'rslave',
      },
      { type: 'file', source: '', content: 'a=1', target: '/cfg', readOnly: true, mode: 0o444 },
      { type: 'tmpfs', source: '', target: '/run/cache', readOnly: false, tmpfsSize: 1024 * 1024, tmpfsMode: 0o700 },
      { type: 'file', source: '', content: 'a=1', target: '/etc/app.conf', readOnly: true, mode: 0o444 },
      { type: 'volume', source: 'app_data', target: '/var/lib/data', readOnly: false, volume: plain },
      { type: 'file', source: '/home/u/My App/pw.txt', target: '/run/secrets/pw', readOnly: true, mode: 0o444 },
      {
        type: 'file',
        source: '',
        content: 't0k',
        target: '/run/secrets/token',
        readOnly: true,
        uid: 1000,
        gid: 50,
        mode: 0o400,
      },
      { type: 'volume', source: 'app_data', target: '/var/lib/data/sub', readOnly: false, noCopy: true, volume: plain },
    ]);
    expect(mounts[0]!.source).toMatch(/^app-web-1_anon_[0-9a-f]{12}$/);
  });

  it('shows the mounts in the plan text, never a secret value', () => {
    const image = {
      ref: 'docker.io/library/busybox:latest',
      id: 'sha256:' + 'c'.repeat(64),
      layers: [],
      cmd: ['sh'],
      env: [],
    };
    const text = planToText(reconcile(load(file, { TOKEN: 't0k' }), { ...emptyObserved('app'), images: [image] }));
    expect(text).toMatch(
      / mounts volume:app-web-1_anon_[0-9a-f]{12}:\/scratch bind:\/home\/u\/My App\/site:\/www:ro bind:\/srv\/conf:\/conf file:\/cfg tmpfs:\/run\/cache file:\/etc\/app.conf volume:app_data:\/var\/lib\/data file:\/run\/secrets\/pw file:\/run\/secrets\/token volume:app_data:\/var\/lib\/data\/sub\n/,
    );
    expect(text).not.toContain('t0k');
  });

  it('names the same anonymous volume for the same container and target (a recreate keeps its data)', () => {
    expect(plan(file).mounts[0]!.source).toBe(plan(file).mounts[0]!.source);
  });

  it('asks observe about the secret files and the binds that must not be created', () => {
    expect(requiredHostPaths(load(file, { TOKEN: 'x' }))).toEqual(['/home/u/My App/pw.txt', '/srv/conf']);
  });

  // Undeclared volumes and secrets never get here: loadStack rejects them with a located
  // diagnostic (test/conformance/volumes, test/conformance/secrets-configs).
  it('reports every problem at once: missing files and paths, unset variables, missing volumes', () => {
    const text = `name: app
services:
  web:
    image: busybox
    volumes: ["data:/d", "ext:/e", "./x:/d"]
    secrets: [pw, tok, { source: pw, target: /p2, uid: alice }]
volumes:
  data: {}
  ext: { external: true }
secrets:
  pw: { file: ./pw.txt }
  tok: { environment: TOKEN }
`;
    const { problems } = plan(text, { missingPaths: ['/home/u/My App/pw.txt'] }, {});
    expect(problems).toEqual([
      'service web: external volume ext does not exist; create it with `stack volume create ext` or drop external: true',
      'service web: secret pw: file /home/u/My App/pw.txt does not exist',
      'service web: secret tok: environment variable TOKEN is not set',
      'service web: secret pw: uid must be a number, not "alice"',
      'service web: two mounts target /d; keep one',
    ]);
    expect(plan(text, { volumes: [{ name: 'ext', anonymous: false }] }, { TOKEN: 'x' }).problems).not.toContain(
      expect.stringMatching(/external volume/),
    );
  });
});

describe('bind-backed volumes (driver_opts type none, o bind, device)', () => {
  const text = (device: string) => `name: app
services:
  web:
    image: busybox
    volumes: ["data:/d", "ext:/e"]
volumes:
  data:
    driver_opts: { type: none, o: bind, device: "${device}" }
  ext: { external: true }
`;

  it('mounts the host folder, with relative devices under the project folder as compose resolves them', () => {
    const observed = { volumes: [{ name: 'ext', anonymous: false }] };
    for (const [device, abs] of [
      ['/srv/data', '/srv/data'],
      ['./data', '/home/u/My App/data'],
      ['~/data', '/home/me/data'],
    ]) {
      const stack = load(text(device), { HOME: '/home/me' });
      expect(stack.volumes[0]!.driverOpts.device).toBe(abs);
      const config = { driver: 'local', driverOpts: { type: 'none', o: 'bind', device: abs }, labels: {} };
      const { mounts, problems } = planMounts(stack, stack.services[0]!, 'app-web-1', {
        ...emptyObserved('app'),
        ...observed,
      });
      expect(mounts).toEqual([
        {
          type: 'volume',
          source: 'app_data',
          target: '/d',
          readOnly: false,
          device: abs,
          volume: { config, hash: volumeHash(config) },
        },
        { type: 'volume', source: 'ext', target: '/e', readOnly: false, external: true },
      ]);
      expect(problems).toEqual([]);
    }
  });

  it('asks observe about the host folder and reports it missing, as docker refuses to mount it', () => {
    expect(requiredHostPaths(load(text('/srv/data')))).toEqual(['/srv/data']);
    const { problems } = plan(text('/srv/data'), {
      volumes: [{ name: 'ext', anonymous: false }],
      missingPaths: ['/srv/data'],
    });
    expect(problems).toEqual([
      'service web: volume data keeps its data in host folder /srv/data (driver_opts device), which does not exist; create it, or set device to a folder that exists',
    ]);
  });

  it('mounts an external volume where its record keeps the data', () => {
    const { mounts } = plan(text('/srv/data'), { volumes: [{ name: 'ext', anonymous: false, device: '/mnt/team' }] });
    expect(mounts[1]).toEqual({
      type: 'volume',
      source: 'ext',
      target: '/e',
      readOnly: false,
      external: true,
      device: '/mnt/team',
    });
  });

  it('shows the host folder in the plan text', () => {
    const image = {
      ref: 'docker.io/library/busybox:latest',
      id: 'sha256:' + 'c'.repeat(64),
      layers: [],
      cmd: ['sh'],
      env: [],
    };
    const observed = { ...emptyObserved('app'), images: [image], volumes: [{ name: 'ext', anonymous: false }] };
    expect(planToText(reconcile(load(text('/srv/data')), observed))).toContain(
      ' mounts volume:app_data(/srv/data):/d volume:ext:/e\n',
    );
  });
});

describe('teardown with volumes', () => {
  const observed: Observed = {
    ...emptyObserved('app'),
    containers: [
      {
        name: 'app-web-1',
        service: 'web',
        hash: 'h',
        running: true,
        stopSignal: 'SIGTERM',
        stopGraceSeconds: 10,
        endpoints: [],
      },
    ],
    volumes: [
      { name: 'app_data', project: 'app', anonymous: false },
      { name: 'app-web-1_anon_0123456789ab', project: 'app', anonymous: true },
      { name: 'shared', anonymous: false },
      { name: 'other_data', project: 'other', anonymous: false },
    ],
  };

  it('down keeps volumes', () => {
    expect(teardown(observed).operations.filter((op) => op.kind === 'volume.remove')).toEqual([]);
  });

  it("down -v removes the stack's named and anonymous volumes after its containers, never external or other stacks' ones", () => {
    const ops = teardown(observed, { removeVolumes: true }).operations;
    expect(ops.filter((op) => op.kind === 'volume.remove').map((op) => [op.id, op.after])).toEqual([
      ['volume-remove:app_data', ['remove:app-web-1']],
      ['volume-remove:app-web-1_anon_0123456789ab', ['remove:app-web-1']],
    ]);
    expect(ops.at(-1)!.after).toContain('volume-remove:app_data');
  });
});

describe('volume subpath', () => {
  const withSubpath = (subpath: string) =>
    `name: app\nservices:\n  web:\n    image: x\n    volumes: [{type: volume, source: data, target: /s, volume: {subpath: ${subpath}}}]\nvolumes:\n  data: {}\n`;

  it('is carried to the mount, and nothing of the image is copied into it', () => {
    const { mounts, problems } = plan(withSubpath('a/b'));
    expect(problems).toEqual([]);
    expect(mounts).toEqual([
      {
        type: 'volume',
        source: 'app_data',
        target: '/s',
        readOnly: false,
        noCopy: true,
        subpath: 'a/b',
        volume: plain,
      },
    ]);
  });

  it.each(['/abs', '../up', 'a/../../b'])('%s, outside the volume, is an error at its line', (subpath) => {
    expect(problems(withSubpath(subpath))).toEqual([
      `5:74: volume subpath "${subpath}" of service "web" must be a relative path inside the volume, without ".."`,
    ]);
  });
});

describe('planMounts of type: image', () => {
  const imageFile = `name: app
services:
  web:
    image: busybox
    volumes:
      - { type: image, source: "alpine:3", target: /img, image: { subpath: etc } }
`;
  const alpine = { ref: 'docker.io/library/alpine:3', id: 'sha256:a1', layers: ['sha256:l1', 'sha256:l2'], env: [] };

  it('is the stored image, read-only, with its id and layers (in the config hash: a new pull recreates)', () => {
    const { mounts, problems } = plan(imageFile, { images: [alpine] });
    expect(problems).toEqual([]);
    expect(mounts).toEqual([
      {
        type: 'image',
        source: 'docker.io/library/alpine:3',
        target: '/img',
        readOnly: true,
        subpath: 'etc',
        image: { id: 'sha256:a1', layers: ['sha256:l1', 'sha256:l2'] },
      },
    ]);
  });

  it('is a problem when the image is not in the store', () => {
    expect(plan(imageFile).problems).toEqual([
      'service web: image docker.io/library/alpine:3 mounted at /img is not in the local store; pull it with `stack image pull alpine:3`',
    ]);
  });
});
