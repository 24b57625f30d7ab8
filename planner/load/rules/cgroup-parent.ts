// cgroup_parent must stay below the cgroup root (docker's cgroupfs driver takes it relative
// to the root, with or without a leading `/`): a `.` or `..` segment could climb out of it
// or into another group's place, and stack's own `stack/` tree is where it keeps the groups
// of containers without a parent, which it removes by project. A `stk-` segment is the name
// of a container's own group under a parent (`<parent>/stk-<project>.<name>`).

import type { RuleContext, Obj } from './context.js';

export function checkCgroupParent(ctx: RuleContext, name: string, svc: Obj): void {
  const v = svc.cgroup_parent;
  if (typeof v !== 'string') return; // the schema says what is wrong with its shape
  const at = ['services', name, 'cgroup_parent'];
  const segments = v.split('/').filter((s) => s !== '');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(v))
    ctx.at(at, `cgroup_parent of service "${name}" holds a control character; give a path such as my-parent/sub`);
  else if (segments.some((s) => s === '.' || s === '..'))
    ctx.at(
      at,
      `cgroup_parent "${v}" of service "${name}" has a "." or ".." segment: it is a path below the cgroup root (as docker reads it), so give one without them, such as my-parent/sub`,
    );
  else if (segments[0] === 'stack')
    ctx.at(
      at,
      `cgroup_parent "${v}" of service "${name}" is inside stack/, where stack keeps the groups of containers without a parent; give another path`,
    );
  else if (segments.some((s) => s.startsWith('stk-')))
    ctx.at(
      at,
      `cgroup_parent "${v}" of service "${name}" has a segment starting "stk-", the names of containers' own groups: inside one it would take that container's limits and freezes and keep its group from being removed; give another name`,
    );
}
