class ObjectDoesNotExist(Exception):
    pass


class MultipleObjectsReturned(Exception):
    pass


class ImproperlyConfigured(Exception):
    pass


class ValidationError(Exception):
    def __init__(self, messages):
        self.messages = list(messages) if isinstance(messages, (list, tuple)) else [messages]
        super(ValidationError, self).__init__(self.messages)
