// Valid Compose that stack does not implement is refused at its line as such, at every
// level of the file (a nested key used to come out as "unknown key … did you mean", which
// reads as a typo); keys that only matter to a swarm are accepted with a note.

import { describe, expect, it } from 'vitest';
import { load, problems } from './helpers.js';
import { loadTree } from './load-files.js';

const service = (body: string) => `services:\n  a:\n    image: x\n${body}`;

describe('keys stack does not support', () => {
  it.each([
    ['runtime: nvidia', 'runtime', 'stack starts containers itself, with no OCI runtime'],
    ['gpus: all', 'gpus', 'stack does not give containers GPUs'],
    [
      'storage_opt: {size: 1G}',
      'storage_opt',
      "stack's container filesystems are overlayfs without per-container quotas",
    ],
    ['isolation: hyperv', 'isolation', 'it is for Windows containers'],
    ['use_api_socket: true', 'use_api_socket', 'stack has no docker API socket to give'],
    ['models: [llm]', 'models', 'stack runs no model runner'],
    ['provider: {type: model}', 'provider', 'stack runs containers only, not provider plugins'],
  ])('%s in a service', (line, key, why) => {
    expect(problems(service(`    ${line}\n`))).toStrictEqual([
      `4:5: valid Compose, not supported by stack: "${key}" in service "a": remove it; ${why}`,
    ]);
  });

  it('pre_start, a key of the newer schema, loads (it works)', () => {
    const stack = loadTree({ 'stack.yaml': service('    pre_start: [{command: [echo]}]\n') });
    expect(stack.services[0]!.preStart).toStrictEqual([{ command: ['echo'], privileged: false, environment: {} }]);
  });

  it('models at the top level', () => {
    expect(problems(service('') + 'models:\n  llm: {model: ai/smollm2}\n')).toStrictEqual([
      '4:1: valid Compose, not supported by stack: "models" at top level: remove it; stack runs no model runner',
    ]);
  });

  it('device reservations, nested in deploy', () => {
    const text = service(
      '    deploy:\n      resources:\n        reservations:\n          devices: [{capabilities: [gpu]}]\n',
    );
    expect(problems(text)).toStrictEqual([
      '7:11: valid Compose, not supported by stack: "devices" in "deploy.resources.reservations" of service "a": remove it; stack does not give containers devices such as GPUs',
    ]);
  });

  it('a volume of type npipe, a value the schema allows', () => {
    const text = service('    volumes:\n      - type: npipe\n        source: //./pipe/x\n        target: /p\n');
    expect(problems(text)).toStrictEqual([
      '5:15: valid Compose, not supported by stack: "npipe" for "volumes[0].type" of service "a": remove it; it is for Windows',
    ]);
  });

  it('a volume of type image and its subpath load (they work)', () => {
    const text = service(
      '    volumes:\n      - type: image\n        source: alpine\n        target: /img\n        image: {subpath: etc}\n',
    );
    const stack = loadTree({ 'stack.yaml': text });
    expect(stack.services[0]!.volumes).toStrictEqual([
      { type: 'image', source: 'alpine', target: '/img', readOnly: true, subpath: 'etc' },
    ]);
  });

  it('a typo next to them still gets its did-you-mean', () => {
    expect(
      problems(service('    deploy:\n      resources:\n        reservations:\n          memroy: 1g\n')),
    ).toStrictEqual([
      '7:11: unknown key "memroy" in "deploy.resources.reservations" of service "a"; did you mean "memory"?',
    ]);
  });
});

describe('keys that only matter to a swarm', () => {
  it('are accepted, each with a one-line note at its key', () => {
    const stack = loadTree({
      'stack.yaml': service(
        '    deploy:\n      mode: global\n      placement: {constraints: [node.role==manager]}\n      update_config: {parallelism: 2}\n      rollback_config: {parallelism: 1}\n      endpoint_mode: dnsrr\n',
      ),
    });
    expect(stack.services).toHaveLength(1);
    expect(stack.warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toStrictEqual([
      '5:7: deploy.mode of service "a" only matters to a swarm; stack ignores it, as docker compose does',
      '6:7: deploy.placement of service "a" only matters to a swarm; stack ignores it, as docker compose does',
      '7:7: deploy.update_config of service "a" only matters to a swarm; stack ignores it, as docker compose does',
      '8:7: deploy.rollback_config of service "a" only matters to a swarm; stack ignores it, as docker compose does',
      '9:7: deploy.endpoint_mode of service "a" only matters to a swarm; stack ignores it, as docker compose does',
    ]);
  });

  it('deploy.labels and a CPU reservation are accepted with a note, as compose leaves them to a swarm', () => {
    const stack = loadTree({
      'stack.yaml': service(
        '    deploy:\n      labels: {team: web}\n      resources:\n        reservations: {cpus: "0.5", memory: 64m}\n',
      ),
    });
    expect(stack.services[0]!.labels).toStrictEqual({});
    expect(stack.services[0]!.resources).toStrictEqual({ memoryReservationBytes: 64 * 1024 ** 2 });
    expect(stack.warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toStrictEqual([
      '5:7: deploy.labels of service "a" labels a swarm service, not its containers (use labels); stack ignores it, as docker compose does',
      '7:24: deploy.resources.reservations.cpus of service "a" is a swarm scheduling option; stack ignores it, as docker compose does',
    ]);
  });

  it('mode replicated needs no note', () => {
    expect(loadTree({ 'stack.yaml': service('    deploy: {mode: replicated}\n') }).warnings).toStrictEqual([]);
  });
});

describe('volume consistency flags', () => {
  it(':cached and :delegated are accepted and change nothing', () => {
    const [plain, cached, delegated] = ['', ':cached', ':ro,delegated'].map(
      (flag) => load(service(`    volumes: ["./src:/src${flag}"]\n`)).services[0]!.volumes[0],
    );
    expect(cached).toStrictEqual(plain);
    expect(delegated).toStrictEqual({ ...plain, readOnly: true });
  });
});
