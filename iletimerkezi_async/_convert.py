"""The package's one cattrs converter, and the plain Python shape of every model.

Responses are structured on this converter by :mod:`._parse` (wire answers);
its type-level hooks, registered here once, are the models' Python shape:
:func:`to_dict` gives a JSON-ready dict (ISO-8601 timestamps with their
offset, ``Decimal`` as a string, enums by value, tuples as lists) and
:func:`from_dict` is its exact inverse.

The converter is built on first use, not at import: importing cattrs and
registering the hooks is about a third of the SDK's import time, which a
program that never parses an answer (a CLI's ``--help``, a worker that only
imports the errors) should not pay.  ``converter`` is still one object for
the life of the process: the module attribute (PEP 562), :func:`get_converter`
and every parse return the same converter, built once under a lock.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from . import _lenient as w
from .clock import ISTANBUL

if TYPE_CHECKING:
    import cattrs

    converter: cattrs.Converter
    """The one converter: answers from the wire (:mod:`._parse`), models to and from dicts."""

__all__ = ["converter", "from_dict", "get_converter", "to_dict"]

T = TypeVar("T")

_lock = threading.RLock()
_converter: cattrs.Converter | None = None


def get_converter() -> cattrs.Converter:
    """The one converter, built (cattrs imported, every hook registered) on the first call."""
    conv = _converter
    if conv is None:
        conv = _build()
    return conv


def __getattr__(name: str) -> Any:
    """``_convert.converter`` (and ``from ._convert import converter``) builds it on demand."""
    if name == "converter":
        return get_converter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _build() -> cattrs.Converter:
    global _converter
    with _lock:
        if _converter is None:
            conv = _python_shape()
            from . import _parse

            _parse.register(conv)
            # Published only once complete: another thread sees all hooks or builds none.
            _converter = conv
            globals()["converter"] = conv
        return _converter


def _python_shape() -> cattrs.Converter:
    """A new converter with the models' plain Python shape, both ways."""
    import cattrs

    conv = cattrs.Converter(detailed_validation=False)
    # The models as plain JSON-ready dicts: ISO-8601 timestamps with their offset,
    # Decimal as a string (exact), enums by value, tuples as lists (cattrs' default).
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook(Decimal, str)
    # By value, also for StrEnum/IntEnum, which cattrs would otherwise pass through as str/int.
    for base in (enum.Enum, enum.IntEnum, enum.StrEnum):
        conv.register_unstructure_hook(base, _by_value)
    conv.register_structure_hook(str, _py_str)
    conv.register_structure_hook(int, _py_int)
    conv.register_structure_hook(Decimal, _py_decimal)
    conv.register_structure_hook(datetime, _py_datetime)
    # cattrs dispatches on the MRO first, so the enum bases must be registered
    # explicitly or the str/int hooks above would claim StrEnum/IntEnum fields.
    for base in (enum.Enum, enum.IntEnum, enum.StrEnum):
        conv.register_structure_hook(base, _py_enum)
    return conv


def _by_value(member: enum.Enum) -> Any:
    return member.value


def _py_str(value: Any, _type: Any) -> str:
    if type(value) is str:
        return value
    raise w.Bad("", f"expected a string, got {w.kind_of(value)}")


def _py_int(value: Any, _type: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise w.Bad("", f"expected an integer, got {w.kind_of(value)}")


def _py_decimal(value: Any, _type: Any) -> Decimal:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return w.decimal(value, "")
    raise w.Bad("", f"expected a decimal string, got {w.kind_of(value)}")


def _py_datetime(value: Any, _type: Any) -> datetime:
    """ISO-8601 with an offset, shown in Istanbul time like every model timestamp."""
    if type(value) is str:
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise w.Bad("", "expected an ISO-8601 timestamp") from None
        if when.tzinfo is not None:
            return when.astimezone(ISTANBUL)
        raise w.Bad("", "expected an ISO-8601 timestamp with an offset")
    raise w.Bad("", f"expected an ISO-8601 timestamp, got {w.kind_of(value)}")


def _py_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    """By value, leniently: unknown values become the enum's ``UNKNOWN``."""
    table = w.TABLES.get(cls)
    if table is None:
        table = w.TABLES.setdefault(cls, w.value_table(cls))
    member: enum.Enum = w.enum_member(cls, table, value, "")
    return member


def to_dict(obj: Any) -> dict[str, Any]:
    """A JSON-ready dict of any public model (``json.dumps`` takes it as is)."""
    if not attrs.has(type(obj)):
        raise TypeError(f"to_dict takes an iletimerkezi_async model, not {type(obj).__name__}")
    data: dict[str, Any] = get_converter().unstructure(obj)
    return data


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """The exact inverse of :func:`to_dict`: ``from_dict(type(m), to_dict(m)) == m``.

    A value of the wrong kind raises ``ValueError`` naming the problem (never the value).
    """
    conv = get_converter()
    from cattrs.errors import StructureHandlerNotFoundError

    try:
        return conv.structure(data, cls)
    except w.Bad:
        raise
    except StructureHandlerNotFoundError:
        name = getattr(cls, "__name__", str(cls))
        raise TypeError(
            f"from_dict({name}): give the item type of the generic {name}[T], "
            f"e.g. {name}[OrderSummary]"
        ) from None
    except (KeyError, TypeError, AttributeError) as exc:
        what = w.missing(exc) if isinstance(exc, KeyError) else type(exc).__name__
        raise ValueError(f"{getattr(cls, '__name__', cls)}: {what}") from None
