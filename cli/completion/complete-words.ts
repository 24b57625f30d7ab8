// What to offer for the word under the cursor, from the words before it: a command, a
// flag of the command being typed (or a global one), a flag's value, a path, or a service.
// Pure: the services come from the caller (complete-action.ts), so tests need no stack.

import { PATH_FLAGS, type CommandNode, type FlagNode } from './command-tree.js';

export type Completion = { kind: 'words'; words: string[] } | { kind: 'paths' } | { kind: 'services' };

/** The global flags given before the command (-f, -p, --project-directory, --env-file, --profile), by long name. */
export type GivenGlobals = Map<string, string[]>;

export interface Analysis {
  completion: Completion;
  globals: GivenGlobals;
}

const flagOf = (node: CommandNode, word: string): FlagNode | undefined =>
  node.flags.find((f) => f.names.includes(word.split('=')[0]!));

/** `words`: what follows `stack`, the last one being the word under the cursor (maybe ''). */
export function analyse(root: CommandNode, words: string[]): Analysis {
  const before = words.slice(0, -1);
  const current = words.at(-1) ?? '';
  const globals: GivenGlobals = new Map();
  let node = root;
  let positionals = 0;
  let pendingFlag: FlagNode | undefined;
  for (const word of before) {
    if (pendingFlag) {
      if (node === root) {
        const long = pendingFlag.names.find((n) => n.startsWith('--'))!;
        globals.set(long, [...(globals.get(long) ?? []), word]);
      }
      pendingFlag = undefined;
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      const flag = flagOf(node, word);
      if (flag?.takesValue && !word.includes('=')) pendingFlag = flag;
      continue;
    }
    const sub = positionals === 0 ? node.subcommands.find((c) => c.name === word) : undefined;
    if (sub) node = sub;
    else positionals++;
  }
  return { completion: offer(node, root, pendingFlag, current, positionals), globals };
}

function offer(
  node: CommandNode,
  root: CommandNode,
  pendingFlag: FlagNode | undefined,
  current: string,
  positionals: number,
): Completion {
  if (pendingFlag) {
    if (pendingFlag.values) return { kind: 'words', words: pendingFlag.values };
    return pendingFlag.names.some((n) => PATH_FLAGS.has(n)) ? { kind: 'paths' } : { kind: 'words', words: [] };
  }
  if (current.startsWith('-')) return { kind: 'words', words: node.flags.flatMap((f) => f.names) };
  if (node.subcommands.length > 0 && positionals === 0)
    return { kind: 'words', words: node.subcommands.map((c) => c.name) };
  if (node.argumentChoices && positionals === 0) return { kind: 'words', words: node.argumentChoices };
  if (node.takesServices && node !== root) return { kind: 'services' };
  return { kind: 'words', words: [] };
}
