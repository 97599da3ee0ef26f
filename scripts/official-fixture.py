#!/usr/bin/env python3
"""The official topology of a getsentry/self-hosted tag, as the render tests compare against it
(test/fixtures/official/<tag>-compose.json): Compose v2 `config --format json` of the tag's own
docker-compose.yml and .env (COMPOSE_PROFILES=feature-complete), reduced to what a service runs.

usage: scripts/official-fixture.py <bare-or-normal git dir of getsentry/self-hosted> <tag> <out.json>
Needs Compose v2 (scripts/e2e-engine.sh puts it in /tmp/sentry-onprem-e2e/docker-config); no engine call.
"""
import json, os, shutil, subprocess, sys, tempfile
git_dir, tag, out = sys.argv[1:4]
d = tempfile.mkdtemp(prefix="official-" + tag + "-")
archive = subprocess.run(["git", "--git-dir", git_dir, "archive", tag], check=True, capture_output=True).stdout
subprocess.run(["tar", "-x", "-C", d], input=archive, check=True)
env = {k: v for k, v in os.environ.items() if not k.startswith(('COMPOSE_', 'SENTRY_'))}
env['DOCKER_CONFIG'] = '/tmp/sentry-onprem-e2e/docker-config'
env['COMPOSE_PROFILES'] = 'feature-complete'
r = subprocess.run(['docker', 'compose', 'config', '--format', 'json'], cwd=d, env=env, capture_output=True, text=True)
if r.returncode:
    shutil.rmtree(d, ignore_errors=True)
    sys.exit(r.stderr)
c = json.loads(r.stdout)
def rel(p):
    return p.replace(d.rstrip('/') + '/', './') if isinstance(p, str) else p
def unesc(v):
    if isinstance(v, str): return v.replace('$$', '$')
    if isinstance(v, list): return [unesc(x) for x in v]
    if isinstance(v, dict): return {k: unesc(x) for k, x in v.items()}
    return v
c = unesc(c)
svcs = {}
for n, s in sorted(c['services'].items()):
    e = {'image': s.get('image')}
    if 'build' in s: e['build'] = {'context': rel(s['build']['context']), 'args': s['build'].get('args') or {}}
    for k in ['command', 'entrypoint', 'profiles', 'ulimits', 'platform', 'hostname', 'restart', 'healthcheck', 'ports']:
        if k in s: e[k] = s[k]
    e['depends_on'] = {k: v['condition'] for k, v in (s.get('depends_on') or {}).items()}
    e['volumes'] = [{'type': v['type'], 'source': rel(v.get('source')), 'target': v['target'], 'read_only': bool(v.get('read_only'))} for v in s.get('volumes') or []]
    e['environment'] = s.get('environment') or {}
    svcs[n] = e
vols = {k: bool((v or {}).get('external')) for k, v in sorted(c.get('volumes', {}).items())}
src = f"getsentry/self-hosted at tag {tag}: `docker compose config --format json` of its docker-compose.yml and .env (COMPOSE_PROFILES=feature-complete), reduced to what a service runs; paths relative to the checkout."
json.dump({'source': src, 'services': svcs, 'volumes': vols}, open(out, 'w'), indent=1, sort_keys=True)

print(len(svcs), 'services', sum(1 for s in svcs.values() if s.get('profiles')), 'profiled')
shutil.rmtree(d, ignore_errors=True)
