// A program's path as a shell's `command -v` finds it: the first executable file of that
// name in PATH. One lookup for the doctor and the runtime, so that what doctor reports as
// used (a rootless connector) is what the runtime starts.

import fs from 'node:fs';
import path from 'node:path';

export function which(command: string, pathVar = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVar.split(':').filter(Boolean)) {
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
