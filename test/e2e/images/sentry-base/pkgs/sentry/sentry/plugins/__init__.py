class Plugin(object):
    title = slug = version = None


Plugin2 = Plugin
