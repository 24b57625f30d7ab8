// Expansion as BuildKit's shell lexer does it (cases from its lex tests and docker's docs).
import { describe, expect, it } from 'vitest';
import { ExpandError, expandWord } from '../../../images/build/expand-word.js';

const vars = new Map([
  ['NAME', 'world'],
  ['EMPTY', ''],
  ['PATH_', '/usr/bin'],
]);
const x = (w: string, escape = '\\') => expandWord(w, vars, escape);

describe('Dockerfile word expansion', () => {
  it('expands $NAME and ${NAME}, unset ones to nothing', () => {
    expect(x('hello $NAME')).toBe('hello world');
    expect(x('${NAME}s')).toBe('worlds');
    expect(x('a${UNSET}b$UNSET')).toBe('ab');
    expect(x('cost: $')).toBe('cost: $');
  });

  it('applies the default and alternative operators with and without a colon', () => {
    expect(x('${UNSET:-fallback}')).toBe('fallback');
    expect(x('${EMPTY:-fallback}')).toBe('fallback');
    expect(x('${EMPTY-fallback}')).toBe('');
    expect(x('${NAME:+set}')).toBe('set');
    expect(x('${EMPTY:+set}')).toBe('');
    expect(x('${EMPTY+set}')).toBe('set');
    expect(x('${UNSET:-${NAME}}')).toBe('world');
  });

  it('fails ${NAME:?message} when the variable is unset or empty', () => {
    expect(() => x('${UNSET:?must be given}')).toThrow(new ExpandError('UNSET: must be given'));
    expect(() => x('${EMPTY?x}')).not.toThrow();
    expect(() => x('${EMPTY:?}')).toThrow('EMPTY: is not set');
  });

  it('removes quotes: single quotes are literal, double quotes expand', () => {
    expect(x(`'$NAME'`)).toBe('$NAME');
    expect(x(`"$NAME and \\"q\\""`)).toBe('world and "q"');
    expect(x('"two words"')).toBe('two words');
    expect(x('"a\\b"')).toBe('a\\b');
  });

  it('takes the escaped character literally, with either escape character', () => {
    expect(x('\\$NAME')).toBe('$NAME');
    expect(x('x\\ y')).toBe('x y');
    expect(x('c:\\dir `$NAME', '`')).toBe('c:\\dir $NAME');
  });

  it('reports bad substitutions and unclosed quotes', () => {
    expect(() => x('${NAME')).toThrow(ExpandError);
    expect(() => x('${1x}')).toThrow(/bad substitution/);
    expect(() => x('"open')).toThrow(/missing "/);
    expect(() => x("'open")).toThrow(/missing '/);
  });
});
