// How `stack doctor` shows its results: one line per check (verdict, name, what it found,
// and the fix for a gap), or one JSON document with `--format json`.

import { blocksStack, type CheckResult } from '../doctor/verdict.js';

const NAME_WIDTH = 14;

export function resultLine(r: CheckResult): string {
  const fix = r.fix ? ` — fix: ${r.fix}` : '';
  return `${r.verdict.padEnd(4)}  ${r.check.padEnd(NAME_WIDTH)}  ${r.detail}${fix}`;
}

/** A gap of the host under the error of a command that failed for it (errors.ts). */
export function hintLine(r: CheckResult): string {
  return `stack doctor (${r.check}): ${r.detail} — fix: ${r.fix}`;
}

export function renderText(results: CheckResult[]): string {
  return results.map(resultLine).join('\n') + '\n';
}

function counts(results: CheckResult[]): { fails: number; warns: number } {
  const count = (v: CheckResult['verdict']) => results.filter((r) => r.verdict === v).length;
  return { fails: count('fail'), warns: count('warn') };
}

/** The rootless section's gaps, on a line of their own: they do not stop (rootful) stack. */
function rootlessSummary(results: CheckResult[]): string {
  const { fails, warns } = counts(results.filter((r) => r.section === 'rootless'));
  if (fails === 0 && warns === 0) return '';
  return `rootless mode: ${fails} failed, ${warns} with warnings\n`;
}

export function summary(results: CheckResult[]): string {
  const { fails, warns } = counts(results.filter((r) => r.section === undefined));
  const rootless = rootlessSummary(results);
  if (fails === 0 && warns === 0) return `stack can run on this host\n${rootless}`;
  return `${fails} failed, ${warns} with warnings${fails > 0 ? ': stack cannot run on this host until the failed ones are fixed' : ''}\n${rootless}`;
}

export function renderJson(results: CheckResult[]): string {
  return JSON.stringify({ ok: !results.some(blocksStack), checks: results }, null, 2) + '\n';
}
