// `develop.watch` rules the schema cannot judge: the sync actions need a `target` (where
// the files land in the container), and `sync+exec` needs `exec.command` to run.

import { syncsFiles, type WatchAction } from '../../../model/develop-watch.js';
import { obj, type Obj, type RuleContext } from './context.js';

export function checkDevelopWatch(ctx: RuleContext, name: string, svc: Obj): void {
  const rules = obj(svc.develop)?.watch;
  if (!Array.isArray(rules)) return;
  rules.forEach((raw, i) => {
    const r = obj(raw);
    const action = r?.action as WatchAction | undefined;
    if (!r || typeof action !== 'string') return; // the schema says what is missing
    const at = ['services', name, 'develop', 'watch', i];
    if (syncsFiles(action) && (typeof r.target !== 'string' || r.target === ''))
      ctx.at([...at, 'action'], `service ${name}: develop.watch action ${action} needs a target (where the files go)`);
    const command = obj(r.exec)?.command;
    if (action === 'sync+exec' && (command === undefined || (Array.isArray(command) && command.length === 0)))
      ctx.at([...at, 'action'], `service ${name}: develop.watch action sync+exec needs exec.command`);
  });
}
