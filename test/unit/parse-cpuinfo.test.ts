import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGenericVirtualCpu, parseCpuinfo } from '../../checks/host/parse-cpuinfo.js';

const EPYC = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor

processor\t: 1
model name\t: AMD EPYC
flags\t\t: fpu sse4_2
`;
const KVM = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Common KVM processor
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc nopl xtopology cpuid tsc_known_freq pni cx16 x2apic hypervisor lahf_lm cpuid_fault pti
`;

test('reads model and flags of the first processor', () => {
  const cpu = parseCpuinfo(EPYC);
  assert.equal(cpu.model, 'AMD EPYC');
  assert.ok(cpu.flags.has('sse4_2'));
  assert.ok(!cpu.flags.has('sse4_2x'));
});

test('KVM default CPU model has no sse4_2 flag and is recognised as generic', () => {
  const cpu = parseCpuinfo(KVM);
  assert.equal(cpu.model, 'Common KVM processor');
  assert.ok(!cpu.flags.has('sse4_2'));
  assert.ok(isGenericVirtualCpu(cpu.model));
  assert.ok(isGenericVirtualCpu('QEMU Virtual CPU version 2.5+'));
  assert.ok(!isGenericVirtualCpu('Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz'));
});

test('readCpuinfo reads the first processor block only, the whole of a file without one, null without a file', async () => {
  const { readCpuinfo } = await import('../../checks/host/cpuinfo.js');
  const { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'cpuinfo-'));
  try {
    const block = (n: number) => `processor\t: ${n}\nmodel name\t: CPU ${n}\nflags\t\t: fpu sse4_2 ${'x'.repeat(20_000)}\n`;
    const many = join(dir, 'many');
    writeFileSync(many, Array.from({ length: 64 }, (_, i) => block(i)).join('\n'));
    assert.equal(await readCpuinfo(many), block(0)); // 20 KB into the first block: more than one read
    const one = join(dir, 'one');
    writeFileSync(one, 'processor\t: 0\nflags\t\t: fpu\n');
    assert.equal(await readCpuinfo(one), 'processor\t: 0\nflags\t\t: fpu\n');
    const endless = join(dir, 'endless');
    writeFileSync(endless, 'x'.repeat(1024 * 1024));
    assert.equal((await readCpuinfo(endless))!.length, 256 * 1024); // no processor block at all: stops at 256 KiB
    assert.equal(await readCpuinfo(join(dir, 'missing')), null);
    // This host's own file: the first block gives the same model and flags as reading all of it.
    if (existsSync('/proc/cpuinfo')) {
      const first = parseCpuinfo((await readCpuinfo())!);
      const all = parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
      assert.equal(first.model, all.model);
      assert.deepEqual([...first.flags].sort(), [...all.flags].sort());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
