VERSION = tuple(int(p) for p in "@VERSION@".split(".")) + ("final", 0)


def get_version():
    return "@VERSION@"
