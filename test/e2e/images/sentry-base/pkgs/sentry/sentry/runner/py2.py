"""Run Python 2.7 source (settings files, `sentry exec` scripts) on the stand-in's Python 3.

Real Sentry 9.1.2/20.7.0 is Python 2.7, so source that only Python 3 accepts must fail here too:
non-ASCII bytes without a coding line, f-strings, and anything lib2to3's Python 2 grammar rejects
(e.g. print(x, end='')) raise SyntaxError. Valid Python 2 is translated with lib2to3's fixers.
`struct.pack` accepts str for "s" fields, as Python 2 does (the 20.7.0 sentry.conf.py relies on it).
"""
import builtins
import io
import re
import struct as _struct
import tokenize
import types
import warnings

from sentry import MODERN

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from lib2to3 import refactor
    from lib2to3.pgen2.parse import ParseError
    from lib2to3.pgen2.tokenize import TokenError

_FIXERS = [f for f in refactor.get_fixers_from_package("lib2to3.fixes")
           if not f.endswith(("fix_import", "fix_imports", "fix_imports2"))]
_TOOL = None
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def check_source_bytes(data, filename):
    """Python 2 reads a file as bytes: non-ASCII needs a coding declaration on line 1 or 2."""
    if MODERN:  # Python 3 reads UTF-8 source
        return
    if any(_CODING.match(line) for line in data.split(b"\n")[:2]):
        return
    for lineno, line in enumerate(data.split(b"\n"), 1):
        for ch in line:
            if ch > 127:
                raise SyntaxError("Non-ASCII character '\\x%02x' in file %s on line %d, but no encoding declared; "
                                  "see http://python.org/dev/peps/pep-0263/ for details" % (ch, filename, lineno),
                                  (filename, lineno, 0, line.decode("latin-1")))


def to_py3(source, filename):
    global _TOOL
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.STRING and "f" in re.match(r"[A-Za-z]*", tok.string).group().lower():
                raise SyntaxError("invalid syntax", (filename, tok.start[0], tok.start[1] + 1, tok.line))
    except tokenize.TokenError:
        pass  # reported by the parser below
    if _TOOL is None:
        _TOOL = refactor.RefactoringTool(_FIXERS)
    try:
        return str(_TOOL.refactor_string(source if source.endswith("\n") else source + "\n", filename))
    except (ParseError, TokenError) as e:
        lineno = getattr(e, "context", (None, (1, 0)))[1][0] if isinstance(e, ParseError) else 1
        line = source.splitlines()[lineno - 1] if 0 < lineno <= len(source.splitlines()) else ""
        raise SyntaxError("invalid syntax", (filename, lineno, 1, line)) from None
    except IndentationError:
        raise


class _Struct(types.ModuleType):
    def __getattr__(self, name):
        return getattr(_struct, name)

    @staticmethod
    def _bytes(args):
        return [a.encode("latin-1") if isinstance(a, str) else a for a in args]

    def pack(self, fmt, *args):
        return _struct.pack(fmt, *self._bytes(args))

    def pack_into(self, fmt, buf, offset, *args):
        return _struct.pack_into(fmt, buf, offset, *self._bytes(args))


_PY2_STRUCT = _Struct("struct")


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    if name == "struct" and level == 0:
        return _PY2_STRUCT
    return builtins.__import__(name, globals, locals, fromlist, level)


def namespace(**values):
    """Globals for py2 code: builtins with the py2 struct, plus the names lib2to3 output expects."""
    b = dict(vars(builtins))
    if not MODERN:
        b["__import__"] = _import
    values["__builtins__"] = b
    return values


def run(source, filename, ns):
    code = compile(source if MODERN else to_py3(source, filename), filename, "exec", dont_inherit=True)
    exec(code, ns)
