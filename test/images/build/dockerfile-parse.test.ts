import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../model/diagnostics.js';
import { parseDockerfile } from '../../../images/build/dockerfile-parse.js';
import type { Instruction } from '../../../images/build/dockerfile-types.js';

const parse = (text: string) => parseDockerfile('Dockerfile', text);
const errors = (text: string) => parse(text).diagnostics.map(formatDiagnostic);
/** The instructions of the only stage, without positions. */
const body = (text: string): Omit<Instruction, 'line' | 'col'>[] => {
  const df = parse(text);
  expect(df.diagnostics.map(formatDiagnostic)).toEqual([]);
  return df.stages[0].instructions.map(({ line: _l, col: _c, ...rest }) => rest);
};

describe('Dockerfile stages', () => {
  it('groups instructions into stages with names, platforms and global ARGs', () => {
    const df = parse(
      [
        'ARG BASE=busybox',
        'FROM --platform=linux/amd64 $BASE AS Build',
        'RUN make',
        'FROM scratch',
        'COPY --from=build /out /app',
      ].join('\n'),
    );
    expect(df.diagnostics).toEqual([]);
    expect(df.globalArgs).toEqual([{ name: 'BASE', default: 'busybox' }]);
    expect(df.stages.map((s) => [s.index, s.name, s.base, s.platform, s.line, s.instructions.length])).toEqual([
      [0, 'build', '$BASE', 'linux/amd64', 2, 1],
      [1, undefined, 'scratch', undefined, 4, 1],
    ]);
  });

  it('reads exec and shell forms, and keeps invalid JSON as a shell command', () => {
    expect(body('FROM a\nCMD ["sh", "-c", "echo hi"]\nENTRYPOINT echo $HOME\nRUN [not json]')).toEqual([
      { kind: 'CMD', command: { exec: ['sh', '-c', 'echo hi'] } },
      { kind: 'ENTRYPOINT', command: { shell: 'echo $HOME' } },
      { kind: 'RUN', command: { shell: '[not json]' }, mounts: [], network: undefined, heredocs: [] },
    ]);
  });

  it('joins continuation lines, skipping comments and blank lines inside them', () => {
    const [run] = body('FROM a\nRUN apt-get update && \\\n# a comment\n\n    apt-get install -y x \\  \n && true');
    expect(run).toMatchObject({
      kind: 'RUN',
      command: { shell: 'apt-get update &&     apt-get install -y x  && true' },
    });
  });

  it('honours the escape directive at the top and ignores it after a comment', () => {
    const df = parse('# escape=`\nFROM a\nRUN dir c:\\ `\n  && echo done');
    expect(df.escape).toBe('`');
    expect(df.stages[0].instructions[0]).toMatchObject({ command: { shell: 'dir c:\\   && echo done' } });
    const late = parse('# a comment first\n# escape=`\nFROM a');
    expect(late.escape).toBe('\\');
    expect(parse('# syntax=docker/dockerfile:1\nFROM a').syntax).toBe('docker/dockerfile:1');
  });

  it('takes heredoc bodies verbatim, with <<- stripping tabs and quotes turning expansion off', () => {
    const [run, copy] = body(
      ['FROM a', 'RUN <<EOF bash', 'echo $X', '  indented', 'EOF', "COPY <<-'END' /etc/motd", '\thello', '\tEND'].join(
        '\n',
      ),
    );
    expect(run).toMatchObject({
      kind: 'RUN',
      heredocs: [{ name: 'EOF', body: 'echo $X\n  indented\n', expand: true, stripTabs: false, line: 2 }],
    });
    expect(copy).toMatchObject({
      kind: 'COPY',
      sources: ["<<-'END'"],
      dest: '/etc/motd',
      heredocs: [{ name: 'END', body: 'hello\n', expand: false, stripTabs: true }],
    });
  });

  it('reads two heredocs of one instruction in order', () => {
    const [run] = body('FROM a\nRUN <<A cat && <<B cat\none\nA\ntwo\nB');
    expect(run).toMatchObject({
      heredocs: [
        { name: 'A', body: 'one\n' },
        { name: 'B', body: 'two\n' },
      ],
    });
  });

  it('reads ENV and LABEL pairs, quoted values and the legacy ENV form', () => {
    expect(body('FROM a\nENV A=1 B="two words" C=x\\ y\nENV LEGACY the rest of it\nLABEL "org.x"="1" b=2')).toEqual([
      {
        kind: 'ENV',
        pairs: [
          { key: 'A', value: '1' },
          { key: 'B', value: '"two words"' },
          { key: 'C', value: 'x\\ y' },
        ],
      },
      { kind: 'ENV', pairs: [{ key: 'LEGACY', value: 'the rest of it' }] },
      {
        kind: 'LABEL',
        pairs: [
          { key: '"org.x"', value: '"1"' },
          { key: 'b', value: '2' },
        ],
      },
    ]);
  });

  it('reads RUN mounts and network, COPY/ADD flags and HEALTHCHECK options', () => {
    const [run, copy, add, hc, none] = body(
      [
        'FROM a',
        'RUN --mount=type=cache,target=/root/.cache,sharing=locked --mount=type=secret,id=tok --network=none make',
        'COPY --chown=1000:1000 --chmod=644 --link --exclude=*.md src/ "two words" /app/',
        'ADD --checksum=sha256:abc https://example.invalid/x.tar.gz /x',
        'HEALTHCHECK --interval=5s --retries=3 CMD ["curl", "-f", "http://localhost/"]',
        'HEALTHCHECK NONE',
      ].join('\n'),
    );
    expect(run).toMatchObject({
      mounts: [
        { type: 'cache', options: { target: '/root/.cache', sharing: 'locked' } },
        { type: 'secret', options: { id: 'tok' } },
      ],
      network: 'none',
      command: { shell: 'make' },
    });
    expect(copy).toMatchObject({
      chown: '1000:1000',
      chmod: '644',
      link: true,
      exclude: ['*.md'],
      sources: ['src/', '"two words"'],
      dest: '/app/',
    });
    expect(add).toMatchObject({
      kind: 'ADD',
      checksum: 'sha256:abc',
      sources: ['https://example.invalid/x.tar.gz'],
      dest: '/x',
    });
    expect(hc).toMatchObject({
      none: false,
      interval: '5s',
      retries: '3',
      command: { exec: ['curl', '-f', 'http://localhost/'] },
    });
    expect(none).toMatchObject({ kind: 'HEALTHCHECK', none: true });
  });

  it('reads ONBUILD triggers as instructions and keeps their text', () => {
    const [onbuild] = body('FROM a\nONBUILD COPY . /src');
    expect(onbuild).toMatchObject({
      kind: 'ONBUILD',
      text: 'COPY . /src',
      trigger: { kind: 'COPY', sources: ['.'], dest: '/src', line: 2, col: 9 },
    });
  });
});

describe('Dockerfile mistakes', () => {
  it('reports every mistake at once, each at its line and column, in order', () => {
    expect(
      errors(
        [
          '# escape=x',
          'RUN echo early',
          'FORM a',
          'FROM a AS one',
          'COPY --form=x a b',
          'RUN --mount=type=volume,target=/x true',
          'FROM b AS one',
          'ONBUILD FROM c',
          'SHELL bash -c',
          'EXPOSE',
          'RUN <<EOF',
          'echo never closed',
        ].join('\n'),
      ),
    ).toEqual([
      "Dockerfile:1:10: invalid escape token 'x'; it must be ` or \\",
      'Dockerfile:2:1: RUN comes before the first FROM; a Dockerfile starts with FROM (only ARG may come before it)',
      'Dockerfile:3:1: unknown instruction FORM; did you mean "FROM"?',
      'Dockerfile:5:6: unknown flag --form for COPY; known: --from, --chown, --chmod, --link, --parents, --exclude',
      'Dockerfile:6:5: RUN --mount type=volume: it must be bind, cache, tmpfs, secret or ssh',
      'Dockerfile:7:1: stage name one is used by an earlier stage; stage names must be unique',
      'Dockerfile:8:9: ONBUILD FROM is not allowed',
      'Dockerfile:9:7: SHELL needs a JSON array: SHELL ["executable", "parameters"]',
      'Dockerfile:10:7: EXPOSE needs a port (EXPOSE PORT[/PROTOCOL]...)',
      'Dockerfile:11:5: heredoc <<EOF has no closing line "EOF"',
    ]);
  });

  it('keeps the offending line for the caret display', () => {
    const [d] = parse('FROM a\nCOPY onlyone').diagnostics;
    expect(d).toMatchObject({
      line: 2,
      col: 6,
      sourceLine: 'COPY onlyone',
      message: 'COPY needs a source and a destination: COPY SRC... DEST',
    });
  });

  it('says when there is no FROM at all', () => {
    expect(errors('# just a comment\n')).toEqual(['Dockerfile:1:1: the Dockerfile has no FROM instruction']);
  });
});
