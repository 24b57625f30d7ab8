// compose's flags of `config`: --networks, --images, --profiles (every profile the file
// defines, active or not) and -o FILE.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { makeStackEnv, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
let file: string;
beforeAll(() => {
  env = makeStackEnv();
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: cfgflags
services:
  web: { image: nginx, networks: [front, back] }
  db: { image: postgres:16, networks: [back] }
  debug: { image: busybox, profiles: [tools, debug] }
  seed: { image: busybox, profiles: [tools] }
networks: { front: {}, back: {} }
`,
  );
});
afterAll(() => env.dispose());

const config = (...args: string[]) => {
  const r = stack(env, ['-f', file, 'config', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

it('--networks and --images list what the file uses (active services only)', () => {
  expect(config('--networks')).toBe('back\nfront\n');
  expect(config('--images')).toBe('postgres:16\nnginx\n');
});

it('--profiles lists every profile the file defines', () => {
  expect(config('--profiles')).toBe('debug\ntools\n');
});

it('-o FILE writes there instead of stdout', () => {
  const out = path.join(env.root, 'resolved.yaml');
  expect(config('-o', out)).toBe('');
  expect(fs.readFileSync(out, 'utf8')).toBe(config());
});

describe('views of the files as written (variables unset are fine)', () => {
  let vfile: string;
  beforeAll(() => {
    vfile = path.join(env.root, 'vars.yaml');
    fs.writeFileSync(
      vfile,
      `name: cfgvars
services:
  web:
    image: "nginx:\${TAG:-1.25}"
    ports: ["\${PORT:?set PORT}:80"]
    environment: { LEVEL: "\${LEVEL}", COST: "$$5", EXTRA: "\${DEBUG:+on}" }
    command: ["sh", "-c", "echo $$HOME \${GREETING-hello}"]
`,
    );
  });
  const run = (extra: NodeJS.ProcessEnv, ...args: string[]) => {
    const r = stack({ ...env, env: { ...env.env, ...extra } }, ['-f', vfile, 'config', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  it('--variables prints a table of each variable with its defaults, as compose', () => {
    expect(run({}, '--variables')).toBe(
      [
        'NAME      REQUIRED  DEFAULT VALUE  ALTERNATE VALUE',
        'DEBUG     false                    on',
        'GREETING  false     hello',
        'LEVEL     false',
        'PORT      true',
        'TAG       false     1.25',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(run({}, '--variables', '--format', 'json'));
    expect(json.PORT).toEqual({ Name: 'PORT', DefaultValue: '', PresenceValue: '', Required: true });
  });

  it('--environment prints the variables interpolation sees, .env under the process environment', () => {
    fs.writeFileSync(path.join(env.root, '.env'), 'TAG=from-dotenv\nPORT=8080\n');
    try {
      const lines = run({ PORT: '9090' }, '--environment').trimEnd().split('\n');
      expect(lines).toContain('TAG=from-dotenv');
      expect(lines).toContain('PORT=9090');
      expect(lines).toEqual([...lines].sort());
    } finally {
      fs.rmSync(path.join(env.root, '.env'));
    }
  });

  it('--no-interpolate prints the file with its variables as written', () => {
    const doc = YAML.parse(run({}, '--no-interpolate'));
    expect(doc.services.web.image).toBe('nginx:${TAG:-1.25}');
    expect(doc.services.web.ports).toEqual(['${PORT:?set PORT}:80']);
    expect(doc.services.web.environment.COST).toBe('$$5');
  });

  it('--no-normalize prints the file interpolated but in its own shape (short forms kept)', () => {
    const doc = YAML.parse(run({ PORT: '8080', DEBUG: '1' }, '--no-normalize'));
    expect(doc.services.web.image).toBe('nginx:1.25');
    expect(doc.services.web.ports).toEqual(['8080:80']);
    expect(doc.services.web.environment).toEqual({ LEVEL: '', COST: '$5', EXTRA: 'on' });
    // Normalised, the same port is compose's long form.
    expect(YAML.parse(run({ PORT: '8080' })).services.web.ports[0]).toMatchObject({ target: 80, published: '8080' });
  });
});
