import { describe, expect, it } from 'vitest';
import { parseBuildArgs } from '../../cli/commands/build-action.js';
import { buildProgressMode } from '../../cli/build-progress.js';
import { UsageError } from '../../cli/usage-error.js';

describe('stack build flags', () => {
  it('--build-arg K=V sets, a bare K takes the environment and is left out when unset (docker)', () => {
    expect(parseBuildArgs(['A=1', 'B=x=y', 'C=', 'FROM_ENV', 'UNSET'], { FROM_ENV: 'e' })).toEqual({
      A: '1',
      B: 'x=y',
      C: '',
      FROM_ENV: 'e',
    });
    expect(() => parseBuildArgs(['=1'], {})).toThrow(UsageError);
  });

  it('--progress takes auto, plain or quiet', () => {
    expect(buildProgressMode(undefined)).toBe('auto');
    expect(buildProgressMode('plain')).toBe('plain');
    expect(() => buildProgressMode('tty')).toThrow('--progress takes auto, plain or quiet, not "tty"');
  });
});
