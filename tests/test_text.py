"""Segment counting (B186-adjusted limits) and Turkish keyword folding."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iletimerkezi_async.errors import InvalidRequestError
from iletimerkezi_async.models import InboundMessage, Segments
from iletimerkezi_async.text import (
    MAX_PARTS,
    fold_words,
    max_characters,
    segments,
    turkish_casefold,
)

LIMITS = {"gsm7": (155, 153), "turkish": (150, 148), "ucs2": (65, 63)}
FILLER = {"gsm7": "a", "turkish": "ş", "ucs2": "Ж"}


def capacity(encoding: str, parts: int) -> int:
    first, further = LIMITS[encoding]
    return first + (parts - 1) * further


def test_empty_text() -> None:
    assert segments("") == Segments(encoding="gsm7", characters=0, parts=0, per_part=155)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 155, Segments(encoding="gsm7", characters=155, parts=1, per_part=155)),
        ("a" * 156, Segments(encoding="gsm7", characters=156, parts=2, per_part=153)),
        ("a" * 308, Segments(encoding="gsm7", characters=308, parts=2, per_part=153)),
        ("a" * 309, Segments(encoding="gsm7", characters=309, parts=3, per_part=153)),
        ("ş" * 150, Segments(encoding="turkish", characters=150, parts=1, per_part=150)),
        ("ş" * 151, Segments(encoding="turkish", characters=151, parts=2, per_part=148)),
        ("ş" + "a" * 149, Segments(encoding="turkish", characters=150, parts=1, per_part=150)),
        ("Ж" * 65, Segments(encoding="ucs2", characters=65, parts=1, per_part=65)),
        ("Ж" * 66, Segments(encoding="ucs2", characters=66, parts=2, per_part=63)),
    ],
)
def test_boundaries(text: str, expected: Segments) -> None:
    assert segments(text) == expected


@pytest.mark.parametrize("encoding", ["gsm7", "turkish", "ucs2"])
@pytest.mark.parametrize("parts", range(1, MAX_PARTS + 1))
def test_every_part_boundary(encoding: str, parts: int) -> None:
    full = FILLER[encoding] * capacity(encoding, parts)
    assert segments(full).parts == parts
    assert segments(full).encoding == encoding
    assert segments(full + FILLER[encoding]).parts == parts + 1


def test_further_parts_hold_153_each() -> None:
    for k in range(2, 9):
        assert segments("a" * (155 + 153 * (k - 1))).parts == k
        assert segments("a" * (155 + 153 * (k - 1) + 1)).parts == k + 1


@pytest.mark.parametrize(("encoding", "limit"), [("gsm7", 1073), ("turkish", 1038), ("ucs2", 443)])
def test_seven_part_maxima(encoding: str, limit: int) -> None:
    assert max_characters(encoding) == limit
    assert segments(FILLER[encoding] * limit).parts == MAX_PARTS
    assert segments(FILLER[encoding] * (limit + 1)).parts == MAX_PARTS + 1


def test_max_characters_refuses_unknown_encoding() -> None:
    with pytest.raises(InvalidRequestError):
        max_characters("latin1")


@pytest.mark.parametrize(
    ("text", "encoding", "characters"),
    [
        ("😀", "ucs2", 2),  # outside the BMP: a surrogate pair
        ("a😀", "ucs2", 3),
        ("€", "gsm7", 2),
        ("^{}\\[~]|€", "gsm7", 18),
        ("\f", "gsm7", 2),
        ("ş€", "turkish", 3),
        ("Ç", "turkish", 1),  # in GSM-7, but one of the reference's Turkish triggers
        ("ç", "turkish", 1),
        ("ğ", "turkish", 1),
        ("ı", "turkish", 1),
        ("İ", "turkish", 1),
        ("öüÖÜ", "gsm7", 4),  # GSM-7 basic letters
        ("é@£$¥ΔΩ¿¡§", "gsm7", 10),
        ("line\nbreak\r", "gsm7", 11),
        ("â", "ucs2", 1),
        ("Ş€", "turkish", 3),
        ("€😀", "ucs2", 3),  # in UCS-2 every character is one unit, extension or not
        ("\x1b", "ucs2", 1),  # a bare ESC is not a character of the alphabet
    ],
)
def test_encoding_and_counting(text: str, encoding: str, characters: int) -> None:
    result = segments(text)
    assert (result.encoding, result.characters) == (encoding, characters)


def test_extension_chars_push_into_a_second_part() -> None:
    assert segments("a" * 153 + "€").parts == 1  # 155
    assert segments("a" * 154 + "€").parts == 2  # 156
    assert segments("{" * 78).characters == 156


def test_emoji_counting_at_the_ucs2_boundary() -> None:
    assert segments("a" * 63 + "😀").parts == 1  # 65 units
    assert segments("a" * 64 + "😀").parts == 2  # 66 units
    assert segments("😀" * 33).characters == 66


@given(st.text())
def test_parts_match_capacity(text: str) -> None:
    result = segments(text)
    first, further = LIMITS[result.encoding]
    if not text:
        assert result.parts == 0
        return
    assert result.characters <= capacity(result.encoding, result.parts)
    if result.parts > 1:
        assert result.characters > capacity(result.encoding, result.parts - 1)
        assert result.per_part == further
    else:
        assert result.per_part == first


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("İPTAL", "iptal"),
        ("IPTAL", "iptal"),
        ("ıptal", "iptal"),
        ("iptal", "iptal"),
        ("ÇIKIŞ", "cikis"),
        ("çıkış", "cikis"),
        ("ÇİKİŞ", "cikis"),
        ("ĞÜÖ ğüö", "guo guo"),
        ("s\u0327", "s"),  # decomposed ş
        ("i\u0307", "i"),  # what "İ".lower() produces
        ("Straße", "strasse"),
        ("RET", "ret"),
    ],
)
def test_turkish_casefold(raw: str, folded: str) -> None:
    assert turkish_casefold(raw) == folded


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("ILT AHKTEST RET", ("ilt", "ahktest", "ret")),
        ("  ret ", ("ret",)),
        ("RET!", ("ret",)),
        ("a,b;c\td\ne", ("a", "b", "c", "d", "e")),
        ("İptal-et", ("iptal", "et")),
        ("snake_case", ("snake", "case")),
        ("", ()),
        ("  ...  __ ", ()),
    ],
)
def test_fold_words(raw: str, words: tuple[str, ...]) -> None:
    assert fold_words(raw) == words


TURKISH_ALPHABET = "abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ .,!?-"


@given(st.text(alphabet=TURKISH_ALPHABET))
def test_fold_words_is_stable(text: str) -> None:
    words = fold_words(text)
    assert fold_words(" ".join(words)) == words
    assert all(w.isascii() and w == w.lower() for w in words)


def inbound(text: str) -> InboundMessage:
    return InboundMessage(
        id="1",
        received_at=datetime(2026, 4, 9, tzinfo=UTC),
        sender="7889",
        number="+905354104818",
        text=text,
    )


@pytest.mark.parametrize(
    ("text", "keyword", "expected"),
    [
        ("ILT AHKTEST RET", "RET", True),
        ("  ret ", "RET", True),
        ("RET", "ret", True),
        ("RETURN", "RET", False),
        ("RET LUTFEN", "RET", False),
        ("İPTAL", "iptal", True),
        ("İPTAL", "IPTAL", True),
        ("iptal", "İPTAL", True),
        ("ıptal", "IPTAL", True),
        ("ILT ÇIKIŞ", "cikis", True),
        ("abc ILT RET", "ilt ret", True),
        ("ILT RET", "AHKTEST RET", False),
        ("RET", "", False),
        ("", "RET", False),
    ],
)
def test_inbound_matches(text: str, keyword: str, expected: bool) -> None:
    assert inbound(text).matches(keyword) is expected
