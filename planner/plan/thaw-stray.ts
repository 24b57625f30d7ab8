// A running container that the kernel holds frozen while no record says it is paused was
// left so by a `commit --pause` that a kill stopped before it thawed (its finally never ran).
// Nobody asked for that freeze, so a plan thaws it first, as the commit would have; a
// container `stack pause` froze stays as it is until `stack unpause`.

import type { Observed } from '../../model/observed.js';
import type { Operation } from '../../model/plan.js';

export function thawStrayFrozen(observed: Observed): Operation[] {
  return observed.containers
    .filter((c) => c.running && c.frozenUnpaused && !c.paused)
    .map((c) => ({
      kind: 'container.freeze',
      id: `thaw:${c.name}`,
      cause: 'frozen with no pause recorded (a commit --pause that was killed)',
      after: [],
      project: observed.project,
      name: c.name,
      frozen: false,
    }));
}
