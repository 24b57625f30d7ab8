// Variable expansion and quote removal in Dockerfile values (FROM, COPY, ADD, ENV, LABEL,
// ARG, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL), as BuildKit's shell lexer does it before
// a step runs: `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:+alt}`,
// `${NAME+alt}`, `${NAME:?message}`, `${NAME?message}`; single quotes are literal, double
// quotes expand, the escape character takes the next character literally. An unset
// variable is empty. RUN, CMD and ENTRYPOINT are not expanded here: their shell does it.

export class ExpandError extends Error {}

type Vars = ReadonlyMap<string, string>;

export function expandWord(word: string, vars: Vars, escape = '\\'): string {
  return new Lexer(word, vars, escape, false).word(undefined);
}

/** A heredoc body (`<<EOF`, unquoted): variables expand, quotes stay as they are. */
export function expandHeredoc(body: string, vars: Vars, escape = '\\'): string {
  return new Lexer(body, vars, escape, true).word(undefined);
}

class Lexer {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly vars: Vars,
    private readonly escape: string,
    private readonly keepQuotes: boolean,
  ) {}

  /** Reads until `stop` (a `}` ending a `${…}` word) or the end. */
  word(stop: string | undefined): string {
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === stop) return out;
      this.i++;
      if (c === this.escape && this.i < this.text.length) out += this.text[this.i++];
      else if (c === "'" && !this.keepQuotes) out += this.until("'");
      else if (c === '"' && !this.keepQuotes) out += this.doubleQuoted();
      else if (c === '$') out += this.dollar();
      else out += c;
    }
    if (stop) throw new ExpandError(`missing '${stop}' in ${this.text}`);
    return out;
  }

  private until(end: string): string {
    const close = this.text.indexOf(end, this.i);
    if (close < 0) throw new ExpandError(`unexpected end of text: missing ${end} in ${this.text}`);
    const s = this.text.slice(this.i, close);
    this.i = close + 1;
    return s;
  }

  private doubleQuoted(): string {
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i++];
      if (c === '"') return out;
      if (c === this.escape && this.i < this.text.length) {
        const next = this.text[this.i];
        if (next === '"' || next === '$' || next === this.escape) {
          out += next;
          this.i++;
        } else out += c;
      } else if (c === '$') out += this.dollar();
      else out += c;
    }
    throw new ExpandError(`unexpected end of text: missing " in ${this.text}`);
  }

  private dollar(): string {
    if (this.text[this.i] === '{') {
      this.i++;
      return this.braced();
    }
    const name = /^[A-Za-z0-9_]+/.exec(this.text.slice(this.i))?.[0];
    if (!name) return '$';
    this.i += name.length;
    return this.vars.get(name) ?? '';
  }

  private braced(): string {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-+?])?/.exec(this.text.slice(this.i));
    if (!m) throw new ExpandError(`bad substitution in ${this.text}: \${ must be followed by a variable name`);
    this.i += m[0].length;
    const [, name, op] = m;
    const value = this.vars.get(name);
    if (!op) {
      if (this.text[this.i++] !== '}')
        throw new ExpandError(`bad substitution in ${this.text}: expected } after \${${name}`);
      return value ?? '';
    }
    const word = this.word('}');
    this.i++; // the closing brace
    const set = op.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    switch (op.replace(':', '')) {
      case '-':
        return set ? value! : word;
      case '+':
        return set ? word : '';
      default:
        if (set) return value!;
        throw new ExpandError(`${name}: ${word || 'is not set'}`);
    }
  }
}
