// docs/compose-support.md from the key table (compose-keys.ts): every key of the Compose
// Specification with what stack does with it. scripts/compose-support-doc.mjs writes it;
// test/planner/compose-keys.test.ts fails when the committed page is not what this renders.

import { COMPOSE_KEYS, type KeyStatus } from './compose-keys.js';
import { VALUES } from './unsupported-keys.js';

const TITLE: Record<string, string> = {
  '': 'Top level',
  'services.*': 'Services',
  'networks.*': 'Networks',
  'volumes.*': 'Volumes',
  'secrets.*': 'Secrets',
  'configs.*': 'Configs',
};

const SHOWN: Record<KeyStatus['status'], string> = {
  works: 'works',
  noted: 'accepted, ignored with a note',
  refused: 'refused',
};

/** `services.*.deploy.resources` + `limits` → `deploy.resources.limits` (within its section). */
function keyName(path: string, key: string, section: string): string {
  const rest = path === section ? '' : section === '' ? path : path.slice(section.length + 1);
  return [rest.replace(/\.\*/g, '.NAME').replace(/\.#/g, '[]').replace(/^\*/, 'NAME'), key].filter(Boolean).join('.');
}

function refusedValues(path: string, key: string): string {
  const values = VALUES.find(([pattern]) => pattern.join('.') === `${path}.${key}`)?.[1];
  if (!values) return '';
  return ` Values refused: ${Object.entries(values)
    .map(([v, why]) => (v === '*' ? `any but the default (${why})` : `\`${v}\` (${why})`))
    .join(', ')}.`;
}

export function renderComposeSupport(): string {
  const sections = Object.keys(TITLE);
  const lines = [
    '# Compose file support',
    '',
    'Every key of the [Compose Specification](https://github.com/compose-spec/compose-spec) and what stack does with it.',
    'Generated from the key table in `planner/load/compose-keys.ts` by `npm run docs:compose-support`; do not edit by hand.',
    '',
    '- **works**: stack honours it as docker compose does (a note says where stack differs on purpose).',
    '- **accepted, ignored with a note**: it loads, and stack warns at its line that it does nothing here, as docker compose does.',
    '- **refused**: stack stops at its line with "valid Compose, not supported by stack", and says what to do instead.',
    '',
    'Keys under a refused or ignored key share its status. A test loads a sample of every key that works and fails',
    'when the sample changes neither the loaded stack nor its plan, so no key is accepted and left unread.',
  ];
  for (const section of sections) {
    lines.push('', `## ${TITLE[section]}`, '', '| key | status | note |', '|---|---|---|');
    const paths = Object.keys(COMPOSE_KEYS).filter((p) =>
      section === '' ? p === '' || p.startsWith('include') : p === section || p.startsWith(`${section}.`),
    );
    for (const path of paths)
      for (const [key, status] of Object.entries(COMPOSE_KEYS[path]!).sort(([a], [b]) => a.localeCompare(b))) {
        const note = (status.note ?? '') + refusedValues(path, key);
        lines.push(
          `| \`${keyName(path, key, section)}\` | ${SHOWN[status.status]} | ${note.trim().replace(/\|/g, '\\|')} |`,
        );
      }
  }
  return `${lines.join('\n')}\n`;
}
