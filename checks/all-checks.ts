/** Every preflight check, in the order they are reported. */
import { archCheck } from './arch.js';
import { composeCheck } from './compose.js';
import { cpuCheck } from './cpu.js';
import { diskCheck } from './disk.js';
import { dockerDaemonCheck } from './docker-daemon.js';
import { dockerVersionCheck } from './docker-version.js';
import { hostOwnershipCheck } from './host-ownership.js';
import { externalDbCheck } from './external-db.js';
import { memoryCheck } from './memory.js';
import { portsCheck } from './ports.js';
import { sse42Check } from './sse42.js';
import { ulimitsCheck } from './ulimits.js';
import type { Check } from './types.js';

export const ALL_CHECKS: readonly Check[] = [
  dockerDaemonCheck,
  dockerVersionCheck,
  composeCheck,
  memoryCheck,
  cpuCheck,
  diskCheck,
  portsCheck,
  archCheck,
  sse42Check,
  ulimitsCheck,
  hostOwnershipCheck,
  externalDbCheck,
];
