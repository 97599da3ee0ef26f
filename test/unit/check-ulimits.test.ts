import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { parseProcLimits, ulimitProblems, type EngineLimits } from '../../src/engine/rlimits.js';
import { ulimitsOfDoc } from '../../compose/ulimits.js';
import { decideUlimits, ulimitsCheck } from '../../checks/ulimits.js';
import { isInitUserns, parseStatusCaps, pidFileCandidates, readEngineLimits } from '../../checks/host/engine-limits.js';
import { formatTable } from '../../checks/format-results.js';
import { RELEASES } from '../../src/catalog.js';
import type { CheckContext } from '../../checks/types.js';

// /proc/PID/limits of this test machine's dockerd (LimitNOFILE 20000).
const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max stack size            8388608              unlimited            bytes     
Max processes             96363                96363                processes 
Max open files            20000                20000                files     
Max locked memory         8388608              8388608              bytes     
`;
const CLICKHOUSE = { clickhouse: { nofile: { soft: 262144, hard: 262144 } } };
const engine = (o: Partial<EngineLimits> = {}): EngineLimits => ({ pid: 3785, limits: parseProcLimits(PROC_LIMITS), capSysResource: false, userns: false, nrOpen: 1048576, ...o });
const decide = (wanted: Parameters<typeof decideUlimits>[0]['wanted'], e: EngineLimits | null, local = true) =>
  decideUlimits({ wanted, engineIsLocal: local, probe: e ? { ok: true, limits: e } : { ok: false, reason: 'no running dockerd found' }, overridePath: '/opt/sentry/docker-compose.override.yml', overrideExists: false });

test('/proc/PID/limits: soft and hard per ulimit name, "unlimited" as Infinity', () => {
  const l = parseProcLimits(PROC_LIMITS);
  assert.deepEqual(l.get('nofile'), { soft: 20000, hard: 20000 });
  assert.deepEqual(l.get('stack'), { soft: 8388608, hard: Infinity });
  assert.deepEqual(l.get('nproc'), { soft: 96363, hard: 96363 });
  assert.equal(l.get('cpu')?.hard, Infinity);
});

test('the release asks for exactly what its rendered compose file says (every golden render)', () => {
  const goldens = readdirSync(new URL('../golden/', import.meta.url));
  assert.ok(goldens.length >= 6, goldens.join(' '));
  for (const name of goldens) {
    const tag = name.replace(/-(full|minimal)$/, '') as keyof typeof RELEASES;
    assert.ok(RELEASES[tag], `golden ${name} names no release`);
    const doc = yaml.load(readFileSync(new URL(`../golden/${name}/docker-compose.yml`, import.meta.url), 'utf8'));
    assert.deepEqual(ulimitsOfDoc(doc), RELEASES[tag].ulimits ?? {}, name);
  }
});

test('dockerd with hard nofile 20000 and no CAP_SYS_RESOURCE cannot give ClickHouse 262144: fail, with the override lines and the systemd setting', () => {
  const v = decide(CLICKHOUSE, engine());
  assert.equal(v.status, 'fail');
  assert.match(v.found, /dockerd \(pid 3785\) has nofile 20000\/20000, may not raise its limits \(no CAP_SYS_RESOURCE\)/);
  assert.match(v.found, /cannot set clickhouse nofile 262144 \(above dockerd's own hard limit \(20000\)/);
  assert.ok(
    v.remedy!.includes("create /opt/sentry/docker-compose.override.yml with\nversion: '3.4'\nservices:\n  clickhouse:\n    ulimits:\n      nofile:\n        soft: 20000\n        hard: 20000\n"),
    v.remedy!,
  );
  assert.match(v.remedy!, /systemctl edit docker\.service.*\n\[Service\]\nLimitNOFILE=262144\nthen `systemctl restart docker`/);
});

test('with CAP_SYS_RESOURCE in the initial user namespace the engine raises its own limit: pass', () => {
  const v = decide(CLICKHOUSE, engine({ capSysResource: true }));
  assert.equal(v.status, 'pass');
  assert.match(v.found, /may raise its limits \(CAP_SYS_RESOURCE\)/);
  assert.equal(v.remedy, null);
});

test('in a user namespace (rootless Docker, LXC) the capability does not count', () => {
  const v = decide(CLICKHOUSE, engine({ capSysResource: true, userns: true }));
  assert.equal(v.status, 'fail');
  assert.match(v.found, /user namespace/);
});

test('fs.nr_open bounds nofile even with the capability; the remedy suggests nr_open', () => {
  const v = decide(CLICKHOUSE, engine({ capSysResource: true, nrOpen: 131072 }));
  assert.equal(v.status, 'fail');
  assert.match(v.found, /above the kernel's fs\.nr_open \(131072\)/);
  assert.match(v.remedy!, /soft: 131072\n        hard: 131072/);
  const [p] = ulimitProblems({ x: { nofile: { soft: 2_000_000, hard: 2_000_000 } } }, engine({ capSysResource: true }));
  assert.equal(p.allowed, 1048576);
});

test('limits within the engine\'s own hard limit pass without any capability; a soft limit above it does not', () => {
  assert.equal(decide({ clickhouse: { nofile: { soft: 20000, hard: 20000 } } }, engine()).status, 'pass');
  assert.equal(decide({ clickhouse: { nofile: { soft: 1024, hard: 20000 } } }, engine()).status, 'pass');
  assert.equal(decide({ clickhouse: { nofile: { soft: 20001, hard: 20000 } } }, engine()).status, 'fail');
  assert.equal(decide({ x: { stack: { soft: 1 << 30, hard: Infinity } } }, engine()).status, 'pass');
  assert.equal(decide({ x: { nproc: { soft: 100000, hard: 100000 } } }, engine()).status, 'fail');
});

test('a remote engine, or a local one whose dockerd is not found, is a warning: nothing can be read', () => {
  const remote = decide(CLICKHOUSE, null, false);
  assert.equal(remote.status, 'warn');
  assert.match(remote.found, /another host/);
  assert.match(remote.remedy!, /error setting rlimit type N/);
  const unknown = decide(CLICKHOUSE, null, true);
  assert.equal(unknown.status, 'warn');
  assert.match(unknown.found, /no running dockerd found/);
  assert.equal(decide({}, null, false).status, 'pass');
});

test('compose ulimit forms: a single number is soft and hard, -1 is unlimited, an unset variable is skipped', () => {
  assert.deepEqual(
    ulimitsOfDoc({ services: { a: { ulimits: { nofile: 20000, nproc: { soft: '10', hard: '-1' }, core: '${CORE}' } }, b: { image: 'x' } } }),
    { a: { nofile: { soft: 20000, hard: 20000 }, nproc: { soft: 10, hard: Infinity } } },
  );
});

function fakeProc(root: string, pid: number, o: { comm?: string; capEff?: string; uidMap?: string; nrOpen?: string } = {}): void {
  mkdirSync(join(root, String(pid)), { recursive: true });
  mkdirSync(join(root, 'sys/fs'), { recursive: true });
  writeFileSync(join(root, String(pid), 'comm'), `${o.comm ?? 'dockerd'}\n`);
  writeFileSync(join(root, String(pid), 'limits'), PROC_LIMITS);
  writeFileSync(join(root, String(pid), 'status'), `Name:\tdockerd\nCapInh:\t0000000000000000\nCapEff:\t${o.capEff ?? '000001fffeffffff'}\n`);
  writeFileSync(join(root, String(pid), 'uid_map'), o.uidMap ?? '         0          0 4294967295\n');
  writeFileSync(join(root, 'sys/fs/nr_open'), `${o.nrOpen ?? '1048576'}\n`);
}

test('dockerd found through the pid file beside its socket; CapEff bit 24 and the uid map decide', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-limits-'));
  try {
    const proc = join(dir, 'proc');
    writeFileSync(join(dir, 'docker.pid'), '3785');
    fakeProc(proc, 3785);
    const r = await readEngineLimits(`unix://${join(dir, 'docker.sock')}`, proc);
    assert.ok(r.ok);
    assert.deepEqual({ ...r.limits, limits: r.limits.limits.get('nofile') }, { pid: 3785, limits: { soft: 20000, hard: 20000 }, capSysResource: false, userns: false, nrOpen: 1048576 });
    fakeProc(proc, 3785, { capEff: '000001ffffffffff', uidMap: '0 100000 65536' });
    const r2 = await readEngineLimits(`unix://${join(dir, 'docker.sock')}`, proc);
    assert.ok(r2.ok && r2.limits.capSysResource && r2.limits.userns);
    fakeProc(proc, 3785, { comm: 'bash' }); // a stale pid file: the pid belongs to something else now
    const r3 = await readEngineLimits(`unix://${join(dir, 'docker.sock')}`, proc);
    assert.equal(r3.ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(pidFileCandidates('unix:///run/user/1000/docker.sock'), ['/run/user/1000/docker.pid', '/var/run/docker.pid', '/run/docker.pid']);
  assert.equal(parseStatusCaps('CapEff:\t000001fffeffffff\n'), 0x000001fffeffffffn);
  assert.ok(isInitUserns('         0          0 4294967295\n'));
  assert.ok(!isInitUserns('0 1000 1\n'));
});

test('the check reads the install directory\'s override: lowered there, the same engine passes; bad YAML is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-ulimits-'));
  const asked: string[] = [];
  const ctx = {
    release: RELEASES['20.7.0'],
    installDir: dir,
    engineIsLocal: true,
    endpoint: { host: 'unix:///var/run/docker.sock', source: 'default' },
    host: { engineLimits: async (h: string) => (asked.push(h), { ok: true, limits: engine() }) },
  } as unknown as CheckContext;
  try {
    const before = await ulimitsCheck.run(ctx);
    assert.equal(before.status, 'fail');
    assert.deepEqual(asked, ['unix:///var/run/docker.sock']);
    writeFileSync(join(dir, 'docker-compose.override.yml'), "version: '3.4'\nservices:\n  clickhouse:\n    ulimits:\n      nofile:\n        soft: 20000\n        hard: 20000\n");
    const after = await ulimitsCheck.run(ctx);
    assert.equal(after.status, 'pass', after.found);
    assert.match(after.required, /clickhouse nofile 20000\/20000/);
    writeFileSync(join(dir, 'docker-compose.override.yml'), 'services: [\n');
    const bad = await ulimitsCheck.run(ctx);
    assert.equal(bad.status, 'fail');
    assert.match(bad.found, /docker-compose\.override\.yml .* not valid YAML/);
    const nine = await ulimitsCheck.run({ ...ctx, release: RELEASES['9.1.2'], installDir: join(dir, 'none') } as CheckContext);
    assert.equal(nine.status, 'pass');
    assert.equal(asked.length, 2, 'a release without ulimits does not read the engine');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the table prints a remedy line by line, keeping the YAML indent', () => {
  const v = decide(CLICKHOUSE, engine());
  const out = formatTable([{ id: 'ulimits', title: 't', ...v }], 120);
  assert.match(out, /\n\s+ {3}services:\n\s+ {5}clickhouse:\n\s+ {7}ulimits:\n/);
});
