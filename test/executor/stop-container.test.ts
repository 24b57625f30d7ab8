// A container's removal: its published ports, its veths' deletion (the kernel waits for RCU
// grace periods) and its own cleanup go on at once; a failure still fails it, after all three.
import { describe, expect, it } from 'vitest';
import { FakeHost } from '../../executor/fake-host.js';
import { removeContainer } from '../../executor/stop-container.js';

const exited = (hostVeths: string[]) => ({ signal: 'SIGKILL', graceSeconds: 0, hostVeths, exited: true });

describe('removeContainer', () => {
  it('cleans the container up while its veths are still being deleted', { timeout: 5000 }, async () => {
    const host = new FakeHost();
    let cleaned!: () => void;
    const cleanedUp = new Promise<void>((resolve) => (cleaned = resolve));
    const slowDetach = host.networks.detach;
    // Each veth's deletion ends only once the cleanup has run: one after the other, this never ends.
    host.networks.detach = async (veth) => {
      await slowDetach(veth);
      await cleanedUp;
    };
    // So does the read of its record for a one-off's published ports, which came first.
    const load = host.state.loadContainer;
    host.state.loadContainer = async (project, name) => {
      await cleanedUp;
      return load(project, name);
    };
    const cleanup = host.containers.cleanup;
    host.containers.cleanup = async (project, name) => {
      await cleanup(project, name);
      cleaned();
    };
    await removeContainer(host, 'p', 'p-step-1', exited(['stkva', 'stkvb']));
    expect(host.calls.filter((c) => !c.startsWith('state.load'))).toEqual([
      'networks.detach stkva',
      'networks.detach stkvb',
      'containers.cleanup p-step-1',
      'state.removeContainer p-step-1',
    ]);
  });

  it('keeps the record when a veth cannot be deleted, once the cleanup has ended too', async () => {
    const host = new FakeHost();
    host.networks.detach = async () => {
      throw new Error('RTM_DELLINK failed');
    };
    await expect(removeContainer(host, 'p', 'p-step-1', exited(['stkva']))).rejects.toThrow('RTM_DELLINK failed');
    expect(host.calls).toContain('containers.cleanup p-step-1');
    expect(host.calls).not.toContain('state.removeContainer p-step-1');
  });
});
