import { describe, it, expect } from 'vitest';
import { loadStack } from '../../planner/load/load.js';
import type { Stack } from '../../model/types.js';
import { load } from './helpers.js';

describe('loadStack: valid files normalise to a Stack', () => {
  it('expands every short form the way docker compose does', () => {
    const text = [
      'name: demoapp', //                                    1
      'services:', //                                         2
      '  web:', //                                            3
      '    image: nginx:1.27', //                             4
      '    command: sh -c \'echo "hi there"\' x\\ y', //      5
      '    entrypoint: ["/init", "--"]', //                   6
      '    environment:', //                                  7
      '      - A=1', //                                       8
      '      - B=x=y', //                                     9
      '      - FROM_ENV', //                                 10
      '      - UNSET_ONE', //                                11
      '    ports:', //                                       12
      '      - "8080:80"', //                                13
      '      - "127.0.0.1:8443:443"', //                     14
      '      - "5353:53/udp"', //                            15
      '      - 9000', //                                     16
      '      - "81"', //                                     17
      '      - {target: 82, published: "8082", host_ip: 0.0.0.0, protocol: tcp}', // 18
      '    depends_on: [db, cache]', //                      19
      '    networks: [front, default]', //                   20
      '    working_dir: /srv', //                            21
      '    hostname: www', //                                22
      '    stop_signal: SIGQUIT', //                         23
      '    stop_grace_period: 1m30s', //                     24
      '  db:', //                                            25
      '    image: postgres', //                              26
      '    environment: {N: 5, T: true, E: "", FROM_ENV: null}', // 27
      '    networks:', //                                    28
      '      front:', //                                     29
      '        aliases: [database]', //                      30
      '        ipv4_address: 10.9.0.5', //                   31
      '    stop_grace_period: 500ms', //                     32
      '  cache:', //                                         33
      '    image: redis', //                                 34
      '    depends_on: {db: {condition: service_started}}', // 35
      '    stop_grace_period: 2', //                         36
      '    x-note: ignored', //                              37
      'networks:', //                                        38
      '  front:', //                                         39
      '    driver: bridge', //                               40
      '    ipam:', //                                        41
      '      config: [{subnet: 10.9.0.0/24, gateway: 10.9.0.1}]', // 42
      '  outside:', //                                       43
      '    external: true', //                               44
      'volumes:', //                                         45
      '  data:', //                                          46
      '  shared: {external: true, name: team-shared}', //    47
      'x-anything: {a: 1}', //                               48
    ].join('\n');
    const stack = load(text, { FROM_ENV: 'hello' });
    const expected = {
      project: 'demoapp',
      file: 'stack.yaml',
      services: [
        {
          name: 'cache',
          image: 'redis',
          environment: {},
          ports: [],
          dependsOn: [{ service: 'db', condition: 'service_started', required: true, restart: false }],
          networks: [{ network: 'default', aliases: [] }],
          stopGracePeriodSeconds: 2,
          pos: { file: 'stack.yaml', line: 33, col: 3 },
        },
        {
          name: 'db',
          image: 'postgres',
          environment: { N: '5', T: 'true', E: '', FROM_ENV: 'hello' },
          ports: [],
          dependsOn: [],
          networks: [{ network: 'front', aliases: ['database'], ipv4Address: '10.9.0.5' }],
          stopGracePeriodSeconds: 0.5,
          pos: { file: 'stack.yaml', line: 25, col: 3 },
        },
        {
          name: 'web',
          image: 'nginx:1.27',
          command: ['sh', '-c', 'echo "hi there"', 'x y'],
          entrypoint: ['/init', '--'],
          environment: { A: '1', B: 'x=y', FROM_ENV: 'hello' },
          ports: [
            { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
            { hostIp: '127.0.0.1', hostPort: 8443, containerPort: 443, protocol: 'tcp' },
            { hostPort: 5353, containerPort: 53, protocol: 'udp' },
            { hostPort: 0, containerPort: 9000, protocol: 'tcp' },
            { hostPort: 0, containerPort: 81, protocol: 'tcp' },
            { hostPort: 8082, containerPort: 82, protocol: 'tcp' },
          ],
          dependsOn: [
            { service: 'cache', condition: 'service_started', required: true, restart: false },
            { service: 'db', condition: 'service_started', required: true, restart: false },
          ],
          networks: [
            { network: 'default', aliases: [] },
            { network: 'front', aliases: [] },
          ],
          workingDir: '/srv',
          hostname: 'www',
          stopSignal: 'SIGQUIT',
          stopGracePeriodSeconds: 90,
          pos: { file: 'stack.yaml', line: 3, col: 3 },
        },
      ],
      networks: [
        { key: 'default', name: 'demoapp_default', external: false },
        { key: 'front', name: 'demoapp_front', external: false, subnet: '10.9.0.0/24', gateway: '10.9.0.1' },
        { key: 'outside', name: 'outside', external: true },
      ],
      volumes: [
        { key: 'data', name: 'demoapp_data', external: false },
        { key: 'shared', name: 'team-shared', external: true },
      ],
    };
    expect(stack).toMatchObject(expected);
    // No stop_signal in the file: none here, so the image's StopSignal applies, else SIGTERM (container-spec.ts).
    expect(stack.services.map((s) => [s.name, s.stopSignal])).toEqual([
      ['cache', undefined],
      ['db', undefined],
      [expect.any(String), 'SIGQUIT'],
    ]);
  });

  it('adds the default network only when a service uses it', () => {
    const stack = load('services:\n  a:\n    image: x\n    networks: [n]\nnetworks:\n  n:\n');
    expect(stack.networks).toMatchObject([{ key: 'n', name: 'myapp_n', external: false }]);
    expect(stack.services[0]!.networks).toMatchObject([{ network: 'n', aliases: [] }]);
  });

  it('lets a declared default network carry its own settings', () => {
    const stack = load(
      'services:\n  a: {image: x}\nnetworks:\n  default:\n    ipam: {config: [{subnet: 10.7.0.0/16}]}\n',
    );
    expect(stack.networks).toMatchObject([
      { key: 'default', name: 'myapp_default', external: false, subnet: '10.7.0.0/16' },
    ]);
  });

  it('keeps an explicit empty entrypoint (it clears the image one)', () => {
    const s = load('services:\n  a:\n    image: x\n    entrypoint: []\n    command: ""\n').services[0]!;
    expect(s.entrypoint).toStrictEqual([]);
    expect(s.command).toStrictEqual([]);
  });

  it("chooses the project name: -p, then top-level name, then the folder (only the folder's name is normalised)", () => {
    expect(load('services: {}').project).toBe('myapp');
    expect(load('name: from-file\nservices: {}').project).toBe('from-file');
    expect(load('name: from-file\nservices: {}', {}, 'cli_name').project).toBe('cli_name');
  });

  it('refuses an explicit project name that compose refuses, instead of rewriting it into another', () => {
    const rule =
      'it must contain only lowercase letters, decimal digits, dashes and underscores, and begin with a lowercase letter or decimal digit';
    expect(() => load('services: {}', {}, 'sec/../../x')).toThrow(
      `stack.yaml:1:1: invalid project name "sec/../../x": ${rule} (given with -p or COMPOSE_PROJECT_NAME)`,
    );
    expect(() => load('name: From-File\nservices: {}')).toThrow(
      `stack.yaml:1:7: invalid project name "From-File": ${rule}`,
    );
    expect(() => load('name: _x\nservices: {}')).toThrow('stack.yaml:1:7: invalid project name "_x"');
  });

  it('resolves anchors and merge keys', () => {
    const text = [
      'x-base: &base',
      '  image: busybox',
      '  environment: {A: "1"}',
      '  stop_signal: SIGINT',
      'services:',
      '  one:',
      '    <<: *base',
      '    environment: {B: "2"}',
      '  two:',
      '    <<: *base',
      '    command: [echo, two]',
    ].join('\n');
    const [one, two] = load(text).services;
    expect(one).toMatchObject({ name: 'one', image: 'busybox', environment: { B: '2' }, stopSignal: 'SIGINT' });
    expect(two).toMatchObject({ name: 'two', image: 'busybox', environment: { A: '1' }, command: ['echo', 'two'] });
    expect(two!.pos).toStrictEqual({ file: 'stack.yaml', line: 9, col: 3 });
  });

  it('merges several files service by service as compose does: scalars replaced, ports appended', () => {
    const stack = loadStack({
      files: [
        {
          path: '/p/stack.yaml',
          text: 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n  db:\n    image: pg\n',
        },
        { path: '/p/stack.override.yaml', text: 'services:\n  web:\n    ports: ["8080:80"]\n    hostname: w\n' },
      ],
      projectDir: '/p',
      env: {},
    });
    expect(stack.file).toBe('/p/stack.yaml');
    expect(stack.project).toBe('p');
    const web = stack.services.find((s) => s.name === 'web')!;
    expect(web).toMatchObject({
      image: 'nginx',
      hostname: 'w',
      ports: [
        { hostPort: 80, containerPort: 80, protocol: 'tcp' },
        { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      ],
    });
    expect(web.pos).toStrictEqual({ file: '/p/stack.yaml', line: 2, col: 3 });
  });

  it('accepts the obsolete version key', () => {
    expect(load('version: "3.8"\nservices:\n  a: {image: x}\n').services).toHaveLength(1);
  });
});
