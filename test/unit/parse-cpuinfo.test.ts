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
