import type { BatchProblem } from './batchProblem.ts';

/** The batch request was refused whole: nothing was stored. `problems` names every bad field. */
export class BatchValidationError extends Error {
  override readonly name = 'BatchValidationError';
  readonly code = 'BAD_USER_INPUT' as const;
  readonly problems: readonly BatchProblem[];

  constructor(problems: readonly BatchProblem[]) {
    super(summaryOf(problems));
    this.problems = problems;
  }
}

/**
 * The message names the first problem's field, so a client that shows only the message still
 * tells its user what to fix; `problems` names every one.
 */
function summaryOf(problems: readonly BatchProblem[]): string {
  const items = new Set(problems.map((problem) => problem.index).filter((index) => index !== null)).size;
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}` + (items > 0 ? ` in ${items} conversation${items === 1 ? '' : 's'}` : '');
  const [first] = problems;
  if (!first) return `The batch was refused (${count})`;
  const more = problems.length > 1 ? `; and ${problems.length - 1} more` : '';
  return `The batch was refused, nothing stored: ${first.field} ${first.message}${more} (${count}; extensions.problems lists each)`;
}
