/**
 * A file as it will be after the render step: in a dry run nothing is written, so the steps that hash
 * rendered files (build inputs, mounted config) read the planned content, or they would report
 * "up to date" for a change the render step has just announced.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Ctx } from './context.js';

export function readPlanned(ctx: Ctx, absPath: string): string | Buffer {
  if (ctx.dryRun && ctx.plan) {
    const rel = relative(ctx.layout.dir, absPath);
    const change = ctx.plan.changes.find((c) => c.file.path === rel);
    if (change) return change.next;
  }
  return existsSync(absPath) ? readFileSync(absPath) : '';
}
