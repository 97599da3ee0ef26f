/**
 * The install directory's lock, with real processes: children started together through a barrier, a real
 * process whose pid is recorded with another start time, files planted under another uid (root only).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lchownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { layoutFor, type Layout } from '../../src/layout.js';
import { withDirLock } from '../../src/lock/dir-lock.js';
import { processStart, type Holder } from '../../src/lock/holder.js';
import { readLock } from '../../src/lock/lock-file.js';
import { UserError } from '../../src/errors.js';
import { ROOT, removeDir, tempDir } from '../helpers/cli.js';

const CHILD = join(ROOT, 'test', 'helpers', 'lock-child.ts');
const isRoot = process.geteuid?.() === 0;
const running = new Set<ChildProcess>();

// A failed assertion leaves children waiting on stdin: they must not outlive the test.
afterEach(() => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.clear();
});

class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr = '';
  private lines: string[] = [];
  private waiting?: (line: string) => void;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(this.proc);
    this.proc.stderr!.on('data', (d) => (this.stderr += d));
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(l);
      } else this.lines.push(l);
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
  }

  line(ms = 60_000): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child ${this.proc.pid}: no line in ${ms} ms; stderr: ${this.stderr}`)), ms);
      this.waiting = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
    });
  }

  send(line = 'go'): void {
    this.proc.stdin!.write(`${line}\n`);
  }
}

/** Starts the children and waits until each has loaded the lock code: then they can all start together. */
async function ready(children: Child[]): Promise<Child[]> {
  for (const c of children) assert.equal(await c.line(), 'ready', c.stderr);
  return children;
}

/** Lets all children try at once; returns each one's first answer. */
async function race(children: Child[]): Promise<string[]> {
  for (const c of children) c.send();
  return Promise.all(children.map((c) => c.line()));
}

function holder(over: Partial<Holder>): Holder {
  return { pid: 1, start: processStart(1), command: 'upgrade', since: new Date().toISOString(), nonce: 'feedfacefeedface', ...over };
}

function plant(layout: Layout, h: Holder | string, uid?: number): void {
  mkdirSync(layout.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(layout.lockFile, typeof h === 'string' ? h : JSON.stringify(h), { mode: 0o600 });
  if (uid !== undefined) chownSync(layout.lockFile, uid, uid);
}

/** Runs fn with stderr captured. */
async function capturingStderr<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; stderr: string }> {
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: await fn(), stderr };
  } catch (error) {
    return { error, stderr };
  } finally {
    process.stderr.write = write;
  }
}

async function outcome(layout: Layout) {
  return capturingStderr(() => withDirLock(layout, 'cleanup', async () => 'ran', { onBusy: (h) => `busy ${h.pid} ${h.command}` }));
}

test('8 processes started at once against one directory: exactly one gets the lock, the others name it', { timeout: 120_000 }, async () => {
  const root = tempDir();
  try {
    const dir = join(root, 'install');
    const children = await ready(Array.from({ length: 8 }, () => new Child([dir, 'install', 'hold'])));
    const answers = await race(children);
    const winners = children.filter((_, i) => answers[i].startsWith('got '));
    assert.equal(winners.length, 1, answers.join('\n'));
    const pid = winners[0].proc.pid;
    assert.deepEqual(answers.filter((a) => !a.startsWith('got ')), Array(7).fill(`busy ${pid}`));
    assert.equal(statSync(layoutFor(dir).stateDir).mode & 0o777, 0o700);
    const lock = JSON.parse(readFileSync(layoutFor(dir).lockFile, 'utf8')) as Holder;
    assert.equal(lock.pid, pid);
    assert.equal(lock.command, 'install');
    assert.equal(lock.start, processStart(pid!));
    assert.ok(Math.abs(Date.parse(lock.since) - Date.now()) < 60_000, lock.since);
    winners[0].send('release');
    assert.equal(await winners[0].line(), 'released');
    for (const c of children) assert.equal(await c.exited, 0, c.stderr);
    assert.equal(existsSync(layoutFor(dir).lockFile), false, 'released');
  } finally {
    removeDir(root);
  }
});

test('different TMPDIRs exclude each other, and a lock file of the old kind in TMPDIR is ignored', { timeout: 60_000 }, async () => {
  const root = tempDir();
  try {
    const dir = join(root, 'install');
    mkdirSync(dir);
    const [tmpA, tmpB] = [join(root, 'tmp-a'), join(root, 'tmp-b')];
    mkdirSync(tmpA);
    mkdirSync(tmpB);
    // Where the old code looked: held by pid 1, which is alive.
    writeFileSync(join(tmpA, `sentry-onprem-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.lock`), '1 cleanup\n');
    const [a] = await ready([new Child([dir, 'upgrade', 'hold'], { TMPDIR: tmpA })]);
    assert.equal((await race([a]))[0], `got ${a.proc.pid}`, a.stderr);
    const [b] = await ready([new Child([dir, 'cleanup', 'hold'], { TMPDIR: tmpB })]);
    assert.equal((await race([b]))[0], `busy ${a.proc.pid}`, b.stderr);
    assert.equal(await b.exited, 0);
    a.send('release');
    assert.equal(await a.line(), 'released');
    assert.equal(await a.exited, 0);
  } finally {
    removeDir(root);
  }
});

test('a lock file planted by another user cannot block: it is reported on stderr and removed', { skip: !isRoot && 'needs root to chown', timeout: 30_000 }, async () => {
  const root = tempDir();
  try {
    const layout = layoutFor(join(root, 'install'));
    // The control: the same record (pid 1, its real start time) in a file of ours holds the lock.
    plant(layout, holder({}));
    assert.deepEqual(await outcome(layout), { value: 'busy 1 upgrade', stderr: '' });

    plant(layout, holder({}), 65534);
    const r = await outcome(layout);
    assert.equal(r.value, 'ran');
    assert.match(r.stderr, /^warning: .*\/\.sentry-onprem\/lock belonged to uid 65534, who may not hold this lock: removed it \(it said "\{\\"pid\\":1,/m);
    assert.equal(existsSync(layout.lockFile), false);

    // A symlink (to a file of root's) is not a lock either.
    symlinkSync('/etc/hostname', layout.lockFile);
    lchownSync(layout.lockFile, 65534, 65534);
    const s = await outcome(layout);
    assert.equal(s.value, 'ran');
    assert.match(s.stderr, /^warning: .*\/\.sentry-onprem\/lock belonged to uid 65534, who may not hold this lock: removed it \(it said ""\)$/m);
    assert.ok(existsSync('/etc/hostname'), 'the link was removed, not its target');

    // Nor is a directory.
    mkdirSync(join(layout.lockFile, 'sub'), { recursive: true });
    chownSync(layout.lockFile, 65534, 65534);
    const d = await outcome(layout);
    assert.equal(d.value, 'ran');
    assert.match(d.stderr, /lock belonged to uid 65534, who may not hold this lock: removed it/);
  } finally {
    removeDir(root);
  }
});

test('a command in a fresh directory that wrote nothing else leaves nothing behind; one that wrote something leaves it', async () => {
  const root = tempDir();
  try {
    const fresh = layoutFor(join(root, 'new', 'install'));
    assert.equal((await outcome(fresh)).value, 'ran');
    assert.deepEqual(readdirSync(root), [], 'the directories made for the lock are removed again');

    const existing = layoutFor(join(root, 'existing'));
    mkdirSync(existing.dir);
    assert.equal((await outcome(existing)).value, 'ran');
    assert.deepEqual(readdirSync(existing.dir), [], 'the empty state directory is removed, the install directory stays');

    const wrote = layoutFor(join(root, 'wrote'));
    await withDirLock(wrote, 'install', async () => writeFileSync(join(wrote.stateDir, 'state.json'), '{}'));
    assert.deepEqual(readdirSync(wrote.stateDir), ['state.json']);
  } finally {
    removeDir(root);
  }
});

test('a state directory others could write to is made 0700 (with a warning) before its lock is trusted', async () => {
  const root = tempDir();
  try {
    const layout = layoutFor(join(root, 'install'));
    mkdirSync(layout.stateDir, { recursive: true });
    chmodSync(layout.stateDir, 0o777);
    const r = await outcome(layout);
    assert.equal(r.value, 'ran');
    assert.match(r.stderr, /^warning: .*\/\.sentry-onprem was mode 777: made it 0700/m);
    assert.equal(statSync(layout.stateDir).mode & 0o777, 0o700);
  } finally {
    removeDir(root);
  }
});

test("a state directory of another user is refused (exit 3) when the command does not run as root", async () => {
  const root = tempDir();
  const geteuid = process.geteuid;
  try {
    const layout = layoutFor(join(root, 'install'));
    mkdirSync(layout.stateDir, { recursive: true, mode: 0o700 });
    process.geteuid = () => statSync(layout.stateDir).uid + 1000; // someone else, not root
    const r = await outcome(layout);
    process.geteuid = geteuid;
    assert.ok(r.error instanceof UserError, String(r.error));
    assert.equal(r.error.exitCode, 3);
    assert.match(r.error.message, /\.sentry-onprem belongs to uid \d+, but this command runs as uid \d+/);
    assert.equal(existsSync(layout.lockFile), false);
  } finally {
    process.geteuid = geteuid;
    removeDir(root);
  }
});

test('a recorded pid that now belongs to another process (another start time) does not hold the lock', { timeout: 30_000 }, async () => {
  const root = tempDir();
  const sleeper = spawn('sleep', ['60']);
  try {
    const layout = layoutFor(join(root, 'install'));
    const start = processStart(sleeper.pid!);
    assert.ok(start, 'the start time of a running process is read from /proc');
    // The control: pid and start time of the running process hold the lock.
    plant(layout, holder({ pid: sleeper.pid, start }));
    assert.deepEqual(await outcome(layout), { value: `busy ${sleeper.pid} upgrade`, stderr: '' });

    plant(layout, holder({ pid: sleeper.pid, start: String(Number(start) + 1) }));
    const r = await outcome(layout);
    assert.equal(r.value, 'ran');
    assert.match(r.stderr, new RegExp(`took over the lock of sentry-onprem upgrade \\(pid ${sleeper.pid}, since .*\\): that process is gone`));

    // Garbage (e.g. a lock file of an unknown format) names no live holder either.
    plant(layout, '1 cleanup\n');
    assert.equal((await outcome(layout)).value, 'ran');
  } finally {
    sleeper.kill();
    removeDir(root);
  }
});

test('a takeover whose process died half way (its marker left behind) does not block the lock forever', async () => {
  const root = tempDir();
  try {
    const layout = layoutFor(join(root, 'install'));
    plant(layout, holder({ pid: process.pid, start: '1' })); // stale
    const marker = `${layout.lockFile}.takeover-${readLock(layout.lockFile)!.id}`;
    writeFileSync(marker, JSON.stringify(holder({ pid: process.pid, start: '2', command: 'takeover' })));
    const r = await outcome(layout);
    assert.equal(r.value, 'ran');
    assert.deepEqual(readdirSync(layout.stateDir), [], 'the dead marker and the stale lock are both gone');
  } finally {
    removeDir(root);
  }
});

test('8 processes taking over one stale lock at once: exactly one wins', { timeout: 120_000 }, async () => {
  const root = tempDir();
  try {
    const dir = join(root, 'install');
    const layout = layoutFor(dir);
    const children = await ready(Array.from({ length: 8 }, () => new Child([dir, 'backup', 'hold'])));
    plant(layout, holder({ pid: process.pid, start: '1', command: 'upgrade' })); // our pid, another start time
    const answers = await race(children);
    const winners = children.filter((_, i) => answers[i].startsWith('got '));
    assert.equal(winners.length, 1, `${answers.join('\n')}\n${children.map((c) => c.stderr).join('')}`);
    assert.deepEqual(answers.filter((a) => !a.startsWith('got ')), Array(7).fill(`busy ${winners[0].proc.pid}`));
    // Only the process that removed the stale lock says it did.
    assert.equal(children.filter((c) => /took over the lock of sentry-onprem upgrade/.test(c.stderr)).length, 1, children.map((c) => c.stderr).join(''));
    winners[0].send('release');
    for (const c of children) assert.equal(await c.exited, 0, c.stderr);
    assert.deepEqual(
      readdirSync(layout.stateDir).filter((f) => f !== 'lock'),
      [],
      'no takeover marker or temporary file is left behind',
    );
  } finally {
    removeDir(root);
  }
});

test('4 processes taking and releasing the lock 40 times each: no two ever hold it together, none crashes', { timeout: 180_000 }, async () => {
  const root = tempDir();
  try {
    const dir = join(root, 'install');
    mkdirSync(dir);
    writeFileSync(join(dir, 'counter'), '0');
    const children = await ready(Array.from({ length: 4 }, () => new Child([dir, 'cron', 'count', '40'])));
    const answers = await race(children);
    assert.deepEqual(answers, Array(4).fill('counted'), children.map((c) => c.stderr).join(''));
    for (const c of children) assert.equal(await c.exited, 0, c.stderr);
    assert.equal(readFileSync(join(dir, 'counter'), 'utf8'), '160', 'an update was lost: two processes held the lock at once');
  } finally {
    removeDir(root);
  }
});
