/**
 * Compose features this tool relies on beyond what a release's official installer needed, with the
 * first Compose v1 that has them. The release minimums (src/catalog.ts) must not be lower.
 */
/** `config --hash`: which containers' configuration changed (src/install/recreate-plan.ts). Compose v1 1.23.0 (docker/compose#6126). */
export const CONFIG_HASH_SINCE_V1 = '1.23.0';
