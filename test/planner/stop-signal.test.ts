// stop_signal must name a signal the runtime can send: a Linux signal name with or without
// SIG, or a number from 1 to 64. Anything else is a located diagnostic at load time, not a
// stop that fails later.

import { describe, expect, it } from 'vitest';
import { load, problems } from './helpers.js';
import { buildContainerSpec } from '../../planner/plan/container-spec.js';
import { composeView } from '../../planner/load/compose-view.js';
import type { ImageInfo } from '../../model/observed.js';

const file = (signal: string) => `services:
  web:
    image: busybox
    stop_signal: ${signal}
`;

describe('stop_signal', () => {
  it('accepts names with and without SIG, and numbers 1 to 64', () => {
    for (const s of [
      'SIGTERM',
      'TERM',
      'SIGINT',
      'SIGKILL',
      'SIGQUIT',
      'SIGHUP',
      'SIGUSR1',
      'USR2',
      'SIGWINCH',
      '"9"',
      '"64"',
    ]) {
      expect(load(file(s)).services[0]!.stopSignal).toBe(s.replaceAll('"', ''));
    }
  });

  it('reports an unknown name at its value, with a suggestion', () => {
    expect(problems(file('SIGTREM'))).toEqual([
      '4:18: unknown stop_signal "SIGTREM" of service "web"; use a signal name such as SIGTERM, SIGINT, SIGQUIT or SIGKILL, or a number from 1 to 64; did you mean "SIGTERM"?',
    ]);
    expect(problems(file('USR3'))).toEqual([
      '4:18: unknown stop_signal "USR3" of service "web"; use a signal name such as SIGTERM, SIGINT, SIGQUIT or SIGKILL, or a number from 1 to 64; did you mean "SIGUSR1"?',
    ]);
  });

  it('reports numbers out of range', () => {
    expect(problems(file('"0"'))).toEqual([
      expect.stringMatching(/^4:18: unknown stop_signal "0" of service "web"; .* number from 1 to 64$/),
    ]);
    expect(problems(file('"65"'))).toHaveLength(1);
  });

  it('leaves values the schema rejects to the schema (one diagnostic, not two)', () => {
    expect(problems(file('sigterm'))).toHaveLength(1);
  });
});

describe("the image's StopSignal", () => {
  const image: ImageInfo = {
    ref: 'docker.io/library/postgres:16',
    id: 'sha256:' + 'c'.repeat(64),
    layers: ['sha256:' + 'a'.repeat(64)],
    cmd: ['postgres'],
    env: [],
    stopSignal: 'SIGINT',
  };
  const servicesOf = (text: string) => composeView(load(text)).services as Record<string, Record<string, unknown>>;
  const specOf = (text: string, img: ImageInfo = image) =>
    buildContainerSpec('p', load(text).services[0]!, img, [], []);

  it('stops the container when the file gives no stop_signal; SIGTERM when neither does', () => {
    expect(specOf(file('SIGINT').replace('    stop_signal: SIGINT\n', '')).stopSignal).toBe('SIGINT');
    expect(
      specOf(file('SIGINT').replace('    stop_signal: SIGINT\n', ''), { ...image, stopSignal: undefined }).stopSignal,
    ).toBe('SIGTERM');
  });

  it("gives way to the file's stop_signal, SIGTERM written out included", () => {
    expect(specOf(file('SIGQUIT')).stopSignal).toBe('SIGQUIT');
    expect(specOf(file('SIGTERM')).stopSignal).toBe('SIGTERM');
  });

  it("is part of the container's config hash only through the signal it decides", () => {
    const none = file('SIGINT').replace('    stop_signal: SIGINT\n', '');
    expect(specOf(none).hash).toBe(specOf(file('SIGINT')).hash);
    expect(specOf(none).hash).not.toBe(specOf(none, { ...image, stopSignal: undefined }).hash);
    expect(specOf(none, { ...image, stopSignal: undefined }).hash).toBe(
      specOf(file('SIGTERM'), { ...image, stopSignal: undefined }).hash,
    );
  });

  it("config prints the file's stop_signal as written, SIGTERM included, and nothing when it gives none", () => {
    expect(servicesOf(file('SIGTERM')).web!.stop_signal).toBe('SIGTERM');
    expect(servicesOf(file('SIGTERM').replace('    stop_signal: SIGTERM\n', '')).web!.stop_signal).toBeUndefined();
  });
});
