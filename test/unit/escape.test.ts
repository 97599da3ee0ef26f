import { test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { composeString, envValue, nginxString, pyString, requirementLine, yamlString } from '../../src/render/escape.js';
import { SECRET_ALPHABET } from '../../src/secrets.js';
import { NASTY } from '../helpers/values.js';


const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

test('yamlString: ASCII-only output that a YAML reader turns back into the exact value', () => {
  for (const v of NASTY) {
    const out = yamlString(v);
    assert.match(out, ASCII_PRINTABLE, `non-ASCII output for ${JSON.stringify(v).slice(0, 60)}`);
    assert.deepEqual(yaml.load(`k: ${out}\n`), { k: v });
  }
});

test('yamlString: exact escapes for quotes, backslashes, controls and non-BMP characters', () => {
  assert.equal(yamlString('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(yamlString('\x07\x7f'), '"\\x07\\x7f"');
  assert.equal(yamlString('é'), '"\\u00e9"');
  assert.equal(yamlString('😀'), '"\\U0001f600"');
  assert.equal(yamlString("it's"), `"it's"`);
});

test('composeString: YAML-escaped and every $ doubled, so Compose does not interpolate', () => {
  assert.equal(composeString('a$b'), '"a$$b"');
  assert.equal(composeString('${X:-y}'), '"$${X:-y}"');
  assert.equal(composeString('$$'), '"$$$$"');
  for (const v of NASTY) {
    const back = (yaml.load(`k: ${composeString(v)}\n`) as { k: string }).k;
    assert.equal(back.replace(/\$\$/g, '$'), v);
  }
});

test('pyString: a u-prefixed, ASCII-only Python literal with the exact escapes', () => {
  assert.equal(pyString("it's"), "u'it\\'s'");
  assert.equal(pyString('a\\b'), "u'a\\\\b'");
  assert.equal(pyString('"'), `u'"'`);
  assert.equal(pyString('é'), "u'\\u00e9'");
  assert.equal(pyString('😀'), "u'\\U0001f600'");
  assert.equal(pyString('\n'), "u'\\x0a'");
  assert.equal(pyString('%(user)s'), "u'%(user)s'");
  for (const v of NASTY) {
    const out = pyString(v);
    assert.match(out, ASCII_PRINTABLE);
    assert.ok(out.startsWith("u'") && out.endsWith("'"));
    // Between the quotes: no bare quote and no backslash that does not start an escape.
    const body = out.slice(2, -1);
    assert.doesNotMatch(body, /(^|[^\\])(\\\\)*'/);
  }
});

test('envValue: passes the safe alphabet, including every character of generated secrets', () => {
  assert.equal(envValue('sentry_onpremise'), 'sentry_onpremise');
  assert.equal(envValue('20.7.0'), '20.7.0');
  assert.equal(envValue(SECRET_ALPHABET), SECRET_ALPHABET);
  assert.equal(envValue(''), '');
});

test('envValue: refuses what compose v1 and v2 read differently ($, #, quotes, spaces, newlines, backslashes)', () => {
  for (const bad of ['a$b', 'a#b', "a'b", 'a"b', 'a b', 'a\nb', 'a\\b', '`x`', 'é', '{x}']) {
    assert.throws(() => envValue(bad), /safe alphabet/, JSON.stringify(bad));
  }
});

test('nginxString: host names and paths pass, anything needing quotes is refused', () => {
  assert.equal(nginxString('sentry.example.com'), 'sentry.example.com');
  assert.equal(nginxString('sentry.example.com:8443'), 'sentry.example.com:8443');
  for (const bad of ['a b', 'a;b', 'a{b', 'a}b', '$host', 'a"b', 'a\\b', 'a\nb', 'a\tb']) {
    assert.throws(() => nginxString(bad), JSON.stringify(bad));
  }
});

test('requirementLine: plain requirements are normalised, anything else throws', () => {
  assert.equal(requirementLine('foo >= 1.0, < 2'), 'foo>=1.0,<2');
  assert.equal(requirementLine('foo[bar]==1'), 'foo[bar]==1');
  for (const bad of ['foo; rm -rf /', 'foo # x', 'foo \\', '-e .']) assert.throws(() => requirementLine(bad), JSON.stringify(bad));
});
