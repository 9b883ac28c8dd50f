"""Errors a user can act on. The CLI and UI show these as one line; anything else is a bug."""


class QAError(Exception):
    """Something the user can fix; the message says how."""


class ConfigError(QAError):
    """Settings are invalid or inconsistent."""


class InputError(QAError):
    """A question, path or file the system cannot use as given."""


class StoreError(QAError):
    """The index or Chroma server cannot be reached or is in a bad state."""


class IndexBusyError(StoreError):
    """Another process is writing to the same index."""
