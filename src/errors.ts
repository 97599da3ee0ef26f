/** One published table of exit codes; cron and scripts rely on it. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  prerequisite: 3,
  cancelled: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can act on: a message, what to do next, and the exit code it maps to. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export interface FieldProblem {
  path: string;
  given: unknown;
  expected: string;
}

/** Bad answers or flags: every problem at once, exit 2, nothing written. */
export class AnswersError extends UserError {
  constructor(readonly problems: FieldProblem[]) {
    super(
      `${problems.length} answer${problems.length === 1 ? '' : 's'} missing or invalid:\n` +
        problems.map((p) => `  - ${p.path}: ${describeGiven(p.given)}; expected ${p.expected}`).join('\n'),
      EXIT.usage,
      'Fix the answers file or pass the flags, then run the command again. Nothing was written.',
    );
    this.name = 'AnswersError';
  }
}

function describeGiven(given: unknown): string {
  if (given === undefined) return 'missing';
  const text = typeof given === 'string' ? JSON.stringify(given) : JSON.stringify(given) ?? String(given);
  return `got ${text.length > 80 ? text.slice(0, 77) + '...' : text}`;
}

/** Ctrl-C, or a question answered no: exit 130, nothing more to report. */
export class CancelledError extends UserError {
  constructor(message = 'cancelled') {
    super(message, EXIT.cancelled);
    this.name = 'CancelledError';
  }
}
