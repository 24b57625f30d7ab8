// Volumes, bind mounts, secrets and configs end to end through stack.yaml: what a container
// sees, what reaches the host, what survives `down`, and what `down -v` removes.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';

let env: StackEnv;
let project: string;
let file: string;
let ext: string;

const volumesDir = () => path.join(env.env.STACK_ROOT!, 'volumes');
const volumeNames = () => (fs.existsSync(volumesDir()) ? fs.readdirSync(volumesDir()).sort() : []);
const sh = (script: string, service = 'app') => stack(env, ['-f', file, 'exec', service, 'sh', '-c', script]);

function appService(): string {
  return `  app:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    volumes:
      - data:/www
      - /scratch
      - ./site:/site:ro
      - ./out:/out
      - ${ext}:/ext
    secrets:
      - pw
      - { source: token, target: tok, uid: "65534", gid: "65534", mode: 0400 }
    configs:
      - { source: motd, target: /etc/motd, mode: 0440 }
  bare:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    volumes:
      - { type: volume, source: empty, target: /www, volume: { nocopy: true } }
`;
}

function writeFile(): void {
  file = writeStackFile(
    env,
    project,
    appService() +
      `volumes:
  data: {}
  empty: { }
  ${ext}: { external: true }
secrets:
  pw: { file: ./pw.txt }
  token: { environment: STK_TEST_TOKEN }
configs:
  motd: { content: "hello config" }
`,
  );
}

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tvol');
  ext = `${project}-shared`;
  fs.mkdirSync(path.join(env.root, 'site'));
  fs.writeFileSync(path.join(env.root, 'site/page.txt'), 'from the host\n');
  fs.writeFileSync(path.join(env.root, 'pw.txt'), 'hunter2\n');
  env.env.STK_TEST_TOKEN = 'from-env';
  writeFile();
});

afterAll(() => {
  stack(env, ['-f', file, 'down', '-v', '-t', '0']);
  stack(env, ['volume', 'rm', ext]);
  env.dispose();
});

describe('volumes, binds, secrets and configs', () => {
  it('refuses a missing external volume before anything starts', () => {
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`external volume ${ext} does not exist; create it with \`stack volume create ${ext}\``);
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
    expect(stack(env, ['volume', 'create', ext]).code).toBe(0);
  });

  it('mounts a new named volume with the image content copied in, and one with nocopy empty', () => {
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    expect(sh('cat /www/index.html').stdout).toBe('hello from stack\n');
    expect(sh('ls -A /www | wc -l', 'bare').stdout).toBe('0\n');
    expect(fs.readFileSync(path.join(volumesDir(), `${project}_data`, '_data/index.html'), 'utf8')).toBe(
      'hello from stack\n',
    );
  });

  it('binds host folders: read-only refuses writes, read-write writes reach the host (created when missing)', () => {
    const ro = sh('cat /site/page.txt; echo x > /site/new');
    expect(ro.stdout).toBe('from the host\n');
    expect(ro.stderr).toMatch(/Read-only file system/);
    expect(ro.code).not.toBe(0);
    expect(fs.existsSync(path.join(env.root, 'site/new'))).toBe(false);
    expect(sh('echo written inside > /out/f').code).toBe(0);
    expect(fs.readFileSync(path.join(env.root, 'out/f'), 'utf8')).toBe('written inside\n');
  });

  it('mounts secrets (from a file and from the environment) and configs read-only with their owner and mode', () => {
    const r = sh(
      'stat -c "%n %a %u %g" /run/secrets/pw /run/secrets/tok /etc/motd; cat /run/secrets/pw /run/secrets/tok; echo; cat /etc/motd; echo; echo x > /run/secrets/pw || echo refused',
    );
    expect(r.stdout).toBe(
      '/run/secrets/pw 444 0 0\n/run/secrets/tok 400 65534 65534\n/etc/motd 440 0 0\nhunter2\nfrom-env\nhello config\nrefused\n',
    );
    expect(stack(env, ['-f', file, 'exec', '-u', 'nobody', 'app', 'cat', '/run/secrets/tok']).stdout).toBe('from-env');
    expect(stack(env, ['-f', file, 'exec', '-u', 'nobody', 'app', 'cat', '/run/secrets/pw']).stdout).toBe('hunter2\n');
    // stack config shows where a secret comes from, never its value.
    expect(stack(env, ['-f', file, 'config']).stdout).not.toContain('from-env');
  });

  it('keeps named, anonymous and external volumes across down and up', () => {
    expect(sh(`echo kept > /www/k; echo anon > /scratch/a; echo ext > /ext/e`).code).toBe(0);
    expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
    const ours = volumeNames().filter((n) => n !== ext);
    expect(ours).toHaveLength(3); // data, empty and the anonymous one
    expect(stack(env, ['volume', 'ls']).stdout).toMatch(
      new RegExp(`${project}-app-1_anon_[0-9a-f]{12}\\s+${project}\\s+anonymous`),
    );
    expect(stack(env, ['-f', file, 'up', '-d']).code).toBe(0);
    expect(sh('cat /www/k /scratch/a /ext/e').stdout).toBe('kept\nanon\next\n');
  });

  it('volume rm refuses a volume a container uses, running or stopped, naming it and the way out; start then finds the data', () => {
    const refused = (state: string) => {
      const rm = stack(env, ['volume', 'rm', `${project}_data`]);
      expect(rm.code).toBe(1);
      expect(rm.stderr).toBe(
        `stack: volume ${project}_data is in use by ${project}-app-1 (${state}) of stack ${project}; remove that container first with \`stack -p ${project} down\` (volumes stay), then run \`stack volume rm ${project}_data\` again\n`,
      );
      expect(volumeNames()).toContain(`${project}_data`);
    };
    refused('running');
    // A stopped container keeps its record: `start` would make the volume again, empty.
    expect(stack(env, ['-f', file, 'stop', 'app']).code).toBe(0);
    refused('stopped');
    expect(stack(env, ['-f', file, 'start', 'app']).code).toBe(0);
    expect(sh('cat /www/k').stdout).toBe('kept\n');
  });

  it("down -v removes the stack's named and anonymous volumes, never the external one", () => {
    const down = stack(env, ['-f', file, 'down', '-v', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    expect(volumeNames()).toEqual([ext]);
    expect(fs.readFileSync(path.join(volumesDir(), ext, '_data/e'), 'utf8')).toBe('ext\n');
  });

  it('refuses a bind whose source must not be created, naming it, before anything starts', () => {
    const strict = writeStackFile(
      env,
      project,
      `  app:
    image: ${TEST_IMAGE}
    command: sleep 1000
    volumes:
      - type: bind
        source: ./absent
        target: /a
        bind: { create_host_path: false }
    secrets: [missing]
secrets:
  missing: { file: ./no-such-secret }
`,
    );
    const up = stack(env, ['-f', strict, 'up', '-d']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(
      `bind source ${path.join(env.root, 'absent')} does not exist and bind.create_host_path is false`,
    );
    expect(up.stderr).toContain(`secret missing: file ${path.join(env.root, 'no-such-secret')} does not exist`);
    expect(fs.existsSync(path.join(env.root, 'absent'))).toBe(false);
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
    writeFile();
  });
});

/**
 * A stack of one service mounting volume `site` at /www, in a folder of its own (its file
 * is `<dir>/stack.yaml`). Made when a describe block is collected, before `env` exists.
 */
function ownStack(folder: string, prefix: string) {
  const dir = () => path.join(env.root, folder);
  const project = uniqueProject(prefix);
  const file = () => path.join(dir(), 'stack.yaml');
  const write = (site: string) => {
    fs.mkdirSync(dir(), { recursive: true });
    fs.writeFileSync(
      file(),
      `name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    volumes: [site:/www]
volumes:
  site: ${site}
`,
    );
  };
  const run = (...args: string[]) => stack(env, ['-f', file(), ...args]);
  const record = () =>
    JSON.parse(fs.readFileSync(path.join(volumesDir(), `${project}_site`, 'volume.json'), 'utf8')) as {
      hash?: string;
      config?: unknown;
    };
  return { dir, project, write, run, record };
}

describe('a volume kept in a host folder (driver_opts type none, o bind, device)', () => {
  const own = ownStack('bound', 'tvolb');
  let data: string;

  beforeAll(() => {
    data = path.join(own.dir(), 'data');
    // A relative device is under the file's folder, as compose resolves it.
    own.write('{ driver_opts: { type: none, o: bind, device: ./data } }');
  });

  afterAll(() => {
    own.run('down', '-v', '-t', '0');
  });

  it('refuses a missing host folder before anything starts, naming the volume and the folder', () => {
    const r = own.run('up', '-d');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `volume site keeps its data in host folder ${data} (driver_opts device), which does not exist`,
    );
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', own.project))).toBe(false);
    expect(volumeNames()).not.toContain(`${own.project}_site`);
  });

  it('mounts the host folder: the image content is copied into it while empty, writes reach the host', () => {
    fs.mkdirSync(data);
    const r = own.run('up', '-d');
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(data, 'index.html'), 'utf8')).toBe('hello from stack\n');
    expect(own.run('exec', 'app', 'sh', '-c', 'echo inside > /www/w').code).toBe(0);
    expect(fs.readFileSync(path.join(data, 'w'), 'utf8')).toBe('inside\n');
    expect(fs.existsSync(path.join(volumesDir(), `${own.project}_site`, '_data'))).toBe(false);
  });

  it('down -v removes the volume from the store and leaves the host folder as it is', () => {
    const down = own.run('down', '-v', '-t', '0');
    expect(down.code, down.stderr).toBe(0);
    expect(volumeNames()).not.toContain(`${own.project}_site`);
    expect(fs.readdirSync(data).sort()).toEqual(['index.html', 'w']);
  });
});

describe('a volume whose configuration the file changed', () => {
  const own = ownStack('relabelled', 'tvolc');

  afterAll(() => {
    own.run('down', '-v', '-t', '0');
  });

  it('up refuses it before changing anything, naming the volume; after down -v, up makes it anew', () => {
    own.write('{ labels: { tier: one } }');
    expect(own.run('up', '-d').code).toBe(0);
    // The same containers, untouched (the json's Status and RunningFor move with the clock).
    const before = { record: own.record(), ps: own.run('ps', '-a', '--format', '{{.ID}} {{.State}} {{.pid}}').stdout };
    expect(before.record).toMatchObject({
      config: { driver: 'local', driverOpts: {}, labels: { tier: 'one' } },
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });

    own.write('{ labels: { tier: two } }');
    const refused = own.run('up', '-d');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `volume ${own.project}_site (volumes.site in the file) exists but does not match its configuration in the file (labels changed); remove it with \`stack down -v\` or \`stack volume rm ${own.project}_site\``,
    );
    expect(own.record()).toEqual(before.record);
    expect(own.run('ps', '-a', '--format', '{{.ID}} {{.State}} {{.pid}}').stdout).toBe(before.ps);

    expect(own.run('down', '-v', '-t', '0').code).toBe(0);
    const again = own.run('up', '-d');
    expect(again.code, again.stderr).toBe(0);
    expect(own.record()).toMatchObject({ config: { labels: { tier: 'two' } } });
    expect(own.record().hash).not.toBe(before.record.hash);
  });
});
