// Splitting instruction arguments into words the way BuildKit does before it expands
// variables: blanks separate words except inside quotes or after the escape character.
// Quotes and escapes are kept: the expansion step (which knows ARG and ENV values) removes
// them, as BuildKit's shell lexer does.

export interface Word {
  text: string;
  /** Index of the word's first character in the argument text. */
  start: number;
}

export function splitWords(args: string, escape: string): Word[] {
  const words: Word[] = [];
  let current = '';
  let start = -1;
  let quote: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (!quote && /\s/.test(c)) {
      if (start >= 0) words.push({ text: current, start });
      current = '';
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    current += c;
    if (c === escape && quote !== "'" && i + 1 < args.length) current += args[++i];
    else if (quote && c === quote) quote = undefined;
    else if (!quote && (c === '"' || c === "'")) quote = c;
  }
  if (start >= 0) words.push({ text: current, start });
  return words;
}

/** `key=value` words (ENV, LABEL, ARG): the key and the raw value, or undefined without `=`. */
export function keyValue(word: string): { key: string; value: string } | undefined {
  const eq = word.indexOf('=');
  return eq > 0 ? { key: word.slice(0, eq), value: word.slice(eq + 1) } : undefined;
}
