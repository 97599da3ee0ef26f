/** The real host: what `check` and the install read from the machine they run on. */
import type { HostProbes } from '../types.js';
import { readCpuinfo } from './cpuinfo.js';
import { freeSpace } from './free-space.js';
import { probePort } from './port-probe.js';
import { readEngineLimits } from './engine-limits.js';

export const realHostProbes: HostProbes = {
  freeSpace,
  cpuinfo: () => readCpuinfo(),
  port: (port) => probePort(port),
  engineLimits: (host) => readEngineLimits(host),
};
