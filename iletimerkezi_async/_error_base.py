"""The root of every error this package raises, and how all of them pickle.

Apart from :mod:`.errors` so that the API error family (``_api_errors``) and
the local errors can both derive from it without importing each other.
"""

from __future__ import annotations

__all__ = ["IletiMerkeziError"]


def _rebuild(
    cls: type[BaseException], args: tuple[object, ...], state: dict[str, object]
) -> BaseException:
    """Unpickle an error without calling its constructor (see ``IletiMerkeziError``)."""
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class IletiMerkeziError(Exception):
    """Base of every error this package raises.

    Every subclass pickles with all its attributes (multiprocessing,
    pytest-xdist, ``copy``): the default ``BaseException`` pickling calls
    ``cls(*args)``, which fails or loses state for constructors that take
    keyword-only arguments, so errors are rebuilt from their ``args`` and
    instance ``__dict__`` instead, whatever their constructor looks like.
    """

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


IletiMerkeziError.__module__ = "iletimerkezi_async.errors"
