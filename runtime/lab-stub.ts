/**
 * What a student starter repository has where a lab's solution used to be.
 *
 * `npm run starter` replaces each region marked `// lab:NN-name begin` …
 * `// lab:NN-name end` by `throw new LabNotImplementedError('NN-name');`.
 * The CLI prints it as one line, like every TinyDockerError, and the lab
 * runner recognises the message and reports "not implemented yet" instead of
 * a confusing failure further down.
 */
import { TinyDockerError } from './errors.ts';

/** The message the lab runner and the grader look for (keep in sync with harness/not-implemented.ts). */
export function notImplementedMessage(lab: string): string {
  return `lab ${lab}: not implemented yet — see labs/${lab}/README.md`;
}

export class LabNotImplementedError extends TinyDockerError {
  override name = 'LabNotImplementedError';
  constructor(readonly lab: string) {
    super(notImplementedMessage(lab), { hint: `write the code marked "lab:${lab}" (the TODO says where), then run: npm run lab ${lab}` });
  }
}
