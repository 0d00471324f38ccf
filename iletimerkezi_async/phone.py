"""Phone-number normalisation and masking.

The API accepts Turkish mobiles in three spellings and answers with ``+90…``,
so everything the SDK compares or stores is normalised to ``+905xxxxxxxxx``
(or E.164 for abroad-mode numbers).  Landlines and service numbers are refused
up front because the API can only send SMS to mobiles (466/452 otherwise).
"""

from __future__ import annotations

import re

from .errors import InvalidRequestError

__all__ = ["is_valid_number", "mask_number", "normalize_lenient", "normalize_number"]

_ACCEPTED = (
    "expected a Turkish mobile (5xxxxxxxxx, 05xxxxxxxxx, 905xxxxxxxxx or +905xxxxxxxxx) "
    "or an international number in E.164 form (+ then 8-15 digits, not starting with 0)"
)
_ONLY_MOBILES = (
    "only Turkish mobile numbers are accepted (+905xxxxxxxxx); landlines and service "
    "numbers cannot receive SMS"
)
_TR_LENGTH = "a Turkish mobile has 10 digits after +90 (+905xxxxxxxxx)"
_CHARACTERS = (
    "may contain only digits, one leading +, spaces, dashes, dots and parentheses; " + _ACCEPTED
)

_CANONICAL_TR = re.compile(r"\+905[0-9]{9}")
_SEPARATORS = re.compile(r"[\s\-.()]+")
_DIGITS = re.compile(r"[0-9]+")
# Any Unicode digit, so a number typed in other scripts is masked too.
_ANY_DIGIT = re.compile(r"\d")
# Above this an int cannot be a phone number, and str() of a huge int may raise.
_MAX_INT = 10**15


def normalize_number(s: str | int, *, field: str = "number") -> str:
    """Return ``+905xxxxxxxxx`` for a Turkish mobile, or E.164 for a ``+`` number.

    Ints are accepted because older responses send numbers as ``5301234567``.
    Raises :class:`InvalidRequestError` naming ``field`` and the accepted forms;
    the value itself never appears in the message (it is personal data).
    """
    if isinstance(s, str) and _CANONICAL_TR.fullmatch(s):
        return s
    cleaned = _SEPARATORS.sub("", _as_text(s, field))
    if not cleaned:
        raise InvalidRequestError(field, "must not be empty; " + _ACCEPTED)
    plus = cleaned.startswith("+")
    digits = cleaned[1:] if plus else cleaned
    if not _DIGITS.fullmatch(digits):
        raise InvalidRequestError(field, _CHARACTERS)
    return _with_plus(digits, field) if plus else _without_plus(digits, field)


def _as_text(s: object, field: str) -> str:
    """``s`` as the text to clean up: a string as is, a non-negative int in decimal."""
    if isinstance(s, bool):
        raise InvalidRequestError(field, "must be a phone number, not a boolean; " + _ACCEPTED)
    if isinstance(s, int):
        if s < 0 or s >= _MAX_INT:
            raise InvalidRequestError(field, _ACCEPTED)
        return str(s)
    if isinstance(s, str):
        return s
    raise InvalidRequestError(field, "must be a string or an integer; " + _ACCEPTED)


def _with_plus(digits: str, field: str) -> str:
    """The digits after a leading ``+``: Turkish when they start with 90, else E.164."""
    if digits.startswith("90"):
        if digits[2:3] == "0":
            raise InvalidRequestError(field, "drop the leading 0 after +90; " + _ACCEPTED)
        return "+90" + _turkish_national(digits[2:], field)
    if 8 <= len(digits) <= 15 and digits[0] != "0":
        return "+" + digits
    raise InvalidRequestError(field, _ACCEPTED)


def _without_plus(digits: str, field: str) -> str:
    """Digits without ``+``: only the Turkish spellings 5…, 05… and 905… are accepted."""
    length = len(digits)
    if length == 10 and digits[0] == "5":
        return "+90" + digits
    if length == 11 and digits[0] == "0":
        return "+90" + _turkish_national(digits[1:], field)
    if length == 12 and digits.startswith("90"):
        return "+90" + _turkish_national(digits[2:], field)
    if length == 10 and digits[0] in "234":
        # A Turkish area code (212 Istanbul, 312 Ankara…) without its leading 0.
        raise InvalidRequestError(field, _ONLY_MOBILES)
    raise InvalidRequestError(field, _ACCEPTED)


def _turkish_national(national: str, field: str) -> str:
    if national and national[0] != "5":
        raise InvalidRequestError(field, _ONLY_MOBILES)
    if len(national) != 10:
        raise InvalidRequestError(field, _TR_LENGTH)
    return national


def is_valid_number(s: object) -> bool:
    """True when :func:`normalize_number` would accept ``s``."""
    if not isinstance(s, str | int):
        return False
    try:
        normalize_number(s)
    except InvalidRequestError:
        return False
    return True


def normalize_lenient(x: object) -> str:
    """Normalise when possible, else return ``str(x).strip()``; never raises.

    For server responses: inbox senders are short codes (``7889``) or
    alphanumeric IDs, and a response must not fail because of them.
    """
    if isinstance(x, str | int) and not isinstance(x, bool):
        try:
            return normalize_number(x)
        except InvalidRequestError:
            pass
    try:
        return str(x).strip()
    except Exception:
        # str() of a huge int or of an object with a broken __str__.
        return ""


def mask_number(s: str) -> str:
    """Hide a phone number for logs and reprs (KVKK); never raises.

    A valid mobile keeps ``+90``, the operator prefix and the last two digits
    (``+90505*****67``); other E.164 numbers keep ``+`` and two leading digits.
    Carrier short codes (up to 6 digits) and alphanumeric sender IDs are not
    personal data and stay readable, but any run of seven or more digits is
    starred except for its last two, so no mobile can leak through them.
    E-mail addresses (İYS recipients) keep only the first character of the
    local part.
    """
    try:
        text = (s if isinstance(s, str) else str(s)).strip()
    except Exception:
        return "***"
    if not text:
        return ""
    try:
        number = normalize_number(text)
    except InvalidRequestError:
        return _mask_other(text)
    head = 6 if number.startswith("+90") else 3
    return number[:head] + "*" * (len(number) - head - 2) + number[-2:]


def _mask_other(text: str) -> str:
    if "@" in text:
        local, _, domain = text.rpartition("@")
        masked = (local[:1] + "***" if local else "") + "@" + _mask_digits(domain)
    else:
        masked = _mask_digits(text)
    return masked if len(masked) <= 40 else masked[:40] + "…"


def _mask_digits(text: str) -> str:
    positions = [m.start() for m in _ANY_DIGIT.finditer(text)]
    if len(positions) <= 6:
        return text
    chars = list(text)
    for i in positions[:-2]:
        chars[i] = "*"
    return "".join(chars)
