// The line a failed command prints under a host error: the doctor checks of the piece the
// error names, run against a fake host.

import { describe, expect, it } from 'vitest';
import { hintLine } from '../../cli/doctor-render.js';
import { checksPointedAt, hostGaps } from '../../doctor/host-hint.js';
import type { DoctorProbe } from '../../executor/host/linux/doctor-probe.js';

const hostHint = async (messages: string[], probe: DoctorProbe) => (await hostGaps(messages, probe)).map(hintLine);
import { fakeProbe, healthyHost, hostWith } from './fake-probe.js';

const OVERLAY_EINVAL =
  'container web-1: init failed at mount overlay: mount("overlay", "/x/rootfs", "overlay", "lowerdir=…") failed: EINVAL';

describe('host hints under a failed command', () => {
  it('errors point at the checks of the piece they name; errors of other kinds at none', () => {
    expect(checksPointedAt([OVERLAY_EINVAL])).toEqual(['overlayfs', 'stack-root']);
    expect(checksPointedAt(['nft: libnftables.so.1 not found: install nftables (apt-get install nftables)'])).toEqual([
      'nftables',
    ]);
    expect(
      checksPointedAt([
        "ENOENT: no such file or directory, open '/sys/fs/cgroup/memory/stack/p/web-1/memory.limit_in_bytes'",
      ]),
    ).toEqual(['cgroups', 'cgroup-parent']);
    expect(checksPointedAt(['cannot write /var/lib/stack/x.json: ENOSPC: no space left on device'])).toEqual([
      'stack-root',
    ]);
    expect(checksPointedAt(['container web-1: the command exited with 1'])).toEqual([]);
  });

  it('STACK_ROOT on overlay: the stack-root line with its fix', async () => {
    const lines = await hostHint(
      [OVERLAY_EINVAL],
      hostWith((h) => {
        h.filesystems['/var/lib/stack']!.type = 'overlay';
      }),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /^stack doctor \(stack-root\): \/var\/lib\/stack is on overlayfs.* — fix: point STACK_ROOT/,
      ),
    ]);
  });

  it('a missing cgroup controller and a missing libnftables each give their line', async () => {
    const cg = await hostHint(
      ['ENOENT: open /sys/fs/cgroup/stack/p/web-1/memory.max'],
      hostWith((h) => {
        h.files['/sys/fs/cgroup/cgroup.controllers'] = 'cpu pids\n';
      }),
    );
    expect(cg).toEqual([expect.stringMatching(/^stack doctor \(cgroups\): .*missing controllers: memory.* — fix: /)]);
    const nft = await hostHint(
      ['nft: libnftables.so.1 not found'],
      hostWith((h) => {
        h.libnftablesError = 'nft: libnftables.so.1 not found';
      }),
    );
    expect(nft).toEqual([expect.stringMatching(/^stack doctor \(nftables\): .* — fix: apt-get install nftables/)]);
  });

  it('no line when the pieces the error names are fine on this host', async () => {
    expect(await hostHint([OVERLAY_EINVAL], fakeProbe(healthyHost()))).toEqual([]);
  });
});
