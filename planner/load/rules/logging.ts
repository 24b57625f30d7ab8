// `logging:` values the schema cannot judge: sizes and counts docker would refuse, and
// `compress: true`, which is valid Compose that stack does not implement (its rotated log
// files stay plain). Unknown options and drivers are the schema's (unsupported-keys.ts).

import { logOptionProblem } from '../../../model/log-rotation.js';
import type { LogDriver } from '../../../model/types.js';
import { toBool } from '../coerce.js';
import { notSupportedMessage } from '../unsupported-keys.js';
import { obj, type Obj, type RuleContext } from './context.js';

const DRIVERS = ['json-file', 'local', 'none'];

export function checkLogging(ctx: RuleContext, name: string, svc: Obj): void {
  const logging = obj(svc.logging);
  if (!logging) return;
  const driver = (typeof logging.driver === 'string' ? logging.driver : 'json-file') as LogDriver;
  if (!DRIVERS.includes(driver)) return;
  for (const [option, value] of Object.entries(obj(logging.options) ?? {})) {
    const path = ['services', name, 'logging', 'options', option];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    if (option === 'compress' && driver !== 'none' && toBool(value) === true) {
      ctx.at(
        path,
        notSupportedMessage(
          `compress "${String(value)}" in the logging options of service "${name}"`,
          "stack's rotated log files stay plain (or set it to false)",
        ),
      );
      continue;
    }
    const problem = logOptionProblem(driver, option, String(value));
    if (problem) ctx.at(path, `service ${name}: logging option ${problem}`);
  }
}
