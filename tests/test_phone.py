"""Phone normalisation, validation and KVKK masking."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iletimerkezi_async.errors import InvalidRequestError
from iletimerkezi_async.phone import (
    is_valid_number,
    mask_number,
    normalize_lenient,
    normalize_number,
)

ACCEPTED = [
    ("5051234567", "+905051234567"),
    ("05051234567", "+905051234567"),
    ("905051234567", "+905051234567"),
    ("+905051234567", "+905051234567"),
    ("+90 505 123 45 67", "+905051234567"),
    ("+90 (505) 123-45-67", "+905051234567"),
    ("0 (505) 123 45 67", "+905051234567"),
    ("505.123.45.67", "+905051234567"),
    ("0505-123-4567", "+905051234567"),
    ("  5051234567\n", "+905051234567"),
    ("\t+90-532-000-00-99 ", "+905320000099"),
    ("5421234567", "+905421234567"),
    (5301234567, "+905301234567"),
    (905301234567, "+905301234567"),
    ("+4917257448331", "+4917257448331"),
    ("+1 (202) 555-0143", "+12025550143"),
    ("+44 20 7946 0958", "+442079460958"),
    ("+12345678", "+12345678"),
    ("+123456789012345", "+123456789012345"),
]

REFUSED = [
    "",
    "   ",
    "abc",
    "505123456",  # 9 digits
    "50512345678",  # 11 digits starting with 5
    "0505123456",  # 0 + 9 digits
    "+90505123456",  # too short after +90
    "+9050512345678",  # too long after +90
    "+0123456789",  # E.164 cannot start with 0
    "+1234567",  # 7 digits
    "+1234567890123456",  # 16 digits
    "5051234567x",
    "+90 505 123 45 67 ext",
    "00905051234567",  # 00 prefix is not one of the accepted forms
    "4917257448331",  # international without +
    "٥٠٥١٢٣٤٥٦٧",  # Arabic-Indic digits
    "+90 505 123 45 67 89",
    "++905051234567",
    "5051234567+",
    "+",
    "+90",
    "+90 0505 123 45 67",  # trunk 0 after the country code
    "5/05/1234567",
    -5051234567,
    10**40,
]

LANDLINES = ["02121234567", "+902121234567", "902121234567", "2121234567", "+90 312 123 45 67"]


@pytest.mark.parametrize(("raw", "expected"), ACCEPTED)
def test_accepted(raw: str | int, expected: str) -> None:
    assert normalize_number(raw) == expected
    assert is_valid_number(raw)
    assert normalize_number(expected) == expected  # idempotent


@pytest.mark.parametrize("raw", REFUSED)
def test_refused(raw: str | int) -> None:
    with pytest.raises(InvalidRequestError) as info:
        normalize_number(raw)
    assert info.value.field == "number"
    assert "+905xxxxxxxxx" in info.value.rule or "mobile" in info.value.rule
    assert not is_valid_number(raw)


@pytest.mark.parametrize("raw", [True, False, None, 5.051234567e9, [], {}, b"5051234567"])
def test_refused_types(raw: object) -> None:
    with pytest.raises(InvalidRequestError):
        normalize_number(raw)  # type: ignore[arg-type]
    assert not is_valid_number(raw)


@pytest.mark.parametrize("raw", LANDLINES)
def test_landlines_are_refused_as_not_mobile(raw: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        normalize_number(raw)
    assert "mobile" in info.value.rule
    assert "landline" in info.value.rule


def test_field_name_is_passed_through() -> None:
    with pytest.raises(InvalidRequestError) as info:
        normalize_number("12", field="to[3]")
    assert info.value.field == "to[3]"
    assert str(info.value).startswith("to[3]: ")


def test_error_never_echoes_the_number() -> None:
    with pytest.raises(InvalidRequestError) as info:
        normalize_number("+90 5051234567 9")
    assert "5051234567" not in str(info.value)


def test_is_an_invalid_request_value_error() -> None:
    with pytest.raises(ValueError, match="number"):
        normalize_number("nope")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7889", "7889"),
        (" ACME ", "ACME"),
        ("eMarka Test", "eMarka Test"),
        (5301234567, "+905301234567"),
        ("0505 123 45 67", "+905051234567"),
        ("ali@example.com", "ali@example.com"),
        (None, "None"),
        (True, "True"),
        pytest.param(10**5000, "", id="int-too-long-for-str"),
    ],
)
def test_normalize_lenient(raw: object, expected: str) -> None:
    assert normalize_lenient(raw) == expected


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()))
def test_normalize_lenient_never_raises(raw: object) -> None:
    assert isinstance(normalize_lenient(raw), str)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+905051234567", "+90505*****67"),
        ("05051234567", "+90505*****67"),
        ("+90 (505) 123-45-67", "+90505*****67"),
        ("+4917257448331", "+49*********31"),
        ("7889", "7889"),
        ("ACME", "ACME"),
        ("", ""),
        ("ali@example.com", "a***@example.com"),
        ("tel 0505 123 45 67 x", "tel **** *** ** 67 x"),
        ("50512", "50512"),
        ("5051234", "*****34"),
    ],
)
def test_mask_number(raw: str, expected: str) -> None:
    assert mask_number(raw) == expected


@pytest.mark.parametrize(
    "raw", [5051234567, None, 1.5, pytest.param(10**5000, id="int-too-long-for-str"), b"x"]
)
def test_mask_number_never_raises_on_other_types(raw: object) -> None:
    masked = mask_number(raw)  # type: ignore[arg-type]
    assert isinstance(masked, str)
    assert "1234" not in masked


mobiles = st.from_regex(r"5[0-9]{9}", fullmatch=True)
spellings = st.sampled_from(
    ["{n}", "0{n}", "90{n}", "+90{n}", "+90 ({a}) {b}-{c}", "0{a} {b} {c}", "{a}.{b}.{c}"]
)


@given(mobiles, spellings)
def test_mask_reveals_only_operator_and_last_two(national: str, spelling: str) -> None:
    raw = spelling.format(n=national, a=national[:3], b=national[3:6], c=national[6:])
    masked = mask_number(raw)
    assert masked == f"+90{national[:3]}*****{national[-2:]}"


@given(st.text(max_size=12), mobiles, st.text(max_size=12))
def test_mask_never_reveals_a_mobile_inside_text(prefix: str, national: str, suffix: str) -> None:
    masked = mask_number(prefix + national + suffix)
    # At most "90" + operator prefix + last two digits survive.
    assert len(re.findall(r"\d", masked)) <= 7
    assert national[3:8] not in masked.replace("*", "")


@given(st.text())
def test_mask_never_raises(raw: str) -> None:
    assert isinstance(mask_number(raw), str)
