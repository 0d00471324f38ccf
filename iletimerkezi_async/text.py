"""SMS length estimation and Turkish-aware folding of inbound text.

The limits already subtract the ``B186`` operator code that iletiMerkezi
appends to every SMS (BTK ruling 2016/DK-YED/211), so they are 155/153,
150/148 and 65/63 rather than the textbook 160/153, 70/67.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

import attrs

from .errors import InvalidRequestError

__all__ = [
    "MAX_PARTS",
    "Encoding",
    "Segments",
    "fold_words",
    "has_visible",
    "max_characters",
    "segments",
    "turkish_casefold",
]

Encoding = Literal["gsm7", "turkish", "ucs2"]

MAX_PARTS: Final = 7
"""More parts than this is refused by the API with 453."""


@attrs.frozen(kw_only=True)
class Segments:
    """How a text splits into SMS parts (the B186 suffix already accounted for).

    Also importable from :mod:`iletimerkezi_async.models` and the top level.
    """

    encoding: str
    characters: int
    parts: int
    per_part: int


# (first part, each further part), B186 suffix already accounted for.
_LIMITS: Final[dict[str, tuple[int, int]]] = {
    "gsm7": (155, 153),
    "turkish": (150, 148),
    "ucs2": (65, 63),
}

# 3GPP TS 23.038 default alphabet, without ESC (0x1B), which only introduces
# the extension table and is never a character of its own.
_GSM7_BASIC: Final = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs ESC + the character, i.e. two septets.
_GSM7_EXTENSION: Final = "^{}\\[~]|€\f"
# Letters that switch the account's "Universal Language Support" to Turkish mode.
_TURKISH: Final = "çğıİşÇĞŞ"


def _char_class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


_NOT_GSM_OR_TURKISH = re.compile(
    "[^" + "".join(re.escape(c) for c in _GSM7_BASIC + _GSM7_EXTENSION + _TURKISH) + "]"
)
_EXTENSION_RE = re.compile(_char_class(_GSM7_EXTENSION))
_TURKISH_RE = re.compile(_char_class(_TURKISH))


# Categories that draw nothing on their own: controls, format characters
# (zero-width spaces, direction marks, the BOM), surrogates, separators and
# combining marks.  Unassigned (Cn) and private-use (Co) characters are not
# here: a newer emoji than this Python's Unicode tables must still count.
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that are blank by design (Hangul fillers, the blank
# Braille pattern), a known way to make a text look non-empty.
_BLANK_CHARACTERS: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible(text: str) -> bool:
    """Whether ``text`` holds at least one character that shows on a phone's screen."""
    return any(
        unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_CHARACTERS
        for ch in text
    )


def _check_text(text: object, field: str) -> str:
    if not isinstance(text, str):
        raise InvalidRequestError(field, "must be a string")
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError:
        raise InvalidRequestError(
            field,
            "must not contain lone surrogates (it is not valid Unicode; check how it was decoded)",
        ) from None
    return text


def segments(text: str) -> Segments:
    """How many SMS parts ``text`` costs and in which encoding.

    An estimate of the account's "Universal Language Support" mode: the
    exact character sets are undocumented, so this follows the reference's
    rule (UCS-2 for anything outside GSM-7 plus ``çğıİşÇĞŞ``, Turkish when one
    of those letters occurs).  ``per_part`` is the first-part limit for a
    single (or empty) part, else the limit of each further part.  A
    non-string or a text with a lone surrogate (which no SMS can carry) is
    an :class:`InvalidRequestError`.
    """
    _check_text(text, "text")
    encoding: Encoding
    if _NOT_GSM_OR_TURKISH.search(text):
        encoding = "ucs2"
        characters = len(text.encode("utf-16-le")) // 2
    else:
        encoding = "turkish" if _TURKISH_RE.search(text) else "gsm7"
        characters = len(text) + len(_EXTENSION_RE.findall(text))
    first, further = _LIMITS[encoding]
    if characters == 0:
        parts = 0
    elif characters <= first:
        parts = 1
    else:
        # Capacity of n parts is first + (n - 1) * further.
        parts = 1 + -(-(characters - first) // further)
    return Segments(
        encoding=encoding,
        characters=characters,
        parts=parts,
        per_part=first if parts <= 1 else further,
    )


def max_characters(encoding: str) -> int:
    """The longest text the API accepts in ``encoding`` (7 parts: 1073/1038/443)."""
    try:
        first, further = _LIMITS[encoding]
    except KeyError:
        raise InvalidRequestError("encoding", "must be 'gsm7', 'turkish' or 'ucs2'") from None
    return first + (MAX_PARTS - 1) * further


# Dotless ı has no decomposition, so it needs an explicit mapping; everything
# else (İ, ş, ğ, ç, ö, ü…) loses its mark in the NFKD step below.
_DOTLESS = str.maketrans({"ı": "i", "I": "i"})
_WORD_SPLIT = re.compile(r"[\W_]+")


def turkish_casefold(s: str) -> str:
    """Fold ``s`` for forgiving keyword comparison.

    ``İ I ı i`` all become ``i`` and ``ş ğ ç ö ü`` lose their marks, because
    replies are typed on phones without a Turkish keyboard and the panel's
    default GSM-7 encoding transliterates (``ş → s``), so ``ÇIKIŞ``, ``cikis``
    and ``ÇİKİŞ`` must compare equal.  Any combining mark is dropped (this
    also removes the U+0307 dot that ``"İ".lower()`` leaves behind), then
    ``str.casefold`` finishes the job.
    """
    if s.isascii():
        return s.casefold()
    decomposed = unicodedata.normalize("NFKD", s.translate(_DOTLESS))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def fold_words(s: str) -> tuple[str, ...]:
    """Words of :func:`turkish_casefold` (``s``), split on whitespace and punctuation."""
    return tuple(w for w in _WORD_SPLIT.split(turkish_casefold(s)) if w)
