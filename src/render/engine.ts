/** Handlebars set up for config files: strict (a missing value is an error), no HTML escaping, per-language helpers. */
import type Handlebars from 'handlebars';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { composeString, envValue, nginxString, pyString, yamlString } from './escape.js';
import type { View } from './view.js';

let hb: typeof Handlebars | undefined;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function engine(): typeof Handlebars {
  if (hb) return hb;
  // Loaded on the first render only: a run whose files are up to date never needs it.
  hb = (createRequire(import.meta.url)('handlebars') as typeof Handlebars).create();
  hb.registerHelper('yaml', (v: unknown) => yamlString(String(v)));
  hb.registerHelper('compose', (v: unknown) => composeString(String(v)));
  hb.registerHelper('py', (v: unknown) => pyString(String(v)));
  hb.registerHelper('env', (v: unknown) => envValue(String(v)));
  hb.registerHelper('nginx', (v: unknown) => nginxString(String(v)));
  hb.registerHelper('array', (...args: unknown[]) => args.slice(0, -1));
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hb.registerHelper('portMapping', (host: number, container: number) => `${host}:${container}/tcp`);
  hb.registerHelper('volume', function (this: unknown, name: string, target: string, opts: Handlebars.HelperOptions) {
    const view = opts.data.root as View;
    const source = view.volumesMode ? name : `${view.dataDir}/${name}`;
    return composeString(`${source}:${target}`);
  });
  const root = packageRoot();
  hb.registerPartial('nginx-service', read(join(root, 'templates/common/nginx-service.hbs')));
  hb.registerPartial('config-head', read(join(root, 'templates/common/config-head.yml.hbs')));
  hb.registerPartial('proxy-locations', read(join(root, 'nginx/proxy-locations.hbs')));
  hb.registerPartial('external-postgres', read(join(root, 'templates/common/external-postgres.py.hbs')));
  hb.registerPartial('external-redis', read(join(root, 'templates/common/external-redis.py.hbs')));
  hb.registerPartial('sentry-conf-tail', read(join(root, 'templates/common/sentry-conf-tail.py.hbs')));
  return hb;
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Renders a template (path relative to the package root) with the view. */
export function renderTemplate(relPath: string, view: View): string {
  let tpl = compiled.get(relPath);
  if (!tpl) {
    tpl = engine().compile(read(join(packageRoot(), relPath)), { strict: true, noEscape: true });
    compiled.set(relPath, tpl);
  }
  return tpl(view);
}
