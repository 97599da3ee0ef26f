/** How results are printed: a table for people at a terminal, one line per check for logs and pipes. */
import type { CheckResult, CheckStatus } from './types.js';

export interface Paint {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const plainPaint: Paint = { green: (s) => s, yellow: (s) => s, red: (s) => s, bold: (s) => s, dim: (s) => s };

export function summary(results: readonly CheckResult[]): string {
  const n = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const skipped = results.filter((r) => r.skipped).map((r) => r.id);
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  return `${n('pass')} passed, ${plural(n('warn'), 'warning')}, ${n('fail')} failed${skipped.length ? ` (failure of ${skipped.join(', ')} skipped on request)` : ''}`;
}

export function formatPlain(results: readonly CheckResult[]): string {
  const lines = results.map((r) => {
    const skip = r.skipped ? ' (failure skipped by --skip-check)' : '';
    const fix = r.remedy ? `; fix: ${r.remedy}` : '';
    return `${r.status.toUpperCase()} ${r.id}${skip}: ${r.found}; required: ${r.required}${fix}`;
  });
  return [...lines, summary(results)].join('\n') + '\n';
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  return out.length || line ? [...out, line] : [''];
}

export function formatTable(results: readonly CheckResult[], columns = 100, paint: Paint = plainPaint): string {
  const mark: Record<CheckStatus, string> = { pass: paint.green('pass'), warn: paint.yellow('warn'), fail: paint.red('FAIL') };
  const idWidth = Math.max(5, ...results.map((r) => r.id.length));
  const rest = Math.max(30, columns - idWidth - 9);
  const foundWidth = Math.ceil(rest * 0.6);
  const reqWidth = rest - foundWidth - 2;
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - s.length));
  const lines = [paint.bold(`${pad('', 5)} ${pad('CHECK', idWidth)}  ${pad('FOUND', foundWidth)}  REQUIRED`)];
  for (const r of results) {
    const found = wrap(r.found, foundWidth);
    const req = wrap(r.required, reqWidth);
    for (let i = 0; i < Math.max(found.length, req.length); i++) {
      const head = i === 0 ? `${mark[r.status]}${r.skipped ? '*' : ' '} ${pad(r.id, idWidth)}` : `${pad('', 5)} ${pad('', idWidth)}`;
      lines.push(`${head}  ${pad(found[i] ?? '', foundWidth)}  ${paint.dim(req[i] ?? '')}`.trimEnd());
    }
    if (r.remedy && r.status !== 'pass') {
      // Line by line, keeping each line's indent: a remedy may hold YAML to paste.
      r.remedy.split('\n').forEach((text, i) => {
        const indent = /^ */.exec(text)![0];
        for (const l of wrap(`${i ? '   ' : '-> '}${text.trim()}`, columns - idWidth - 9 - indent.length)) lines.push(`${pad('', 5)} ${pad('', idWidth)}  ${indent}${l}`);
      });
    }
  }
  if (results.some((r) => r.skipped)) lines.push(`${paint.yellow('*')} a failure turned into a warning by --skip-check`);
  lines.push('', paint.bold(summary(results)));
  return lines.join('\n') + '\n';
}
