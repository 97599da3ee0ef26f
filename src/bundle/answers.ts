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

/**
 * LDAP (`ldap.enabled`) and bundles: the Sentry image build installs python-ldap's build packages (gcc,
 * libldap2-dev, libsasl2-dev, libssl-dev) with apt-get, from a Debian mirror of the Sentry image's own release,
 * before pip compiles python-ldap against them. A bundle carries images and wheels, not Debian packages, so
 * that build cannot run offline: refused before anything is written (exit 2, naming the answer).
 */
export function refuseLdapWithBundle(saved: { ldap?: unknown } | undefined, command: string): void {
  const ldap = saved?.ldap && typeof saved.ldap === 'object' ? (saved.ldap as { enabled?: unknown }) : undefined;
  if (ldap?.enabled !== true) return;
  throw new UserError(
    `ldap.enabled: \`${command}\` cannot build the Sentry image with LDAP from a bundle: that build installs python-ldap's build packages (gcc, libldap2-dev, libsasl2-dev, libssl-dev) with apt-get from a Debian mirror, and a bundle carries images and wheels, not Debian packages`,
    EXIT.usage,
    'Set ldap.enabled: false for the offline install (enable it later from a host that reaches a Debian mirror), or install online. Nothing was written.',
  );
}

/**
 * Images pinned by registry digest (`name:tag@sha256:…`, 26.8.0's seaweedfs) and bundles: `docker save` records
 * an image under its name and tag, and `docker load` restores name, tag and image id but never the registry
 * digest (RepoDigests), so on the offline host Compose finds no image for the pinned reference and asks the
 * registry for it. With `images.digests: drop` the compose file names those images by tag, and the bundle pins
 * their content instead: the image id (SHA-256 of the image config) recorded in the checksummed manifest is
 * checked in images.tar before loading and on the engine after. Refused before anything is written (exit 2).
 */
export function refusePinnedWithBundle(images: string[], command: string): void {
  const pinned = images.filter((n) => /@sha256:[0-9a-f]{64}$/.test(n));
  if (!pinned.length) return;
  throw new UserError(
    `images.digests: \`${command}\` cannot use ${pinned.join(', ')} pinned by registry digest: docker load restores an image's name, tag and id but not its registry digest, so Compose would look the pinned name up in a registry`,
    EXIT.usage,
    'Set images: {digests: drop} in the answers: the compose file then names these images by tag, and the bundle pins their content by image id (recorded in its checksummed manifest, checked before and after loading). Nothing was written.',
  );
}
