// A running container the kernel holds frozen while no record says paused (a `commit -p`
// killed mid-way) is thawed first by the next plan; one `stack pause` froze is left alone.

import { describe, expect, it } from 'vitest';
import type { Observed, ObservedContainer } from '../../model/observed.js';
import { thawStrayFrozen } from '../../planner/plan/thaw-stray.js';

const container = (name: string, extra: Partial<ObservedContainer>): ObservedContainer => ({
  name,
  service: 'web',
  hash: 'h',
  running: true,
  stopSignal: 'SIGTERM',
  stopGraceSeconds: 10,
  endpoints: [],
  ...extra,
});

describe('thawStrayFrozen', () => {
  it('thaws only running containers frozen with no pause recorded', () => {
    const observed = {
      project: 'p',
      containers: [
        container('p-web-1', { frozenUnpaused: true }),
        container('p-web-2', { paused: true }),
        container('p-web-3', {}),
        container('p-web-4', { frozenUnpaused: true, running: false }),
      ],
    } as unknown as Observed;
    expect(thawStrayFrozen(observed)).toEqual([
      {
        kind: 'container.freeze',
        id: 'thaw:p-web-1',
        cause: 'frozen with no pause recorded (a commit --pause that was killed)',
        after: [],
        project: 'p',
        name: 'p-web-1',
        frozen: false,
      },
    ]);
  });
});
