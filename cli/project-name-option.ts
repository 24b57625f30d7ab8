// `-p NAME` is checked as the command line is read, before any command runs: every command
// (`run --image` and `down` included, which may not load a stack file) then gets a valid
// name or none, never one rewritten into another project's.

import { InvalidArgumentError } from 'commander';
import { projectNameProblem } from '../planner/load/project-name.js';
import { escapeLine } from './terminal-text.js';
import { IMAGE_RUN_PROJECT } from './image-run-project.js';

export function validProjectName(name: string): string {
  if (name === IMAGE_RUN_PROJECT) return name;
  const problem = projectNameProblem(name);
  if (problem) throw new InvalidArgumentError(escapeLine(problem));
  return name;
}
