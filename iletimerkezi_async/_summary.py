"""get-reports' hot path: ``OrderSummary`` structured by hand, 1,000 to a page.

The one model whose wire structure function is not generated: see
:func:`order_summary` for the figure that keeps it so.  Registered on the
converter like every other, through ``ReportsAnswer`` in :mod:`._parse`.

Two paths that must agree on every input (``tests/test_summary.py`` checks
them against each other): :func:`order_summary` takes the shapes the API
sends (a plain dict holding all nine keys, ints or digit strings,
``YYYY-MM-DD HH:MM:SS``) inline, and hands anything else, value by value
or whole, to the general parsers of :mod:`._lenient` in the same order, so
errors and their messages are the general path's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from operator import itemgetter
from typing import Any, Final

import attrs

from . import _lenient as w
from .models import OrderStatus, OrderSummary

__all__ = ["order_summary"]


def _plain_attrs(cls: type[Any]) -> bool:
    """Whether attrs' ``__init__`` of ``cls`` only stores its arguments in slots."""
    return (
        "__slots__" in vars(cls)
        and set(cls.__slots__) <= {f.name for f in attrs.fields(cls)} | {"__weakref__"}
        and not (
            hasattr(cls, "__attrs_pre_init__")
            or hasattr(cls, "__attrs_post_init__")
            or any(
                f.validator or f.converter or not f.init or f.alias != f.name
                for f in attrs.fields(cls)
            )
        )
    )


_PLAIN: Final = _plain_attrs(OrderSummary)


def general_order_summary(o: Any) -> OrderSummary:
    """Any wire shape, each field through its general parser: the reference path."""
    if type(o) is not dict:
        o = w.as_object(o, "")
    get = o.get
    value = o["id"]
    id_ = str(value) if type(value) is int else w.identifier(value, "id")
    value = o["status"]
    status = w.ORDER_STATUS.get(value) if type(value) is int else None
    if status is None:
        status = w.enum_member(OrderStatus, w.ORDER_STATUS, value, "status")
    total = get("total")
    if type(total) is not int:
        total = w.opt_int(total, "total")
    delivered = get("delivered")
    if type(delivered) is not int:
        delivered = w.opt_int(delivered, "delivered")
    undelivered = get("undelivered")
    if type(undelivered) is not int:
        undelivered = w.opt_int(undelivered, "undelivered")
    waiting = get("waiting")
    if type(waiting) is not int:
        waiting = w.opt_int(waiting, "waiting")
    submit = get("submitAt")
    submitted_at = w.TIMESTAMP_CACHE.get(submit) if type(submit) is str else None
    if submitted_at is None:
        submitted_at = w.opt_timestamp(submit, "submitAt")
    send = get("sendAt")
    if send == submit:  # usually the same string: parse it once
        send_at = submitted_at
    else:
        send_at = w.TIMESTAMP_CACHE.get(send) if type(send) is str else None
        if send_at is None:
            send_at = w.opt_timestamp(send, "sendAt")
    sender = get("sender")
    if sender is not None and type(sender) is not str:
        sender = w.opt_text(sender, "sender")
    return OrderSummary(
        id=id_,
        status=status,
        total=total,
        delivered=delivered,
        undelivered=undelivered,
        waiting=waiting,
        submitted_at=submitted_at,
        send_at=send_at,
        sender=sender,
    )


class _Unfrozen(OrderSummary):
    """OrderSummary's own layout without the frozen ``__setattr__``: filled, then re-typed.

    A subclass adding no slots may swap ``__class__`` with its base (CPython
    checks the layouts are the same), and with the generic ``__setattr__``
    and ``__delattr__`` back, its attribute stores are the interpreter's
    specialised slot stores.  Nine of them and one ``__class__`` assignment
    cost a quarter of nine slot-descriptor calls, each of which builds an
    argument tuple.  Never seen outside :func:`_order_summary`: every object
    leaves it an ``OrderSummary``.
    """

    __slots__ = ()
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__


# The fast path's names, bound once (globals are the cheapest lookups left).
_fields: Final = itemgetter(
    "id", "status", "total", "delivered", "undelivered", "waiting", "submitAt", "sendAt", "sender"
)
_STATUS: Final = w.ORDER_STATUS
_fromisoformat: Final = datetime.fromisoformat
_EPOCH: Final = datetime(2000, 1, 1)
_AWARE_EPOCH: Final = w.AWARE_EPOCH
_opt_int: Final = w.opt_int
_small: Final = w.SMALL_COUNTS.get
_opt_timestamp: Final = w.opt_timestamp
_new: Final = object.__new__


_NOT_SMALL: Final = (None,)


def _counts(total: Any, delivered: Any, undelivered: Any, waiting: Any) -> tuple[int, ...]:
    """The four counters through ``opt_int``, in wire order, when the table has not them all."""
    return (
        _opt_int(total, "total"),
        _opt_int(delivered, "delivered"),
        _opt_int(undelivered, "undelivered"),
        _opt_int(waiting, "waiting"),
    )


def _send_at(send: Any) -> datetime | None:
    """``sendAt`` when it is not ``submitAt``'s string (a scheduled order)."""
    if type(send) is str and len(send) == 19 and send[4:17:3] in ("-- ::", "--T::"):
        try:
            naive = _fromisoformat(send)
        except ValueError:
            return _opt_timestamp(send, "sendAt")
        return _AWARE_EPOCH + (naive - _EPOCH)
    return _opt_timestamp(send, "sendAt")


def _order_summary(o: Any) -> OrderSummary:
    """Hand-written, not generated: the hot path, 1,000 per get-reports page.

    The API's own shapes are taken inline: one ``itemgetter`` call for the
    nine keys, type checks instead of parser calls, a re-typed
    :class:`_Unfrozen` instead of attrs' ``__init__``, and ``YYYY-MM-DD HH:MM:SS`` straight to
    ``fromisoformat`` once its separators are where they belong (the digits
    are then fromisoformat's to check; anything else goes to the general
    parser, which also owns every error message).  No timestamp cache here:
    on a page every order has its own second, so a cache only cost a hash,
    a store and a periodic clear per order.

    ``nox -s bench -- parse.generated`` weighs it against the generated
    function of :data:`SUMMARY_FIELDS`: see benchmarks/README.md for the
    figures.
    """
    if type(o) is not dict:
        return general_order_summary(o)
    try:
        id_, status, total, delivered, undelivered, waiting, submit, send, sender = _fields(o)
    except KeyError:  # a key left out: the general path defaults it or names it
        return general_order_summary(o)
    kind = type(id_)
    if kind is int:
        id_ = str(id_)
    elif kind is not str or not (id_ := id_.strip()):
        id_ = w.identifier(o["id"], "id")
    kind = type(status)
    member = _STATUS.get(status) if kind is int or kind is str else None
    if member is None:
        member = w.enum_member(OrderStatus, _STATUS, status, "status")
    if not type(total) is type(delivered) is type(undelivered) is type(waiting) is int:
        # The legacy shape: four digit strings below 1,000 (most orders') looked up inline.
        counts: tuple[Any, ...] = (
            (_small(total), _small(delivered), _small(undelivered), _small(waiting))
            if type(total) is type(delivered) is type(undelivered) is type(waiting) is str
            else _NOT_SMALL
        )
        if None in counts:
            counts = _counts(total, delivered, undelivered, waiting)
        total, delivered, undelivered, waiting = counts
    submitted_at: datetime | None
    if type(submit) is str and len(submit) == 19 and submit[4:17:3] in ("-- ::", "--T::"):
        try:
            naive = _fromisoformat(submit)
        except ValueError:
            submitted_at = _opt_timestamp(submit, "submitAt")
        else:
            submitted_at = _AWARE_EPOCH + (naive - _EPOCH)
    else:
        submitted_at = _opt_timestamp(submit, "submitAt")
    # Usually the same string: parse it once.
    send_at = submitted_at if send == submit else _send_at(send)
    if sender is not None and type(sender) is not str:
        sender = w.opt_text(sender, "sender")
    summary: Any = _new(_Unfrozen)
    summary.id = id_
    summary.status = member
    summary.total = total
    summary.delivered = delivered
    summary.undelivered = undelivered
    summary.waiting = waiting
    summary.submitted_at = submitted_at
    summary.send_at = send_at
    summary.sender = sender
    summary.__class__ = OrderSummary
    return summary  # type: ignore[no-any-return]


def _fast_path_builds_the_same() -> bool:
    """Whether :func:`_order_summary` builds the object attrs' ``__init__`` builds.

    Checked once at import; on an interpreter that refuses the ``__class__``
    assignment, or should the class ever gain a hook, the general path
    builds every summary instead.
    """
    if not _PLAIN:
        return False
    wire = {
        "id": 1,
        "status": 114,
        "total": 2,
        "delivered": 1,
        "undelivered": 1,
        "waiting": 0,
        "submitAt": "2026-01-05 08:00:00",
        "sendAt": "2026-01-05 09:30:00",
        "sender": "ACME",
    }
    try:
        fast = _order_summary(wire)
    except TypeError:  # "__class__ assignment: ... object layout differs"
        return False
    real = OrderSummary(**attrs.asdict(general_order_summary(wire), recurse=False))
    return (
        type(fast) is OrderSummary
        and fast == real
        and hash(fast) == hash(real)
        and attrs.astuple(fast, recurse=False) == attrs.astuple(real, recurse=False)
    )


_RETYPE: Final = _fast_path_builds_the_same()
order_summary: Final[Callable[[Any], OrderSummary]] = (
    _order_summary if _RETYPE else general_order_summary
)
"""get-reports' ``OrderSummary`` hook: the fast path where it builds what attrs builds."""
