"""Load $SENTRY_CONF/sentry.conf.py and config.yml the way Sentry does, into django.conf.settings."""
import copy
import importlib
import os
import types

import yaml

from sentry.runner import py2
from sentry.runner.cli import ClickException, echo

CONFIG_PATH = None  # set by `sentry --config PATH`


class ConfigurationError(ClickException, ValueError):
    def show(self):
        echo("!! Configuration error: %s" % self.message, err=True)


def discover():
    path = os.path.expanduser(CONFIG_PATH or os.environ.get("SENTRY_CONF") or "~/.sentry")
    if path.endswith(".py"):
        return path, os.path.join(os.path.dirname(path), "config.yml")
    if path.endswith((".yml", ".yaml")):
        return os.path.join(os.path.dirname(path), "sentry.conf.py"), path
    return os.path.join(path, "sentry.conf.py"), os.path.join(path, "config.yml")


def _defaults():
    from sentry.conf import server
    ns = {}
    for k, v in vars(server).items():
        if not k.startswith("_"):
            ns[k] = v if isinstance(v, types.ModuleType) or callable(v) else copy.deepcopy(v)
    return ns


def _exec_settings(path):
    try:
        with open(path, "rb") as fp:
            data = fp.read()
        py2.check_source_bytes(data, path)
        ns = py2.namespace(__file__=path, __name__="sentry_config", **_defaults())
        py2.run(data.decode("utf-8", "replace"), path, ns)
        return ns
    except Exception as e:
        raise ConfigurationError("%s: %s" % py2_error(e))


def py2_error(e):
    """(name, message) as Python 2 words them, for the errors that differ."""
    if isinstance(e, OSError):
        return "IOError", str(e)
    if isinstance(e, ImportError):
        return "ImportError", "No module named %s" % e.name if e.name else str(e)
    return type(e).__name__, str(e)


def _read_yaml(path):
    try:
        with open(path, "rb") as fp:
            options = yaml.safe_load(fp)
    except OSError:
        return {}  # like Sentry: a missing (or unreadable) config.yml is no error by itself
    except yaml.YAMLError as e:
        raise ConfigurationError("Malformed config.yml file: %s" % e)
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise ConfigurationError("Malformed config.yml file")
    return options


def load():
    """Return the settings dict; raises like Sentry on a broken configuration."""
    py, yml = discover()
    if not os.path.exists(py):
        raise ClickException("Configuration file does not exist. Use 'sentry init' to initialize the file.")
    ns = _exec_settings(py)
    values = {k: v for k, v in ns.items() if k.isupper()}
    options = values["SENTRY_OPTIONS"]
    if values.get("SECRET_KEY") and "system.secret-key" not in options:
        options["system.secret-key"] = values["SECRET_KEY"]
    options.update(_read_yaml(yml))
    key = options.get("system.secret-key")
    if not key or key == "!!changeme!!":
        raise ConfigurationError("`system.secret-key` MUST be set. Use 'sentry config generate-secret-key' to get one.")
    values["SECRET_KEY"] = key
    values["SENTRY_CONF_PY"], values["SENTRY_CONF_YML"] = py, yml
    defaults = _defaults()["INSTALLED_APPS"]
    for app in values.get("INSTALLED_APPS", ()):
        if app not in defaults:
            try:  # Django imports every app at start-up
                importlib.import_module(app)
            except ImportError as e:
                raise ImportError(py2_error(e)[1]) from None
    backend = values.get("SENTRY_NODESTORE") or ""
    if backend and not backend.startswith("sentry."):
        # Sentry builds the nodestore service from this dotted path at start-up; a missing package is fatal.
        module, _, cls = backend.rpartition(".")
        try:
            getattr(importlib.import_module(module), cls)
        except (ImportError, AttributeError) as e:
            raise ImportError("SENTRY_NODESTORE = %r cannot be imported: %s" % (backend, e)) from None
    return values
