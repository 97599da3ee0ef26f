/** The engine adapter's public face: what the checks and the install pipeline import. */
export { resolveDockerEndpoint, dockerConfigDir, type DockerEndpoint } from './endpoint.js';
export { connectEngine, tryConnectEngine, openDockerode, type Engine, type EngineInfo, type PublishedPort } from './engine.js';
export { EngineError, type EngineErrorKind } from './engine-error.js';
export { detectCompose, type ComposeInfo, type ComposeDetection, type ComposeProbe } from './detect-compose.js';
export { requireCompose } from './require-compose.js';
export { parseComposeVersion } from './parse-compose-version.js';
export { toSemver } from './parse-version.js';
