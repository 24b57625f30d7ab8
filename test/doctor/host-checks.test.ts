// Verdicts of doctor's cgroup, network, firewall, host program, folder and port checks
// against a fake host missing one piece each.

import { describe, expect, it } from 'vitest';
import { cgroupParentCheck, cgroupRealtimeCheck, cgroupsCheck } from '../../doctor/cgroups.js';
import { firewallCheck } from '../../doctor/firewall.js';
import { busyboxCheck, nativeStageCheck, tiniCheck } from '../../doctor/host-pieces.js';
import { brNetfilterCheck, ipForwardCheck } from '../../doctor/network-state.js';
import { portsCheck } from '../../doctor/ports.js';
import { stackRootCheck, stackRunCheck } from '../../doctor/stack-dirs.js';
import { fakeProbe, healthyHost, hostWith, type FakeHost } from './fake-probe.js';

const V1_MOUNTS = [
  '30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw',
  '31 30 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
  '32 30 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw',
].join('\n');

/** A v1 host (hybrid: a cgroup2 mount beside) with the controllers in `have`. */
function v1(h: FakeHost, have: string[]): void {
  delete h.files['/sys/fs/cgroup/cgroup.controllers'];
  h.files['/proc/self/mountinfo'] = V1_MOUNTS;
  h.paths.push(...have.flatMap((c) => [`/sys/fs/cgroup/${c}`, `/sys/fs/cgroup/${c}/cgroup.procs`]));
}

describe('doctor: cgroups', () => {
  it('v2 with memory, pids and cpu is ok; without memory it fails naming it', async () => {
    expect(await cgroupsCheck.run(fakeProbe(healthyHost()))).toMatchObject({
      verdict: 'ok',
      detail: expect.stringContaining('v2'),
    });
    const r = await cgroupsCheck.run(
      hostWith((h) => {
        h.files['/sys/fs/cgroup/cgroup.controllers'] = 'cpu io pids\n';
      }),
    );
    expect(r).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('memory'),
      fix: expect.stringContaining('cgroup_enable=memory'),
    });
  });

  it('realtime group scheduling: says whether cpu_rt_* work or are refused, and why', async () => {
    const detail = async (h: ReturnType<typeof fakeProbe>) => (await cgroupRealtimeCheck.run(h)).detail;
    expect(await detail(fakeProbe(healthyHost()))).toMatch(/cgroup v2 has no realtime budget per group/);
    expect(await detail(hostWith((h) => v1(h, ['memory', 'pids', 'cpu', 'devices'])))).toMatch(
      /no realtime group scheduling \(CONFIG_RT_GROUP_SCHED\): cpu_rt_runtime and cpu_rt_period are refused/,
    );
    const rt = hostWith((h) => {
      v1(h, ['memory', 'pids', 'cpu', 'devices']);
      h.paths.push('/sys/fs/cgroup/cpu/cpu.rt_runtime_us');
    });
    expect(await detail(rt)).toMatch(/cpu_rt_runtime and cpu_rt_period work/);
  });

  it('hybrid v1 is told apart from v2, and a missing v1 controller fails with the mount that adds it', async () => {
    const all = await cgroupsCheck.run(hostWith((h) => v1(h, ['memory', 'pids', 'cpu', 'devices'])));
    expect(all).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('hybrid') });
    const noPids = await cgroupsCheck.run(hostWith((h) => v1(h, ['memory', 'cpu', 'devices'])));
    expect(noPids).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('pids'),
      fix: expect.stringContaining('mount -t cgroup -o pids'),
    });
    const none = await cgroupsCheck.run(
      hostWith((h) => {
        delete h.files['/sys/fs/cgroup/cgroup.controllers'];
        h.files['/proc/self/mountinfo'] = '';
      }),
    );
    expect(none.verdict).toBe('fail');
  });

  it('cgroup-parent: a parent that cannot be made fails with the error', async () => {
    expect((await cgroupParentCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    expect(
      (
        await cgroupParentCheck.run(
          hostWith((h) => {
            h.createDir['/sys/fs/cgroup/stack'] = 'created';
          }),
        )
      ).verdict,
    ).toBe('ok');
    const ro = await cgroupParentCheck.run(
      hostWith((h) => {
        h.createDir['/sys/fs/cgroup/stack'] = 'EROFS';
      }),
    );
    expect(ro).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('/sys/fs/cgroup/stack (EROFS)') });
    // v2 in a container: its cgroup namespace's root holds processes and delegates nothing.
    const inContainer = await cgroupParentCheck.run(
      hostWith((h) => {
        Object.assign(h.files, {
          '/sys/fs/cgroup/cgroup.type': 'domain\n',
          '/sys/fs/cgroup/cgroup.procs': '1\n57\n',
          '/sys/fs/cgroup/cgroup.subtree_control': '\n',
        });
      }),
    );
    expect(inContainer).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('memory, pids, cpu'),
      fix: expect.stringContaining('/sys/fs/cgroup/init'),
    });
    expect(
      (
        await cgroupParentCheck.run(
          hostWith((h) => {
            Object.assign(h.files, {
              '/sys/fs/cgroup/cgroup.type': 'domain\n',
              '/sys/fs/cgroup/cgroup.procs': '',
              '/sys/fs/cgroup/cgroup.subtree_control': '\n',
            });
          }),
        )
      ).verdict,
    ).toBe('ok');
    const v1ro = await cgroupParentCheck.run(
      hostWith((h) => {
        v1(h, ['memory', 'pids', 'cpu', 'devices']);
        h.createDir['/sys/fs/cgroup/pids/stack'] = 'EACCES';
      }),
    );
    expect(v1ro).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('/sys/fs/cgroup/pids/stack (EACCES)'),
    });
  });
});

describe('doctor: network', () => {
  it('ip-forward: off but writable is ok (stack turns it on); off and read-only fails', async () => {
    expect((await ipForwardCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const ro = await ipForwardCheck.run(
      hostWith((h) => {
        h.readOnly.push('/proc/sys/net/ipv4/ip_forward');
      }),
    );
    expect(ro).toMatchObject({ verdict: 'fail', fix: expect.stringContaining('sysctl -w net.ipv4.ip_forward=1') });
    expect(
      (
        await ipForwardCheck.run(
          hostWith((h) => {
            h.files['/proc/sys/net/ipv4/ip_forward'] = '1\n';
            h.readOnly.push('/proc/sys/net/ipv4/ip_forward');
          }),
        )
      ).verdict,
    ).toBe('ok');
  });

  it('br-netfilter: its state is reported either way', async () => {
    expect((await brNetfilterCheck.run(fakeProbe(healthyHost()))).detail).toContain('not loaded');
    const on = await brNetfilterCheck.run(
      hostWith((h) => {
        h.files['/proc/sys/net/bridge/bridge-nf-call-iptables'] = '1\n';
      }),
    );
    expect(on).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('bridge-nf-call-iptables=1') });
  });

  it('firewall: a forward or input drop policy warns, naming the table and the rules that let stack through', async () => {
    expect((await firewallCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const firewalld = await firewallCheck.run(
      hostWith((h) => {
        h.chains = [
          {
            backend: 'nftables',
            table: 'inet filter',
            chain: 'forward',
            hook: 'forward',
            policy: 'drop',
            acceptsStack: false,
            dockerUser: false,
          },
          {
            backend: 'nftables',
            table: 'inet filter',
            chain: 'input',
            hook: 'input',
            policy: 'drop',
            acceptsStack: false,
            dockerUser: false,
          },
          {
            backend: 'nftables',
            table: 'inet filter',
            chain: 'output',
            hook: 'output',
            policy: 'drop',
            acceptsStack: false,
            dockerUser: false,
          },
        ];
      }),
    );
    expect(firewalld.verdict).toBe('warn');
    expect(firewalld.detail).toContain('nftables table inet filter chain forward drops by policy at the forward hook');
    expect(firewalld.detail).toContain('chain input drops by policy at the input hook');
    expect(firewalld.detail).not.toContain('chain output');
    expect(firewalld.fix).toContain('nft insert rule inet filter forward iifname "stkb*" accept');
    const legacy = await firewallCheck.run(
      hostWith((h) => {
        h.chains = [
          {
            backend: 'iptables-legacy',
            table: 'filter',
            chain: 'FORWARD',
            hook: 'forward',
            policy: 'drop',
            acceptsStack: false,
            dockerUser: false,
          },
        ];
      }),
    );
    expect(legacy).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('iptables-legacy filter FORWARD'),
      fix: expect.stringContaining('iptables-legacy -I FORWARD -i stkb+ -j ACCEPT'),
    });
    // docker (iptables-nft): its FORWARD DROP, fixed in DOCKER-USER as docker documents.
    const docker = await firewallCheck.run(
      hostWith((h) => {
        h.chains = [
          {
            backend: 'nftables',
            table: 'ip filter',
            chain: 'FORWARD',
            hook: 'forward',
            policy: 'drop',
            acceptsStack: false,
            dockerUser: true,
          },
        ];
      }),
    );
    expect(docker).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('nftables table ip filter chain FORWARD'),
      fix: expect.stringContaining('each `stack up` adds accepts for its bridges to these chains'),
    });
    expect(docker.fix).toContain(
      'for good: iptables -I DOCKER-USER -i stkb+ -j ACCEPT; iptables -I DOCKER-USER -o stkb+ -j ACCEPT',
    );
  });

  it("firewall: a drop policy whose table lets stack's bridges through is ok; an unreadable ruleset warns", async () => {
    const open = await firewallCheck.run(
      hostWith((h) => {
        h.chains = [
          {
            backend: 'nftables',
            table: 'ip filter',
            chain: 'FORWARD',
            hook: 'forward',
            policy: 'drop',
            acceptsStack: true,
            dockerUser: false,
          },
        ];
      }),
    );
    expect(open).toMatchObject({ verdict: 'ok', detail: expect.stringContaining("let stack's bridges through") });
    expect(
      (
        await firewallCheck.run(
          hostWith((h) => {
            h.chains = 'cannot list nftables: no libnftables';
          }),
        )
      ).verdict,
    ).toBe('warn');
  });
});

describe('doctor: host programs', () => {
  it('busybox: missing or dynamic warns with the static package', async () => {
    expect((await busyboxCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    expect(
      await busyboxCheck.run(
        hostWith((h) => {
          delete h.elves['/bin/busybox'];
        }),
      ),
    ).toMatchObject({ verdict: 'warn', fix: 'apt-get install busybox-static' });
    expect(
      await busyboxCheck.run(
        hostWith((h) => {
          h.elves['/bin/busybox'] = false;
        }),
      ),
    ).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('dynamically linked') });
  });

  it('tini: missing warns naming init: true', async () => {
    expect((await tiniCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const r = await tiniCheck.run(
      hostWith((h) => {
        h.paths = h.paths.filter((p) => p !== '/usr/bin/tini-static');
        delete h.elves['/usr/bin/tini-static'];
      }),
    );
    expect(r).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('init: true'),
      fix: 'apt-get install tini',
    });
  });

  it('native-stage: not built warns; the fix names what is missing to build it', async () => {
    expect((await nativeStageCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    expect(
      await nativeStageCheck.run(
        hostWith((h) => {
          h.nativeStage = undefined;
        }),
      ),
    ).toMatchObject({ verdict: 'warn', fix: expect.stringContaining('npm run build') });
    const noGcc = await nativeStageCheck.run(
      hostWith((h) => {
        h.nativeStage = undefined;
        delete h.commands.gcc;
      }),
    );
    expect(noGcc).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('no gcc'),
      fix: expect.stringContaining('apt-get install gcc libc6-dev'),
    });
    const noLibc = await nativeStageCheck.run(
      hostWith((h) => {
        h.nativeStage = undefined;
        h.run = () => ({ status: 0, stdout: 'libc.a\n', stderr: '' });
      }),
    );
    expect(noLibc).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('static libc') });
    expect(
      (
        await nativeStageCheck.run(
          hostWith((h) => {
            h.nativeStage = undefined;
            h.env.STACK_INIT_STAGE = 'node';
          }),
        )
      ).verdict,
    ).toBe('ok');
  });
});

describe('doctor: STACK_ROOT, STACK_RUN and ports', () => {
  const GiB = 1024 ** 3;
  it('stack-root: on overlay fails; a refused trial overlay fails; tmpfs, little space or few inodes warn', async () => {
    expect((await stackRootCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const onOverlay = await stackRootCheck.run(
      hostWith((h) => {
        h.filesystems['/var/lib/stack']!.type = 'overlay';
      }),
    );
    expect(onOverlay).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('overlayfs refuses an upper dir on overlay'),
      fix: expect.stringContaining('STACK_ROOT'),
    });
    const refused = await stackRootCheck.run(
      hostWith((h) => {
        h.overlay = { mounted: false, error: 'mount: wrong fs type' };
      }),
    );
    expect(refused).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('wrong fs type') });
    const tmpfs = await stackRootCheck.run(
      hostWith((h) => {
        h.filesystems['/var/lib/stack']!.type = 'tmpfs';
      }),
    );
    expect(tmpfs).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('gone after a reboot') });
    expect(
      (
        await stackRootCheck.run(
          hostWith((h) => {
            h.filesystems['/var/lib/stack']!.freeBytes = 0.2 * GiB;
          }),
        )
      ).detail,
    ).toContain('only 204 MiB free');
    expect(
      (
        await stackRootCheck.run(
          hostWith((h) => {
            h.filesystems['/var/lib/stack']!.freeInodes = 1000;
          }),
        )
      ).detail,
    ).toContain('only 1000 inodes free');
    // btrfs and friends have no inode limit (0 inodes in statfs).
    expect(
      (
        await stackRootCheck.run(
          hostWith((h) => {
            Object.assign(h.filesystems['/var/lib/stack']!, { type: 'btrfs', totalInodes: 0, freeInodes: 0 });
          }),
        )
      ).verdict,
    ).toBe('ok');
  });

  it('stack-root follows STACK_ROOT, and looks at the nearest parent of a folder not made yet', async () => {
    const r = await stackRootCheck.run(
      hostWith((h) => {
        h.env.STACK_ROOT = '/srv/new/stack';
        h.filesystems['/srv/new/stack'] = {
          path: '/srv',
          type: 'overlay',
          freeBytes: 10 * GiB,
          totalInodes: 0,
          freeInodes: 0,
        };
      }),
    );
    expect(r).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('/srv/new/stack (not made yet; /srv) is on overlayfs'),
    });
  });

  it('stack-run: a path that leaves project names little room warns', async () => {
    expect((await stackRunCheck.run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const long = await stackRunCheck.run(
      hostWith((h) => {
        h.env.STACK_RUN = `/${'r'.repeat(60)}`;
      }),
    );
    expect(long).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('project names of 29 bytes') });
    expect(
      (
        await stackRunCheck.run(
          hostWith((h) => {
            h.env.STACK_RUN = `/${'r'.repeat(100)}`;
          }),
        )
      ).verdict,
    ).toBe('fail');
  });

  it('ports: fixed published ports inside the ephemeral range warn with the reservation; reserved or outside ones are ok', async () => {
    const published = [
      { service: 'web', port: 8080 },
      { service: 'api', port: 40000 },
    ];
    expect((await portsCheck([{ service: 'web', port: 8080 }]).run(fakeProbe(healthyHost()))).verdict).toBe('ok');
    const api = await portsCheck(published).run(fakeProbe(healthyHost()));
    expect(api).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining("40000 (api) inside the host's ephemeral range 32768-60999"),
      fix: expect.stringContaining('ip_local_reserved_ports=40000'),
    });
    const wide = await portsCheck(published).run(
      hostWith((h) => {
        h.files['/proc/sys/net/ipv4/ip_local_port_range'] = '1024\t65535\n';
      }),
    );
    expect(wide).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('8080 (web), 40000 (api)'),
      fix: expect.stringContaining('ip_local_reserved_ports=8080,40000'),
    });
    const reserved = await portsCheck(published).run(
      hostWith((h) => {
        h.files['/proc/sys/net/ipv4/ip_local_reserved_ports'] = '39990-40010\n';
      }),
    );
    expect(reserved.verdict).toBe('ok');
    expect(
      (
        await portsCheck([]).run(
          hostWith((h) => {
            h.files['/proc/sys/net/ipv4/ip_local_port_range'] = '49152\t65535\n';
          }),
        )
      ).detail,
    ).toContain("stack's range 32768-60999");
  });
});
