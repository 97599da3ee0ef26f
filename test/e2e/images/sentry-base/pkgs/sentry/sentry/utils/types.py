"""The value types of sentry.utils.types that settings files use (Bool, Int ...)."""


class Type(object):
    name = "any"
    expected = object

    def __call__(self, value=None):
        if value is None:
            return self.default()
        if self.test(value):
            return value
        if isinstance(value, str):
            return self.convert(value)
        raise TypeError("%r is not a valid %s" % (value, self.name))

    def test(self, value):
        return isinstance(value, self.expected)

    def default(self):
        return self.expected()

    def convert(self, value):
        raise TypeError("%r is not a valid %s" % (value, self.name))


class BoolType(Type):
    name, expected = "boolean", bool

    def convert(self, value):
        v = value.strip().lower()
        if v in ("y", "yes", "t", "true", "1", "on"):
            return True
        if v in ("n", "no", "f", "false", "0", "off", ""):
            return False
        raise TypeError("%r is not a valid boolean" % value)


class IntType(Type):
    name, expected = "integer", int

    def test(self, value):
        return isinstance(value, int) and not isinstance(value, bool)

    def convert(self, value):
        return int(value)


class FloatType(Type):
    name, expected = "float", float

    def convert(self, value):
        return float(value)


class StringType(Type):
    name, expected = "string", str

    def convert(self, value):
        return value


class DictType(Type):
    name, expected = "dictionary", dict


class SequenceType(Type):
    name, expected = "sequence", (list, tuple)

    def default(self):
        return []


Any, Bool, Int, Float, String, Dict, Sequence = Type(), BoolType(), IntType(), FloatType(), StringType(), DictType(), SequenceType()


def type_from_value(value):
    for t in (Bool, Int, Float, String, Dict, Sequence):
        if isinstance(value, t.expected):
            return t
    return Any
