/** The stable ids of the checks (for --skip-check), without loading the checks themselves. */
export const CHECK_IDS = ['docker-daemon', 'docker-version', 'compose', 'memory', 'cpu', 'disk', 'ports', 'arch', 'sse42', 'ulimits', 'host-ownership', 'external-db'] as const;
export type CheckId = (typeof CHECK_IDS)[number];
