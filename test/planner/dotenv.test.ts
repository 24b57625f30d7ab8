import { describe, it, expect } from 'vitest';
import { parseDotenv, projectEnvironment, type Vars } from '../../planner/load/dotenv.js';

function parse(text: string, lookup: Record<string, string> = {}, format?: 'raw'): { vars: Vars; problems: string[] } {
  const vars: Vars = {};
  const diags = parseDotenv({ path: '.env', text, lookup, ...(format ? { format } : {}) }, vars);
  return { vars, problems: diags.map((d) => `${d.line}:${d.col}: ${d.message}`) };
}

describe('parseDotenv (compose dotenv syntax)', () => {
  it('reads plain, quoted, exported and commented lines', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'SPACED = spaced value   ',
      'COMMENTED=abc # a comment',
      'HASH=abc#not-a-comment',
      "SINGLE='literal $PLAIN \\n #x'",
      'DOUBLE="tab\\there \\"quoted\\" $PLAIN"',
      'export EXPORTED=yes',
      'EMPTY=',
      'EMPTY_QUOTED=""',
      'YAMLISH: colon',
      'MULTI="line one',
      'line two"',
      "MULTI_SINGLE='a",
      "b'",
      'DOLLAR="\\$PLAIN"',
      'ESCAPED_DOLLARS=$$PLAIN',
    ].join('\n');
    expect(parse(text)).toStrictEqual({
      vars: {
        PLAIN: 'value',
        SPACED: 'spaced value',
        COMMENTED: 'abc',
        HASH: 'abc#not-a-comment',
        SINGLE: 'literal $PLAIN \\n #x',
        DOUBLE: 'tab\there "quoted" value',
        EXPORTED: 'yes',
        EMPTY: '',
        EMPTY_QUOTED: '',
        YAMLISH: 'colon',
        MULTI: 'line one\nline two',
        MULTI_SINGLE: 'a\nb',
        DOLLAR: '$PLAIN',
        ESCAPED_DOLLARS: '$PLAIN',
      },
      problems: [],
    });
  });

  it('interpolates earlier variables and the lookup environment, the lookup first', () => {
    const { vars } = parse('A=1\nB=${A}-$A\nC=${MISSING:-dflt}\nD=${FROM_ENV}\nA2=${A}\n', {
      FROM_ENV: 'env',
      A: 'shell',
    });
    expect(vars).toStrictEqual({ A: '1', B: 'shell-shell', C: 'dflt', D: 'env', A2: 'shell' });
    expect(parse('A=1\nB=${A}x\n').vars.B).toBe('1x');
  });

  it('takes a bare KEY from the lookup environment, or leaves it unset', () => {
    expect(parse('FROM_ENV\nNOT_SET\nX=1\n', { FROM_ENV: 'v' }).vars).toStrictEqual({ FROM_ENV: 'v', X: '1' });
  });

  it('strips a UTF-8 byte order mark and CRLF line ends', () => {
    expect(parse('\uFEFFA=1\r\nB="2"\r\n').vars).toStrictEqual({ A: '1', B: '2' });
  });

  it('reads raw files literally', () => {
    expect(parse('A=${X} "q" # no comment\n# comment\nB=\'s\'\n', {}, 'raw').vars).toStrictEqual({
      A: '${X} "q" # no comment',
      B: "'s'",
    });
  });

  it('locates problems: bad names, unterminated quotes, required variables', () => {
    expect(parse('GOOD=1\nBAD KEY=2\n').problems).toStrictEqual(['2:4: variable name "BAD KEY" contains a space']);
    expect(parse('A=1\nB@=2\n').problems).toStrictEqual(['2:2: unexpected character "@" in variable name "B@"']);
    expect(parse('A="open\nB=2\n').problems).toStrictEqual(['1:3: unterminated quoted value for A: add the closing "']);
    expect(parse('A=1\nB=${NEED:?set NEED}\n').problems).toStrictEqual([
      '2:3: required variable NEED is missing a value: set NEED',
    ]);
  });
});

describe('projectEnvironment', () => {
  it('puts the process environment over .env, and lets later files override earlier ones', () => {
    const { env, diagnostics } = projectEnvironment({ SHELL_WINS: 'shell' }, [
      { path: '.env', text: 'SHELL_WINS=file\nA=1\nB=1\n' },
      { path: 'more.env', text: 'B=2\nC=${A}${SHELL_WINS}\n' },
    ]);
    expect(diagnostics).toStrictEqual([]);
    expect(env).toStrictEqual({ SHELL_WINS: 'shell', A: '1', B: '2', C: '1shell' });
  });

  it('returns located problems with the file name', () => {
    const { diagnostics } = projectEnvironment({}, [{ path: 'conf/.env', text: 'A=1\nB="x\n' }]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toStrictEqual(['conf/.env:2:3']);
  });
});
