/**
 * One escaper per target language. Templates never escape on their own; Handlebars' HTML escaping is off.
 * Each escaper produces ASCII only, so no reader's encoding guess can change a value.
 */

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** YAML double-quoted scalar (PyYAML, Compose v1/v2 and js-yaml read it the same). */
export function yamlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp > 0xffff) out += `\\U${hex(cp, 8)}`;
    else if (cp > 0x7e) out += `\\u${hex(cp, 4)}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * A string in a docker-compose.yml: YAML-escaped, and `$` doubled so Compose does not interpolate it.
 */
export function composeString(value: string): string {
  return yamlString(value.replace(/\$/g, '$$$$'));
}

/** Python unicode literal valid in Python 2.7 and 3 (u'' prefix, \u escapes, ASCII only). */
export function pyString(value: string): string {
  let out = "u'";
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === "'") out += "\\'";
    else if (ch === '\\') out += '\\\\';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp > 0xffff) out += `\\U${hex(cp, 8)}`;
    else if (cp > 0x7e) out += `\\u${hex(cp, 4)}`;
    else out += ch;
  }
  return out + "'";
}

/**
 * A value in .env. Compose v1 and v2 parse quotes, `#` and `$` differently, so only values that both
 * read literally are allowed; anything else is a programming error caught here, not a silent change.
 */
export function envValue(value: string): string {
  if (!/^[A-Za-z0-9!@%^&*()_+=.,:/-]*$/.test(value)) {
    throw new Error('a .env value must be written from the safe alphabet only');
  }
  return value;
}

/** A bare nginx argument (a host name or path): anything that needs quoting is refused. */
export function nginxString(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error('control characters cannot be written into nginx configuration');
  if (/[$"\\\s;{}]/.test(value)) throw new Error('this value cannot be written into nginx configuration');
  return value;
}

/** A line of requirements.txt: only validated plain requirements reach here. */
export function requirementLine(value: string): string {
  if (/[\s#;\\]/.test(value.replace(/\s*(~=|===|==|!=|<=|>=|<|>)\s*/g, '$1').replace(/\s*,\s*/g, ','))) {
    throw new Error(`not a plain requirement: ${value}`);
  }
  return value.replace(/\s+/g, '');
}
