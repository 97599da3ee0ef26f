/**
 * Runs checks concurrently (they share one engine probe and one compose detection) and applies
 * --skip-check. A check that throws is reported as a failure of that check, never as a stack trace.
 */
import type { Check, CheckContext, CheckResult } from './types.js';

export async function runCheckList(checks: readonly Check[], ctx: CheckContext, skip: readonly string[] = []): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (c): Promise<CheckResult> => {
      let result: CheckResult;
      try {
        result = { id: c.id, title: c.title, ...(await c.run(ctx)) };
      } catch (err) {
        result = {
          id: c.id,
          title: c.title,
          status: 'fail',
          found: `the check itself failed: ${(err as Error)?.message ?? String(err)}`,
          required: 'a check that completes',
          remedy: 'Run again with SENTRY_ONPREM_DEBUG=1 and report the output.',
        };
      }
      if (result.status === 'fail' && skip.includes(c.id)) {
        result = { ...result, status: 'warn', skipped: true, remedy: `Failure ignored because of --skip-check ${c.id}. ${result.remedy ?? ''}`.trim() };
      }
      return result;
    }),
  );
}

export function hasFailure(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}
