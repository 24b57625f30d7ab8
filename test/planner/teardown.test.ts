// teardown(): what `down` removes, from the records alone.

import { describe, expect, it } from 'vitest';
import { emptyObserved } from '../../model/observed.js';
import { teardown } from '../../planner/plan/teardown.js';

describe('teardown of a network another stack joined', () => {
  it('keeps the network and the records with a note, removes the rest', () => {
    const observed = {
      ...emptyObserved('p'),
      networks: [
        {
          key: 'shared',
          name: 'p_shared',
          bridge: 'stkb1',
          subnet: '10.123.1.0/24',
          gateway: '10.123.1.1',
          linkPresent: true,
          foreignUsers: ['q-joiner-1'],
        },
        {
          key: 'own',
          name: 'p_own',
          bridge: 'stkb2',
          subnet: '10.123.2.0/24',
          gateway: '10.123.2.1',
          linkPresent: true,
        },
      ],
    };
    const nat = {
      table: 'stk_p_1',
      hash: 'h',
      present: true,
      networks: [
        { bridge: 'stkb1', subnet: '10.123.1.0/24', key: 'shared' },
        { bridge: 'stkb2', subnet: '10.123.2.0/24', key: 'own' },
      ],
    };
    const plan = teardown({ ...observed, nat });
    expect(plan.operations.map((o) => o.id)).toEqual(['nat', 'network-remove:own']);
    // The kept network keeps its rules (egress, isolation, the resolver); no port is left.
    const kept = plan.operations.find((o) => o.kind === 'nat.apply');
    expect(kept?.kind === 'nat.apply' && kept.nat.networks).toEqual([nat.networks[0]]);
    expect(kept?.kind === 'nat.apply' && kept.nat.ports).toEqual([]);
    expect(plan.notes).toEqual([
      "network p_shared stays: q-joiner-1 of other stacks still use it (external: true); it keeps working for them, and this stack's supervisor removes it once they have left",
    ]);
    expect(
      teardown({ ...observed, nat, networks: [{ ...observed.networks[0]!, foreignUsers: undefined }] }).operations.map(
        (o) => o.id,
      ),
    ).toEqual(['nat-remove', 'network-remove:shared', 'forget']);
  });

  it('keeps a network an apply of another stack in progress claims an address on', () => {
    const observed = {
      ...emptyObserved('p'),
      networks: [
        {
          key: 'shared',
          name: 'p_shared',
          bridge: 'stkb1',
          subnet: '10.123.1.0/24',
          gateway: '10.123.1.1',
          linkPresent: true,
          foreignIps: ['10.123.1.7'],
        },
      ],
    };
    const plan = teardown(observed);
    expect(plan.operations.map((o) => o.id)).toEqual([]);
    expect(plan.notes[0]).toMatch(/^network p_shared stays: an apply of another stack in progress is joining it/);
  });
});
