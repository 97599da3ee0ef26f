/**
 * The refusal every changing command (install, reconfigure, upgrade, backup, restore) makes before it
 * changes anything: exit 3 when a volume, compose project or built image it would use belongs to another
 * install directory, to a checkout of the official installer, or is in use by another project's container.
 */
import { resolve } from 'node:path';
import type { SupportedTag } from '../catalog.js';
import type { Layout } from '../layout.js';
import { realOwnershipEngine, type OwnershipEngine } from './engine.js';
import { findConflicts } from './resolve.js';
import { ownershipRequest, readOwnState, savedStorage, type Storage } from './request.js';
import { ownershipRefusal } from './refusal.js';

export interface GuardOptions {
  layout: Layout;
  /** every release the command would run (an upgrade: each one on its path) */
  tags: readonly SupportedTag[];
  /** the answers in use, when they may not be saved yet (install): their storage decides volumes or directories */
  answers?: { storage: { mode: 'volumes' | 'bind'; dataDir: string } };
  adoptVolumes?: boolean;
  engine?: OwnershipEngine;
}

export async function refuseForeignOwnership(o: GuardOptions): Promise<void> {
  const a = o.answers?.storage;
  const storage: Storage = a ? { mode: a.mode, dataDir: resolve(o.layout.dir, a.dataDir) } : savedStorage(o.layout.dir);
  const req = ownershipRequest({ dir: o.layout.dir, tags: o.tags, storage, state: readOwnState(o.layout.dir), adoptVolumes: o.adoptVolumes });
  const conflicts = await findConflicts(o.engine ?? (await realOwnershipEngine()), req);
  if (conflicts.length) throw ownershipRefusal(conflicts, o.layout.dir);
}
