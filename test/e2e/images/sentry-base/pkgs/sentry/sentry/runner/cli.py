"""A small re-implementation of the parts of click 6 that Sentry's commands use.

Same messages and exit codes as click 6 (the version Sentry 9.1.2 and 20.7.0 pin): `Error: no such
option: --x` with the usage line (exit 2), `Error: msg` for ClickException (exit 1), `Aborted!` on EOF
at a prompt (exit 1). Options can be limited to releases with since="20.7.0".
"""
import getpass
import sys

from sentry import RELEASE


def _release(v):
    return tuple(int(p) for p in v.split("."))


def echo(message="", nl=True, err=False):
    stream = sys.stderr if err else sys.stdout
    stream.write((message or "") + ("\n" if nl else ""))
    stream.flush()


class ClickException(Exception):
    exit_code = 1

    def __init__(self, message):
        super(ClickException, self).__init__(message)
        self.message = message

    def show(self):
        echo("Error: %s" % self.message, err=True)


class UsageError(ClickException):
    exit_code = 2

    def __init__(self, message, usage=None):
        super(UsageError, self).__init__(message)
        self.usage = usage

    def show(self):
        if self.usage:
            echo(self.usage + "\n", err=True)
        echo("Error: %s" % self.message, err=True)


class Abort(Exception):
    pass


def _readline():
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line[:-1] if line.endswith("\n") else line


def prompt(text, hide_input=False, confirmation_prompt=False, default=None):
    def ask(t):
        try:
            echo(t, nl=False)
            return getpass.getpass("") if hide_input else _readline()
        except (KeyboardInterrupt, EOFError):
            if hide_input:
                echo()
            raise Abort()

    text = text + (" [%s]" % default if default is not None else "") + ": "
    while True:
        value = ask(text)
        if not value and default is not None:
            return default
        if not value:
            continue
        if not confirmation_prompt:
            return value
        value2 = ask("Repeat for confirmation: ")
        while not value2:
            value2 = ask("Repeat for confirmation: ")
        if value == value2:
            return value
        echo("Error: the two entered values do not match")


def confirm(text, default=False, abort=False):
    while True:
        echo(text + (" [Y/n]: " if default else " [y/N]: "), nl=False)
        try:
            value = _readline().lower().strip()
        except (KeyboardInterrupt, EOFError):
            raise Abort()
        if value in ("y", "yes"):
            rv = True
        elif value in ("n", "no"):
            rv = False
        elif value == "":
            rv = default
        else:
            echo("Error: invalid input")
            continue
        if abort and not rv:
            raise Abort()
        return rv


class Option(object):
    def __init__(self, *decls, **kw):
        self.opts, self.secondary = [], []
        for d in decls:
            if not d.startswith("-"):
                kw["name"] = d
            elif "/" in d:
                on, off = d.split("/")
                self.opts.append(on)
                self.secondary.append(off)
                kw.setdefault("is_flag", True)
            else:
                self.opts.append(d)
        longs = [o for o in self.opts if o.startswith("--")]
        self.name = kw.pop("name", None) or (longs or self.opts)[0].lstrip("-").replace("-", "_")
        self.is_flag = kw.pop("is_flag", False)
        self.type = kw.pop("type", None)
        self.choices = kw.pop("choices", None)
        self.multiple = kw.pop("multiple", False)
        self.help = kw.pop("help", "")
        self.since = kw.pop("since", None)
        self.default = kw.pop("default", () if self.multiple else (False if self.is_flag and not self.secondary else None))
        self.show_default = kw.pop("show_default", False)
        assert not kw, kw

    def convert(self, value, opt):
        if self.choices:
            v = value.upper() if all(c.isupper() for c in self.choices) else value
            if v not in self.choices:
                raise UsageError('Invalid value for "%s": invalid choice: %s. (choose from %s)'
                                 % (opt, value, ", ".join(self.choices)))
            return v
        if self.type is int:
            try:
                return int(value)
            except ValueError:
                raise UsageError('Invalid value for "%s": %s is not a valid integer' % (opt, value))
        return value

    def help_line(self):
        names = ", ".join(self.opts) + ("".join(" / " + s for s in self.secondary))
        if not self.is_flag:
            names += " INTEGER" if self.type is int else " [%s]" % "|".join(self.choices) if self.choices else " TEXT"
        text = self.help + ("  [default: %s]" % self.default if self.show_default else "")
        return "  %-28s %s" % (names, text) if text else "  " + names


class Argument(object):
    def __init__(self, name, required=True, default=None, nargs=1, since=None):
        self.name, self.required, self.default, self.nargs, self.since = name, required, default, nargs, since

    @property
    def usage(self):
        n = self.name.upper() + ("..." if self.nargs == -1 else "")
        return n if self.required else "[%s]" % n


def _active(params):
    return [p for p in params if not p.since or RELEASE >= _release(p.since)]


class Command(object):
    def __init__(self, name, callback, params=(), help="", config=False, allow_extra_args=False, since=None):
        self.name, self.callback, self.all_params, self.help = name, callback, list(params), help or ""
        self.config, self.allow_extra_args, self.since = config, allow_extra_args, since

    @property
    def params(self):
        return _active(self.all_params)

    def usage(self, prog):
        args = "".join(" " + p.usage for p in self.params if isinstance(p, Argument))
        return "Usage: %s [OPTIONS]%s" % (prog, args)

    def show_help(self, prog):
        lines = [self.usage(prog), ""]
        if self.help.strip():
            lines += ["  " + self.help.strip().splitlines()[0], ""]
        lines.append("Options:")
        lines += [p.help_line() for p in self.params if isinstance(p, Option)]
        lines.append("  %-28s %s" % ("--help", "Show this message and exit."))
        echo("\n".join(lines))

    def _lookup(self, opt):
        for p in self.params:
            if isinstance(p, Option) and (opt in p.opts or opt in p.secondary):
                return p, opt in p.secondary
        return None, False

    def parse(self, args, prog, interspersed=True):
        values, positional, extra = {}, [], []
        usage = self.usage(prog)
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                positional += args[i:]
                break
            if arg == "--help":
                self.show_help(prog)
                raise SystemExit(0)
            if arg.startswith("--") and len(arg) > 2:
                name, eq, inline = arg.partition("=")
                p, off = self._lookup(name)
                if p is None:
                    if self.allow_extra_args:
                        extra.append(arg)
                        continue
                    raise UsageError("no such option: %s" % name, usage)
                if p.is_flag:
                    if eq:
                        raise UsageError("%s option does not take a value" % name, usage)
                    self._store(values, p, not off)
                    continue
                if not eq:
                    if i >= len(args):
                        raise UsageError("%s option requires an argument" % name, usage)
                    inline, i = args[i], i + 1
                self._store(values, p, p.convert(inline, name))
            elif arg.startswith("-") and len(arg) > 1:
                for j, ch in enumerate(arg[1:], 1):
                    p, off = self._lookup("-" + ch)
                    if p is None:
                        if self.allow_extra_args:
                            extra.append(arg)
                            break
                        raise UsageError("no such option: -%s" % ch, usage)
                    if p.is_flag:
                        self._store(values, p, not off)
                        continue
                    value = arg[j + 1:]
                    if not value:
                        if i >= len(args):
                            raise UsageError("-%s option requires an argument" % ch, usage)
                        value, i = args[i], i + 1
                    self._store(values, p, p.convert(value, "-" + ch))
                    break
            else:
                positional.append(arg)
                if not interspersed:
                    positional += args[i:]
                    break
        for p in self.params:
            if isinstance(p, Option) and p.name not in values:
                values[p.name] = p.default
        return values, positional, extra, usage

    @staticmethod
    def _store(values, p, value):
        if p.multiple:
            values[p.name] = tuple(values.get(p.name, ())) + (value,)
        else:
            values[p.name] = value

    def bind_arguments(self, values, positional, extra, usage):
        for p in self.params:
            if not isinstance(p, Argument):
                continue
            if p.nargs == -1:
                values[p.name], positional = tuple(positional), []
            elif positional:
                values[p.name] = positional.pop(0)
            elif p.required:
                raise UsageError('Missing argument "%s".' % p.name, usage)
            else:
                values[p.name] = p.default
        if positional and not self.allow_extra_args:
            raise UsageError("Got unexpected extra argument%s (%s)"
                             % ("s" if len(positional) > 1 else "", " ".join(positional)), usage)
        return extra + positional

    def main(self, args, prog):
        values, positional, extra, usage = self.parse(args, prog)
        extra = self.bind_arguments(values, positional, extra, usage)
        return self.invoke(values, extra)

    def invoke(self, values, extra=()):
        if self.config:
            from sentry.runner import configure
            configure()
        if self.allow_extra_args:
            values["extra_args"] = list(extra)
        return self.callback(**values)

    def call(self, **kwargs):
        """In-process invocation like sentry.runner.call_command: defaults, then the given keywords."""
        values = {p.name: p.default for p in self.params}
        for k, v in kwargs.items():
            if k not in values:
                raise TypeError("%s() got an unexpected keyword argument '%s'" % (self.callback.__name__, k))
            values[k] = v
        return self.invoke(values)


class Group(Command):
    def __init__(self, name, help="", params=()):
        super(Group, self).__init__(name, None, params, help)
        self.commands = {}

    def add(self, cmd):
        if not cmd.since or RELEASE >= _release(cmd.since):
            self.commands[cmd.name] = cmd
        return cmd

    def usage(self, prog):
        return "Usage: %s [OPTIONS] COMMAND [ARGS]..." % prog

    def show_help(self, prog):
        super(Group, self).show_help(prog)
        echo("\nCommands:")
        for name in sorted(self.commands):
            echo("  %-12s %s" % (name, (self.commands[name].help.strip().splitlines() or [""])[0]))

    def main(self, args, prog):
        values, positional, _, usage = self.parse(args, prog, interspersed=False)
        if self.callback:
            self.callback(**values)
        if not positional:
            self.show_help(prog)
            return 0
        name, rest = positional[0], positional[1:]
        cmd = self.commands.get(name)
        if cmd is None:
            raise UsageError('No such command "%s".' % name, usage)
        return cmd.main(rest, prog + " " + name)


def _params(f):
    return list(reversed(f.__dict__.pop("__params__", [])))


def command(name=None, cls=Command, **kw):
    def deco(f):
        return cls(name or f.__name__.replace("_", "-"), f, _params(f), f.__doc__, **kw)
    return deco


def option(*decls, **kw):
    def deco(f):
        f.__dict__.setdefault("__params__", []).append(Option(*decls, **kw))
        return f
    return deco


def argument(name, **kw):
    def deco(f):
        f.__dict__.setdefault("__params__", []).append(Argument(name, **kw))
        return f
    return deco


def run(cmd, args, prog):
    """click's standalone mode: map exceptions to messages and exit codes."""
    try:
        rv = cmd.main(args, prog)
    except ClickException as e:
        e.show()
        return e.exit_code
    except (Abort, EOFError, KeyboardInterrupt):
        echo("Aborted!", err=True)
        return 1
    return rv if isinstance(rv, int) else 0
