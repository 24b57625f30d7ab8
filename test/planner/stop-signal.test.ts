// stop_signal must name a signal the runtime can send: a Linux signal name with or without
// SIG, or a number from 1 to 64. Anything else is a located diagnostic at load time, not a
// stop that fails later.

import { describe, expect, it } from 'vitest';
import { load, problems } from './helpers.js';

const file = (signal: string) => `services:
  web:
    image: busybox
    stop_signal: ${signal}
`;

describe('stop_signal', () => {
  it('accepts names with and without SIG, and numbers 1 to 64', () => {
    for (const s of ['SIGTERM', 'TERM', 'SIGINT', 'SIGKILL', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'USR2', 'SIGWINCH', '"9"', '"64"']) {
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
    expect(problems(file('"0"'))).toEqual([expect.stringMatching(/^4:18: unknown stop_signal "0" of service "web"; .* number from 1 to 64$/)]);
    expect(problems(file('"65"'))).toHaveLength(1);
  });

  it('leaves values the schema rejects to the schema (one diagnostic, not two)', () => {
    expect(problems(file('sigterm'))).toHaveLength(1);
  });
});
