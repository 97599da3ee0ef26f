/** What an install has done, so a re-run skips it and an interrupted run resumes. Written atomically. */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic.js';

export interface InstallState {
  tag?: string;
  /** The last pipeline step that completed. */
  lastCompletedStep?: string;
  /** Input hash per locally built image, as of its last successful build. */
  builds: Record<string, string>;
  /** Sentry image id the database was last migrated with. */
  migratedImage?: string;
  /** Snuba image id the bootstrap last ran with (20.7.0+). */
  snubaBootstrapped?: string;
  /** Sentry image id each release `sentry-script` bootstrap action last ran with, by its id. */
  sentryScripts?: Record<string, string>;
  /** Kafka topics the bootstrap made sure of (created or found). */
  kafkaTopics?: string[];
  /** S3 buckets made by the bootstrap, each with the expiry days of its lifecycle rule. */
  s3Buckets?: Record<string, number>;
  /** Admin email created (or found) by the superuser step. */
  superuser?: string;
  /** Admin email whose default-organization and team memberships the superuser step made sure of. */
  superuserMember?: string;
  /** Hash of the compose files and image ids at the last successful `up`. */
  upHash?: string;
  /** Hash of each group of bind-mounted config files at the last successful `up`. */
  mountHashes?: Record<string, string>;
  /** Named volumes this install created or adopted (--adopt-volumes): proof of ownership without a label. */
  volumes?: string[];
  /** The operator removed the cleanup cron (`cron remove`): install and reconfigure leave it out. */
  cronRemoved?: boolean;
  history: Array<{ at: string; step: string; result: string }>;
}

export function readState(path: string): InstallState {
  if (!existsSync(path)) return { builds: {}, history: [] };
  const s = JSON.parse(readFileSync(path, 'utf8')) as InstallState;
  return { ...s, builds: s.builds ?? {}, history: s.history ?? [] };
}

export function writeState(path: string, state: InstallState): void {
  state.history = state.history.slice(-200);
  writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}
