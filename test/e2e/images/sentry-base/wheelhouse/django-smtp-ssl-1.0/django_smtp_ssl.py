"""Stand-in of django-smtp-ssl: the backend class exists, sending is not implemented."""
__version__ = "1.0"


class SSLEmailBackend(object):
    def __init__(self, *args, **kwargs):
        self.kwargs = kwargs

    def send_messages(self, messages):
        raise NotImplementedError("stand-in: no mail is sent")
