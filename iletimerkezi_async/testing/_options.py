"""Every option of the fake, declared once.

``FakeIletiMerkezi(**options)``, the pytest marker and the standalone runner
all build a :class:`FakeOptions`, so adding an option is one field here.  The
class is mutable on purpose: handlers read it on every request, so a test can
flip ``fake.options.api_access = False`` half-way through.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ._fake_clock import FakeClock
from ._rules import APITEST, any_number

__all__ = ["FakeOptions", "option_default"]


def _decimal(value: Decimal | int | str) -> Decimal:
    return Decimal(str(value))


def _numbers(values: Iterable[str]) -> frozenset[str]:
    normal: set[str] = set()
    for value in values:
        number = any_number(value)
        if number is None:
            raise ValueError(f"undeliverable: not a phone number: {value!r}")
        normal.add(number)
    return frozenset(normal)


def _positive_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not (isinstance(value, int | float) and value > 0):
        raise ValueError(f"{attribute.name}: rate and capacity must be positive")


def _error_status(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if not 400 <= value <= 599:
        raise ValueError(f"{attribute.name} must be a 4xx or 5xx code")


def _finite(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be a finite number of seconds, not {value!r}")


def _seconds(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number of seconds >= 0, not {value!r}")


def _probability(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} is a probability between 0 and 1")


@attrs.define(kw_only=True)
class FakeOptions:
    """How the fake account is configured and how the fake server misbehaves.

    ``host``, ``port``, ``clock``, ``senders``, ``balance``, ``sms_credits``
    and ``seed`` are read once, when the fake is built (the account then owns
    the live senders, balance and credits: ``fake.account.sms_credits``);
    every other option is read when it is needed, so changing it takes effect
    on the next request.
    """

    api_key: str = "test-key"
    api_hash: str = "test-hash"
    host: str = "127.0.0.1"
    port: int = 0
    clock: FakeClock = attrs.field(factory=FakeClock)
    legacy_types: bool = False
    """Answer with the older string-typed shapes."""
    api_access: bool = True
    """False makes every call 401 (API access switched off in the panel)."""
    ip_allowed: bool = True
    """False makes every call 401 (caller outside the IP allow-list)."""
    senders: tuple[str, ...] = attrs.field(default=(APITEST,), converter=tuple)
    balance: Decimal = attrs.field(default=Decimal("1000"), converter=_decimal)
    sms_credits: int = attrs.field(default=10_000, converter=int)
    rate_limit: float | None = attrs.field(default=100, validator=_positive_or_none)
    """Recipients per second for send-sms; None disables the bucket."""
    rate_limit_burst: float | None = attrs.field(default=None, validator=_positive_or_none)
    """Bucket capacity in recipients; None means equal to ``rate_limit``."""
    rate_limit_status: int = attrs.field(default=503, validator=_error_status)
    rate_limit_grace: float = attrs.field(default=0.05, validator=attrs.validators.ge(0))
    delivery_delay: float = attrs.field(default=1.0, converter=float)
    clock_skew: float = attrs.field(default=0.0, converter=float, validator=_finite)
    """Seconds the server's own wall clock runs ahead of ``clock`` (negative: behind)."""
    reports_delay: float = attrs.field(default=0.0, converter=float, validator=_seconds)
    """Seconds (server time) before a sent order shows in get-reports; get-report is at once."""
    undeliverable: frozenset[str] = attrs.field(default=frozenset(), converter=_numbers)
    """Numbers whose messages end 112."""
    drop_blacklisted: bool = False
    """True: send-sms leaves blacklisted recipients out of the order instead of ending them 112."""
    brand_code: int = attrs.field(default=696422, converter=int)
    iys_subscription: bool = True
    """False answers 403 on the consent endpoints."""
    iys_configured: bool = True
    """False answers 470 on commercial sends."""
    reports_page_size: int = attrs.field(default=30, validator=attrs.validators.ge(1))
    abroad: bool = False
    """True lets send-sms accept E.164 international numbers."""
    webhook_url: str | None = None
    webhook_concurrency: int = 100
    webhook_retries: int = 3
    webhook_retry_delay: float = 0.05
    webhook_timeout: float = 5.0
    webhook_interval: float = 0.05
    webhook_duplicates: float = attrs.field(default=0.0, validator=_probability)
    webhook_reorder: bool = False
    seed: int | None = None
    fault_rate: float = 0.0
    latency: float = 0.0
    """Seconds added before every answer."""

    @classmethod
    def from_keywords(cls, options: Mapping[str, Any]) -> FakeOptions:
        """Like the constructor, but a misspelt option names every known one."""
        known = attrs.fields_dict(cls)
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise TypeError(
                f"unknown option(s) of FakeIletiMerkezi: {', '.join(unknown)}; "
                f"known options: {', '.join(known)}"
            )
        return cls(**options)


def option_default(name: str) -> Any:
    """The default of one option, for command-line parsers that offer it as a flag."""
    default: Any = attrs.fields_dict(FakeOptions)[name].default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return default
