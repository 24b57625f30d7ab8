// The leak check's orphan classification (orphans.ts) on made-up host views: what a live
// stack accounts for is left alone (other test runs share the host), what no live stack
// accounts for is reported with the command that removes it.

import { describe, expect, it } from 'vitest';
import { bridgeName, natTableName, oneOffTableName, vethName } from '../../model/names.js';
import { defaultBridgeNames } from '../../model/default-bridge.js';
import { classifyOrphans, orphanReport, tableProject, type HostView } from './orphans.js';

const LIVE = '/tmp/stack-test-live/lib';
const GONE = '/tmp/stack-test-gone/lib';

/** A stack `project` on the host: its cgroup (with `pids`), NAT table naming its bridge, the bridge and a veth on it. */
function stackObjects(
  project: string,
  pids: number[] = [],
): Omit<HostView, 'processes' | 'liveRoots' | 'stackFolders' | 'recordedLinks'> {
  const bridge = bridgeName(project, 'default');
  return {
    cgroups: [{ path: `/sys/fs/cgroup/pids/stack/${project}`, project, pids }],
    tables: [{ family: 'ip', name: natTableName(project), bridges: [bridge] }],
    links: [{ name: bridge }, { name: vethName(project, `${project}-web-1`, 'default'), master: bridge }],
  };
}

function view(parts: Partial<HostView>): HostView {
  return {
    processes: [],
    liveRoots: [LIVE],
    stackFolders: [],
    recordedLinks: [],
    cgroups: [],
    tables: [],
    links: [],
    ...parts,
  };
}

describe('orphans of the leak check', () => {
  it('a stack whose supervisor runs under a STACK_ROOT that exists is live', () => {
    const v = view({
      processes: [{ pid: 10, ppid: 1, role: 'supervisor', project: 'tweb', root: LIVE }],
      ...stackObjects('tweb', [11]),
    });
    expect(classifyOrphans(v)).toEqual([]);
  });

  it('a supervisor whose STACK_ROOT is gone, with its groups, table, bridge and veth, is one orphan with its down command', () => {
    const v = view({
      processes: [
        { pid: 10, ppid: 1, role: 'supervisor', project: 'tgone', root: GONE, run: '/tmp/stack-test-gone/run' },
        { pid: 12, ppid: 1, role: 'watchdog', project: 'tgone', root: GONE },
      ],
      ...stackObjects('tgone', [11]),
    });
    const orphans = classifyOrphans(v);
    expect(orphans).toHaveLength(1);
    expect(orphans[0]!.project).toBe('tgone');
    expect(orphans[0]!.objects).toEqual(
      [
        `supervisor 10 (STACK_ROOT ${GONE}, gone)`,
        `watchdog 12 (STACK_ROOT ${GONE}, gone)`,
        '/sys/fs/cgroup/pids/stack/tgone',
        `nft table ip ${natTableName('tgone')}`,
        `link ${bridgeName('tgone', 'default')}`,
        `link ${vethName('tgone', 'tgone-web-1', 'default')}`,
      ].map((o) => (o.startsWith('/') ? `cgroup ${o}` : o)),
    );
    expect(orphans[0]!.fix).toBe(`STACK_ROOT=${GONE} STACK_RUN=/tmp/stack-test-gone/run bin/stack -p tgone down -t 0`);
  });

  it("a one-off's groups and table are live while a `stack run` of a live root is their process's ancestor", () => {
    const v = view({
      processes: [{ pid: 20, ppid: 1, role: 'other', root: LIVE }],
      cgroups: [{ path: '/sys/fs/cgroup/pids/stack/tone/tone-run-1', project: 'tone', pids: [22] }],
      tables: [{ family: 'ip', name: oneOffTableName('tone', 'tone-run-1'), bridges: [] }],
    });
    // 22's parent is 21, whose parent is the CLI: the view knows only stack processes, so 21 is unknown.
    expect(classifyOrphans({ ...v, processes: [...v.processes, { pid: 22, ppid: 20, role: 'other' }] })).toEqual([]);
    expect(classifyOrphans(v).map((o) => o.project)).toEqual(['tone']);
  });

  it('a stack with records under a live STACK_ROOT and no supervisor (a kept build network) is live', () => {
    const bridge = bridgeName('tbnet', 'default');
    const v = view({
      stackFolders: [{ root: LIVE, project: 'tbnet' }],
      recordedLinks: [bridge],
      tables: [{ family: 'ip', name: natTableName('tbnet'), bridges: [bridge] }],
      links: [{ name: bridge }],
    });
    expect(classifyOrphans(v)).toEqual([]);
  });

  it('groups and a table of a project nothing serves are an orphan; a table of no project and a stray bridge are removed by name', () => {
    const v = view({
      cgroups: [{ path: '/sys/fs/cgroup/memory/stack/tleft', project: 'tleft', pids: [30] }],
      tables: [
        { family: 'ip', name: natTableName('tleft-x'), bridges: [] },
        { family: 'ip6', name: 'stk_other_table', bridges: [] },
      ],
      links: [{ name: 'stkb0123456789' }, { name: 'stkns0' }],
    });
    const orphans = classifyOrphans(v);
    expect(orphans.map((o) => [o.project, o.fix])).toEqual([
      ['tleft', 'STACK_ROOT=$(mktemp -d) bin/stack -p tleft down -t 0'],
      [undefined, 'nft delete table ip ' + natTableName('tleft-x')],
      [undefined, 'nft delete table ip6 stk_other_table'],
      [undefined, 'ip link delete stkb0123456789'],
    ]);
    const report = orphanReport(orphans);
    expect(report).toContain('project tleft: cgroup /sys/fs/cgroup/memory/stack/tleft');
    expect(report).toContain('    remove with: ip link delete stkb0123456789');
  });

  it("a live root's default bridge and table are live; a gone root's are not", () => {
    const live = defaultBridgeNames(LIVE);
    const gone = defaultBridgeNames(GONE);
    const v = view({
      tables: [live, gone].map((n) => ({ family: 'ip', name: n.table, bridges: [n.bridge] })),
      links: [{ name: live.bridge }, { name: gone.bridge }],
    });
    expect(classifyOrphans(v).flatMap((o) => o.objects)).toEqual([`nft table ip ${gone.table}`, `link ${gone.bridge}`]);
  });

  it('reads the project back from a table name when no process names it', () => {
    expect(tableProject(natTableName('tabc'), new Set())).toBe('tabc');
    expect(tableProject(oneOffTableName('tabc', 'tabc-run-1'), new Set())).toBe('tabc');
    // `-` becomes `_` in the name: only a project seen elsewhere tells it.
    expect(tableProject(natTableName('t-a'), new Set())).toBeUndefined();
    expect(tableProject(natTableName('t-a'), new Set(['t-a']))).toBe('t-a');
  });
});
