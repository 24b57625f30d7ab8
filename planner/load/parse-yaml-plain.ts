// The plainest YAML, line by line: block mappings with simple keys, block sequences of
// scalars, one-line flow collections, plain and simply quoted scalars. That is what a
// generated stack file and most written ones are, and reading it here costs a fraction of
// js-yaml's character-by-character parse when the process is cold (~100 ms of `stack plan`
// for 1000 services). Anything else — a comment after a value, escapes, block scalars,
// multi-line scalars, a mapping inside a sequence, odd keys — answers undefined, and the
// caller parses with js-yaml (parse-yaml-quick.ts). What this reads, it reads as js-yaml
// does (test/planner/plain-yaml.test.ts compares both on the test corpus).

type Obj = Record<string, unknown>;
/** A plain scalar's value (null, boolean, number or the text itself), as the schema resolves it. */
export type ResolvePlain = (text: string) => unknown;

/** Not the plainest YAML: thrown inside, answered as undefined. */
class NotPlain extends Error {}
const notPlain = (): never => {
  throw new NotPlain();
};

/** A key: a letter, digit or `_` first, then those, `.`, `-` and `/`. */
const KEY = /^([A-Za-z0-9_][\w.\-/]*):(?: +(.*))?$/;
/** A plain scalar may not start with an indicator (`- x` and `-1` differ: a dash then a non-space is fine). */
const INDICATOR_START = /^(?:[?:,[\]{}#&*!|>'"%@`]|-(?: |$))/;

function key(text: string, resolve: ResolvePlain, into: Obj): string {
  if (typeof resolve(text) !== 'string' || text === '__proto__' || Object.hasOwn(into, text)) notPlain();
  return text;
}

function quoted(text: string): string {
  const q = text[0]!;
  // No escapes ("\n", '') and nothing after the closing quote.
  if (text.length < 2 || text[text.length - 1] !== q || text.indexOf(q, 1) !== text.length - 1) notPlain();
  if (q === '"' && text.includes('\\')) notPlain();
  return text.slice(1, -1);
}

function plain(text: string, resolve: ResolvePlain): unknown {
  if (text === '' || INDICATOR_START.test(text) || /: |:$| #|\t/.test(text)) notPlain();
  return resolve(text);
}

/** A one-line value: quoted, a flow collection, or plain. */
function inline(text: string, resolve: ResolvePlain): unknown {
  const t = text.trimEnd();
  if (t[0] === '"' || t[0] === "'") return quoted(t);
  if (t[0] === '[' || t[0] === '{') {
    const flow = new Flow(t, resolve);
    const value = flow.value();
    if (flow.at !== t.length) notPlain();
    return value;
  }
  return plain(t, resolve);
}

/** A plain scalar, and a key with its colon, where a flow collection's reader is (sticky). */
const FLOW_PLAIN = /[^,[\]{}:"'#]+/y;
const FLOW_KEY = /([A-Za-z0-9_][\w.\-/]*): +/y;

/** One-line flow collections of scalars and flow collections: `[a, "b"]`, `{k: v, n: [1]}`. */
class Flow {
  at = 0;
  constructor(
    private readonly text: string,
    private readonly resolve: ResolvePlain,
  ) {}

  private spaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  value(): unknown {
    this.spaces();
    const c = this.text[this.at];
    if (c === '[') return this.sequence();
    if (c === '{') return this.mapping();
    if (c === '"' || c === "'") {
      const end = this.text.indexOf(c, this.at + 1);
      if (end < 0) notPlain();
      const value = quoted(this.text.slice(this.at, end + 1));
      this.at = end + 1;
      return value;
    }
    FLOW_PLAIN.lastIndex = this.at;
    const m = FLOW_PLAIN.exec(this.text);
    if (!m) return notPlain();
    this.at = FLOW_PLAIN.lastIndex;
    return plain(m[0].trim(), this.resolve);
  }

  private sequence(): unknown[] {
    const out: unknown[] = [];
    this.at++; // [
    this.spaces();
    while (this.text[this.at] !== ']') {
      out.push(this.value());
      this.spaces();
      if (this.text[this.at] === ',') (this.at++, this.spaces());
      else if (this.text[this.at] !== ']') notPlain();
    }
    this.at++;
    return out;
  }

  private mapping(): Obj {
    const out: Obj = {};
    this.at++; // {
    this.spaces();
    while (this.text[this.at] !== '}') {
      FLOW_KEY.lastIndex = this.at;
      const m = FLOW_KEY.exec(this.text);
      if (!m) notPlain();
      const k = key(m![1]!, this.resolve, out);
      this.at = FLOW_KEY.lastIndex;
      out[k] = this.value();
      this.spaces();
      if (this.text[this.at] === ',') (this.at++, this.spaces());
      else if (this.text[this.at] !== '}') notPlain();
    }
    this.at++;
    return out;
  }
}

interface Line {
  indent: number;
  body: string;
}

function contentLines(text: string): Line[] {
  if (/[\t\r]/.test(text) || /^(?:---|\.\.\.)/m.test(text)) notPlain();
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const body = raw.trimStart();
    if (body === '' || body[0] === '#') continue;
    if (raw.includes('#')) notPlain(); // a comment after a value, or `#` in one: js-yaml decides
    lines.push({ indent: raw.length - body.length, body });
  }
  return lines;
}

/** Parses `lines[from…]` at `indent` as a block mapping; returns it and the next line's index. */
function mapping(lines: Line[], from: number, indent: number, resolve: ResolvePlain): [Obj, number] {
  const out: Obj = {};
  let i = from;
  while (i < lines.length && lines[i]!.indent === indent) {
    const m = KEY.exec(lines[i]!.body);
    if (!m) notPlain();
    const k = key(m![1]!, resolve, out);
    const rest = m![2]?.trimEnd() ?? '';
    i++;
    if (rest !== '') {
      out[k] = inline(rest, resolve);
      continue;
    }
    const next = lines[i];
    if (next && next.indent > indent && !next.body.startsWith('-'))
      [out[k], i] = mapping(lines, i, next.indent, resolve);
    else if (next && next.indent >= indent && (next.body === '-' || next.body.startsWith('- ')))
      [out[k], i] = sequence(lines, i, next.indent, resolve);
    else out[k] = null;
  }
  if (i < lines.length && lines[i]!.indent > indent) notPlain(); // a multi-line scalar, or worse
  return [out, i];
}

/** A block sequence of one-line values at `indent`. */
function sequence(lines: Line[], from: number, indent: number, resolve: ResolvePlain): [unknown[], number] {
  const out: unknown[] = [];
  let i = from;
  while (i < lines.length && lines[i]!.indent === indent && lines[i]!.body.startsWith('- ')) {
    const item = lines[i]!.body.slice(2).trim();
    // `- k: v` (a mapping) and `- - x` are js-yaml's to read.
    if (item === '' || item.startsWith('- ') || KEY.test(item)) notPlain();
    out.push(inline(item, resolve));
    i++;
  }
  if (i < lines.length && lines[i]!.indent > indent) notPlain();
  return [out, i];
}

/** The file's value when it is the plainest YAML (a mapping at the top), else undefined. */
export function parsePlainYaml(text: string, resolve: ResolvePlain): Obj | undefined {
  try {
    const lines = contentLines(text);
    if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
    const [value, end] = mapping(lines, 0, 0, resolve);
    return end === lines.length ? value : undefined;
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
}
