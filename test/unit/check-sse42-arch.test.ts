import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideSse42 } from '../../checks/sse42.js';
import { decideArch } from '../../checks/arch.js';

const cpu = (model: string, flags: string) => `processor\t: 0\nmodel name\t: ${model}\nflags\t\t: ${flags}\n`;
const base = { needed: true, arch: 'x86_64', kvmEscape: true, tag: '20.7.0' };

test('x86_64 with sse4_2 passes', () => {
  assert.equal(decideSse42({ ...base, cpuinfo: cpu('AMD EPYC', 'fpu sse4_1 sse4_2 avx') }).status, 'pass');
});

test('x86_64 without sse4_2 fails', () => {
  const v = decideSse42({ ...base, cpuinfo: cpu('Intel(R) Core(TM)2 Duo CPU E8400', 'fpu sse sse2 ssse3 sse4_1') });
  assert.equal(v.status, 'fail');
  assert.match(v.remedy!, /SSE 4\.2/);
});

test('"Common KVM processor" hiding the flag warns when the release allows it, fails when not', () => {
  const kvm = cpu('Common KVM processor', 'fpu sse sse2 cx16 x2apic hypervisor');
  const v = decideSse42({ ...base, cpuinfo: kvm });
  assert.equal(v.status, 'warn');
  assert.match(v.found, /generic virtual CPU/);
  assert.match(v.remedy!, /host passthrough/);
  assert.equal(decideSse42({ ...base, kvmEscape: false, cpuinfo: kvm }).status, 'fail');
});

test('not needed for a release without ClickHouse, and not applicable off x86_64', () => {
  assert.equal(decideSse42({ ...base, needed: false, tag: '9.1.2', cpuinfo: null }).status, 'pass');
  assert.equal(decideSse42({ ...base, arch: 'aarch64', cpuinfo: cpu('Neoverse-N1', 'fp asimd') }).status, 'pass');
});

test('CPU flags not readable (macOS, remote engine) warn', () => {
  assert.equal(decideSse42({ ...base, cpuinfo: null }).status, 'warn');
});

test('arch: x86_64 passes; arm64 fails for a ClickHouse release and warns otherwise', () => {
  assert.equal(decideArch('x86_64', true, '20.7.0').status, 'pass');
  assert.equal(decideArch('amd64', true, '20.7.0').status, 'pass');
  assert.equal(decideArch('aarch64', true, '20.7.0').status, 'fail');
  assert.equal(decideArch('aarch64', false, '9.1.2').status, 'warn');
});
