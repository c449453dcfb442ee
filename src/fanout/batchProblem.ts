/** What is wrong with one part of a batch request; every problem is reported, not only the first. */
export interface BatchProblem {
  /** Index of the conversation in the request, or null for the request as a whole. */
  index: number | null;
  /** Path of the input field, e.g. `conversations[3].toNumber`. */
  field: string;
  message: string;
  /**
   * INVALID: the value breaks a rule; NOT_FOUND: the agent does not exist; UNSUPPORTED_BY_PROVIDER:
   * the agent's provider cannot create conversations (or the workspace has no account there).
   */
  code: 'INVALID' | 'NOT_FOUND' | 'UNSUPPORTED_BY_PROVIDER';
}
