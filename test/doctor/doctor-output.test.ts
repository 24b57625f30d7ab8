// How doctor's results are shown (one line per check, JSON), that a check that throws does
// not end the others, and how the firewall listing is read from nftables and iptables.

import { describe, expect, it } from 'vitest';
import { allChecks, runChecks } from '../../doctor/checks.js';
import { renderJson, renderText, summary } from '../../cli/doctor-render.js';
import { legacyBaseChains, nftBaseChains } from '../../executor/host/linux/doctor-base-chains.js';
import { fakeProbe, healthyHost, hostWith } from './fake-probe.js';

describe('doctor output', () => {
  it('a healthy host: one ok line per check, and a summary that says stack can run', async () => {
    const results = await runChecks(fakeProbe(healthyHost()), allChecks());
    expect(results.map((r) => r.verdict)).toEqual(results.map(() => 'ok'));
    const lines = renderText(results).trimEnd().split('\n');
    expect(lines).toHaveLength(allChecks().length);
    expect(lines[0]).toMatch(/^ok {4}root {12}running as root$/);
    expect(summary(results)).toBe('stack can run on this host\n');
  });

  it('a gap: its line carries the fix, JSON says ok: false, the summary counts it', async () => {
    const results = await runChecks(
      hostWith((h) => {
        h.release = '5.4.0';
        delete h.commands.nft;
      }),
      allChecks(),
    );
    const text = renderText(results);
    expect(text).toMatch(/^fail  kernel +Linux 5\.4\.0 is older than 5\.12.* — fix: boot Linux 5\.12 or later/m);
    expect(text).toMatch(/^warn  nft-command +.* — fix: apt-get install nftables/m);
    const json = JSON.parse(renderJson(results)) as {
      ok: boolean;
      checks: { check: string; verdict: string; fix?: string }[];
    };
    expect(json.ok).toBe(false);
    expect(json.checks.find((c) => c.check === 'kernel')).toMatchObject({ verdict: 'fail', fix: expect.any(String) });
    expect(json.checks.find((c) => c.check === 'root')).not.toHaveProperty('fix');
    expect(summary(results)).toMatch(/^1 failed, 1 with warnings/);
  });

  it('a check that throws is reported as a warning and the others still run', async () => {
    const probe = {
      ...fakeProbe(healthyHost()),
      filesystem: () => {
        throw new Error('statfs exploded');
      },
    };
    const results = await runChecks(probe, allChecks());
    expect(results).toHaveLength(allChecks().length);
    expect(results.find((r) => r.check === 'stack-root')).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('statfs exploded'),
    });
  });
});

describe('firewall listings', () => {
  it('nftables: base chains of ip, inet and bridge tables, and whether their table lets stkb* through', () => {
    const ruleset = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { table: { family: 'inet', name: 'filter', handle: 1 } },
        {
          chain: {
            family: 'inet',
            table: 'filter',
            name: 'forward',
            handle: 1,
            type: 'filter',
            hook: 'forward',
            prio: 0,
            policy: 'drop',
          },
        },
        { chain: { family: 'inet', table: 'filter', name: 'allow', handle: 2 } },
        {
          chain: {
            family: 'ip',
            table: 'filter',
            name: 'FORWARD',
            handle: 1,
            type: 'filter',
            hook: 'forward',
            prio: 0,
            policy: 'drop',
          },
        },
        { chain: { family: 'ip', table: 'filter', name: 'DOCKER-USER', handle: 2 } },
        {
          rule: {
            family: 'ip',
            table: 'filter',
            chain: 'DOCKER-USER',
            expr: [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'stkb*' } }, { accept: null }],
          },
        },
        {
          chain: {
            family: 'ip6',
            table: 'filter',
            name: 'FORWARD',
            handle: 1,
            type: 'filter',
            hook: 'forward',
            prio: 0,
            policy: 'drop',
          },
        },
      ],
    });
    expect(nftBaseChains(ruleset)).toEqual([
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
        table: 'ip filter',
        chain: 'FORWARD',
        hook: 'forward',
        policy: 'drop',
        acceptsStack: true,
        dockerUser: true,
      },
    ]);
  });

  it('legacy iptables: the INPUT and FORWARD policies of the filter table', () => {
    const listing = '-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-N DOCKER-USER\n-A FORWARD -j DOCKER-USER\n';
    expect(legacyBaseChains(listing)).toEqual([
      {
        backend: 'iptables-legacy',
        table: 'filter',
        chain: 'INPUT',
        hook: 'input',
        policy: 'accept',
        acceptsStack: false,
        dockerUser: true,
      },
      {
        backend: 'iptables-legacy',
        table: 'filter',
        chain: 'FORWARD',
        hook: 'forward',
        policy: 'drop',
        acceptsStack: false,
        dockerUser: true,
      },
    ]);
    expect(legacyBaseChains(`${listing}-A DOCKER-USER -i stkb+ -j ACCEPT\n`)[1]!.acceptsStack).toBe(true);
  });
});
