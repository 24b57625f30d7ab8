// Verdicts of doctor's root and kernel checks against a fake host missing one piece each.

import { describe, expect, it } from 'vitest';
import { kernelCheck, memfdCheck } from '../../doctor/kernel.js';
import { bridgeCheck, namespacesCheck, overlayCheck, vethCheck } from '../../doctor/kernel-features.js';
import { nftablesCheck, nftCommandCheck } from '../../doctor/nftables.js';
import { rootCheck } from '../../doctor/root.js';
import { fakeProbe, healthyHost, hostWith } from './fake-probe.js';

describe('doctor: root and kernel', () => {
  it('root: ok as root, and for anyone else ok naming rootless mode (its section decides)', async () => {
    expect((await rootCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const r = await rootCheck.run(
      hostWith((h) => {
        h.euid = 1000;
      }),
    );
    expect(r).toMatchObject({
      verdict: 'ok',
      detail: expect.stringMatching(/uid 1000: commands run in rootless mode/),
    });
  });

  it('kernel: 5.12 and later are ok, 5.10 fails naming mount-by-fd', async () => {
    expect(
      (
        await kernelCheck.run(
          hostWith((h) => {
            h.release = '5.12.0';
          }),
        )
      ).verdict,
    ).toBe('ok');
    expect(
      (
        await kernelCheck.run(
          hostWith((h) => {
            h.release = '6.18.44-fc-v1272';
          }),
        )
      ).verdict,
    ).toBe('ok');
    const old = await kernelCheck.run(
      hostWith((h) => {
        h.release = '5.10.0-30-amd64';
      }),
    );
    expect(old).toMatchObject({
      verdict: 'fail',
      detail: expect.stringMatching(/5\.10.*older than 5\.12.*mount by fd/),
    });
    expect(
      (
        await kernelCheck.run(
          hostWith((h) => {
            h.release = 'weird';
          }),
        )
      ).verdict,
    ).toBe('fail');
  });

  it('memfd: noexec=2 fails with the native stage, is ok with the Node stage and on kernels without the setting', async () => {
    const strict = await memfdCheck.run(
      hostWith((h) => {
        h.files['/proc/sys/vm/memfd_noexec'] = '2\n';
      }),
    );
    expect(strict).toMatchObject({ verdict: 'fail', fix: expect.stringContaining('STACK_INIT_STAGE=node') });
    expect(
      (
        await memfdCheck.run(
          hostWith((h) => {
            h.files['/proc/sys/vm/memfd_noexec'] = '2\n';
            h.nativeStage = undefined;
          }),
        )
      ).verdict,
    ).toBe('ok');
    expect(
      (
        await memfdCheck.run(
          hostWith((h) => {
            delete h.files['/proc/sys/vm/memfd_noexec'];
          }),
        )
      ).verdict,
    ).toBe('ok');
    expect(
      (
        await memfdCheck.run(
          hostWith((h) => {
            h.files['/proc/sys/vm/memfd_noexec'] = '1\n';
          }),
        )
      ).verdict,
    ).toBe('ok');
  });

  it('namespaces: a missing one fails and is named', async () => {
    expect((await namespacesCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const r = await namespacesCheck.run(
      hostWith((h) => {
        h.paths = h.paths.filter((p) => p !== '/proc/self/ns/cgroup');
      }),
    );
    expect(r).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('no cgroup namespace') });
  });

  it('overlayfs, veth, bridge: a module on disk or built in is ok; neither fails; no way to tell warns', async () => {
    for (const [check, module, option] of [
      [overlayCheck, 'overlay', 'CONFIG_OVERLAY_FS'],
      [vethCheck, 'veth', 'CONFIG_VETH'],
      [bridgeCheck, 'bridge', 'CONFIG_BRIDGE'],
    ] as const) {
      const drop = (h: ReturnType<typeof healthyHost>) => {
        h.modules[module] = 'absent';
        h.files['/proc/filesystems'] = 'nodev\ttmpfs\n';
      };
      expect((await check.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
      expect(
        (
          await check.run(
            hostWith((h) => {
              drop(h);
              h.config = { [option]: 'y' };
            }),
          )
        ).verdict,
      ).toBe('ok');
      const gone = await check.run(hostWith(drop));
      expect(gone).toMatchObject({
        verdict: 'fail',
        detail: expect.stringContaining(option),
        fix: expect.stringContaining(`modprobe ${module}`),
      });
      // Configured as a module, but the modules are not installed.
      expect(
        (
          await check.run(
            hostWith((h) => {
              drop(h);
              h.config = { [option]: 'm' };
            }),
          )
        ).verdict,
      ).toBe('fail');
      expect(
        (
          await check.run(
            hostWith((h) => {
              drop(h);
              h.modules[module] = 'unknown';
              h.config = null;
            }),
          )
        ).verdict,
      ).toBe('warn');
    }
  });

  it('overlayfs: a registered overlay filesystem is enough', async () => {
    expect(
      (
        await overlayCheck.run(
          hostWith((h) => {
            h.modules.overlay = 'unknown';
            h.config = null;
          }),
        )
      ).verdict,
    ).toBe('ok');
  });

  it('nftables: no libnftables fails with the package to install; a missing nat expression fails naming it', async () => {
    expect((await nftablesCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const noLib = await nftablesCheck.run(
      hostWith((h) => {
        h.libnftablesError = 'nft: libnftables.so.1 not found: install nftables (apt-get install nftables)';
      }),
    );
    expect(noLib).toMatchObject({ verdict: 'fail', fix: expect.stringContaining('apt-get install nftables') });
    const noMasq = await nftablesCheck.run(
      hostWith((h) => {
        h.modules.nft_masq = 'absent';
      }),
    );
    expect(noMasq).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('nft_masq') });
    expect(
      (
        await nftablesCheck.run(
          hostWith((h) => {
            h.euid = 1000;
          }),
        )
      ).verdict,
    ).toBe('warn');
  });

  it('nft-command: missing from PATH warns (stack itself needs only libnftables)', async () => {
    expect((await nftCommandCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    expect(
      await nftCommandCheck.run(
        hostWith((h) => {
          delete h.commands.nft;
        }),
      ),
    ).toMatchObject({ verdict: 'warn', fix: expect.stringContaining('nftables') });
  });
});
