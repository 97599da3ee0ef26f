/**
 * The answers `images` and `bundle create` read: only the release, profile, plugins and `images.*` matter, so
 * an answers file (or an install directory's saved answers) need not hold a url or an admin; placeholders fill
 * what the render needs and never reach a file.
 */
import { resolve } from 'node:path';
import { deepMerge, savedAnswers, validateAnswers } from '../answers/load.js';
import type { Answers } from '../answers/schema.js';
import { layoutFor } from '../layout.js';
import { isSupportedTag, SUPPORTED_TAGS } from '../catalog.js';
import { AnswersError, UserError, EXIT } from '../errors.js';
import { existsSync, readFileSync } from 'node:fs';
import yaml from 'js-yaml';

export interface ImagesFlags {
  tag?: string;
  from?: string;
  dir?: string;
  answers?: string;
}

const PLACEHOLDERS = { url: 'https://sentry.invalid', admin: { email: 'admin@sentry.invalid', password: 'placeholder' } };

function readAnswersFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the answers file ${path}: ${(err as NodeJS.ErrnoException).code}`, EXIT.usage);
  }
  const doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`the answers file ${path} must be a YAML mapping of answers`, EXIT.usage);
  return doc as Record<string, unknown>;
}

export function imagesAnswers(f: ImagesFlags): Answers {
  const dir = resolve(f.dir ?? '.');
  let input: Record<string, unknown> = structuredClone(PLACEHOLDERS);
  if (f.dir && existsSync(layoutFor(dir).answersFile)) input = deepMerge(input, savedAnswers(layoutFor(dir)).raw) as Record<string, unknown>;
  if (f.answers) input = deepMerge(input, readAnswersFile(f.answers)) as Record<string, unknown>;
  if (f.tag !== undefined) input.tag = f.tag;
  const admin = input.admin as Record<string, unknown>;
  if (admin.passwordFile !== undefined && admin.password === PLACEHOLDERS.admin.password) delete admin.password;
  if (typeof input.tag !== 'string' || !isSupportedTag(input.tag)) {
    throw new AnswersError([{ path: '--tag', given: input.tag, expected: `one of ${SUPPORTED_TAGS.join(', ')}` }]);
  }
  if (f.from !== undefined && !isSupportedTag(f.from)) {
    throw new AnswersError([{ path: '--from', given: f.from, expected: `one of ${SUPPORTED_TAGS.join(', ')}` }]);
  }
  return validateAnswers(input, dir).answers;
}
