import type { BatchProblem } from './batchProblem.ts';

/** The batch request was refused whole: nothing was stored. `problems` names every bad field. */
export class BatchValidationError extends Error {
  override readonly name = 'BatchValidationError';
  readonly code = 'BAD_USER_INPUT' as const;
  readonly problems: readonly BatchProblem[];

  constructor(problems: readonly BatchProblem[]) {
    const items = new Set(problems.map((problem) => problem.index).filter((index) => index !== null)).size;
    super(
      `The batch was refused: ${problems.length} problem${problems.length === 1 ? '' : 's'}` +
        (items > 0 ? ` in ${items} conversation${items === 1 ? '' : 's'}` : ''),
    );
    this.problems = problems;
  }
}
