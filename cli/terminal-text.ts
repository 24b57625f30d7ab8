// Text that comes from stack files, images, containers or the host, made safe to print on a
// terminal. A control character in a value or a name (ESC starting a sequence that clears
// the screen or retitles the window, CR or backspace rewriting what was printed, a C1
// control, DEL) or a Unicode bidi override would otherwise act on the user's terminal or
// hide what the message says; each becomes a visible escape (`\x1b`, `\r`, `\u202e`).

/** C0 controls other than tab and newline, DEL, C1 controls, line/paragraph separators, bidi controls. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\0': '\\0' };

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return (
    NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
}

/** `text` with every control character escaped; tabs and newlines stay (a message may have several lines). */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, visible);
}

/** One line of text: newlines escaped too, so a value cannot start a line that looks like another message. */
export function escapeLine(text: string): string {
  return escapeControls(text).replace(/\n/g, '\\n');
}
