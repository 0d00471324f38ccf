"""The package's one cattrs converter, and the plain Python shape of every model.

Responses are structured on this converter by :mod:`._parse` (wire answers);
its type-level hooks, registered here once, are the models' Python shape:
:func:`to_dict` gives a JSON-ready dict (ISO-8601 timestamps with their
offset, ``Decimal`` as a string, enums by value, tuples as lists) and
:func:`from_dict` is its exact inverse.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
import cattrs

from . import _lenient as w
from .clock import ISTANBUL

__all__ = ["converter", "from_dict", "to_dict"]

T = TypeVar("T")

converter: Final = cattrs.Converter(detailed_validation=False)
"""The one converter: answers from the wire (:mod:`._parse`), models to and from dicts."""

# The models as plain JSON-ready dicts: ISO-8601 timestamps with their offset,
# Decimal as a string (exact), enums by value, tuples as lists (cattrs' default).
converter.register_unstructure_hook(datetime, datetime.isoformat)
converter.register_unstructure_hook(Decimal, str)
# By value, also for StrEnum/IntEnum, which cattrs would otherwise pass through as str/int.
for _base in (enum.Enum, enum.IntEnum, enum.StrEnum):
    converter.register_unstructure_hook(_base, lambda member: member.value)


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


converter.register_structure_hook(str, _py_str)
converter.register_structure_hook(int, _py_int)
converter.register_structure_hook(Decimal, _py_decimal)
converter.register_structure_hook(datetime, _py_datetime)
# cattrs dispatches on the MRO first, so the enum bases must be registered
# explicitly or the str/int hooks above would claim StrEnum/IntEnum fields.
for _base in (enum.Enum, enum.IntEnum, enum.StrEnum):
    converter.register_structure_hook(_base, _py_enum)
del _base


def to_dict(obj: Any) -> dict[str, Any]:
    """A JSON-ready dict of any public model (``json.dumps`` takes it as is)."""
    if not attrs.has(type(obj)):
        raise TypeError(f"to_dict takes an iletimerkezi_async model, not {type(obj).__name__}")
    data: dict[str, Any] = converter.unstructure(obj)
    return data


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """The exact inverse of :func:`to_dict`: ``from_dict(type(m), to_dict(m)) == m``.

    A value of the wrong kind raises ``ValueError`` naming the problem (never the value).
    """
    try:
        return converter.structure(data, cls)
    except w.Bad:
        raise
    except cattrs.errors.StructureHandlerNotFoundError:
        name = getattr(cls, "__name__", str(cls))
        raise TypeError(
            f"from_dict({name}): give the item type of the generic {name}[T], "
            f"e.g. {name}[OrderSummary]"
        ) from None
    except (KeyError, TypeError, AttributeError) as exc:
        what = w.missing(exc) if isinstance(exc, KeyError) else type(exc).__name__
        raise ValueError(f"{getattr(cls, '__name__', cls)}: {what}") from None
