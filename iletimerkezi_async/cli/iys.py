"""``iys register FILE.csv`` and ``iys check``: the national consent registry (İYS).

The CSV is parsed here, but every value is checked by the SDK's own
validation before the first request (a bad row never leaves the registry
half-written); its errors are reported with the CSV row they came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import click

from .. import Consent, ConsentStatus, ConsentType, InvalidRequestError, IysList
from ..clock import ISTANBUL
from ._options import api_options, client, confirm, json_option
from ._output import echo_json, info, print_table
from ._run import fail, run

__all__ = ["COLUMNS", "iys", "read_consents"]

COLUMNS = ("recipient", "recipient_type", "type", "status", "source", "consent_date")
"""CSV header names; ``consent_date`` may be missing or empty (TACIR only)."""

_ALIASES = {"recipienttype": "recipient_type", "consentdate": "consent_date"}
_REQUIRED = set(COLUMNS) - {"consent_date"}
_ROW_FIELD = re.compile(r"consents\[(\d+)\](.*)")

_brand_option = click.option(
    "--brand-code",
    metavar="CODE",
    envvar="ILETIMERKEZI_BRAND_CODE",
    show_envvar=True,
    type=click.IntRange(min=1),
    required=True,
    help="The account's İYS brand code (e.g. 696422).",
)


@click.group()
def iys() -> None:
    """Register consents with İYS or check one recipient's consent."""


def _header(names: list[str] | None, where: str) -> list[str]:
    if not names:
        fail(f"{where} is empty: the first line must name the columns {', '.join(COLUMNS)}")
    header = [_ALIASES.get(n.strip().replace("_", "").lower(), n.strip().lower()) for n in names]
    unknown = [n for n in header if n not in COLUMNS]
    missing = sorted(_REQUIRED - set(header))
    if unknown or missing:
        fail(
            f"{where}: the header must name {', '.join(COLUMNS)} "
            f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})"
        )
    return header


def _date(text: str, where: str) -> dt.datetime | None:
    if not text.strip():
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"{where}: consent_date must be YYYY-MM-DD HH:MM:SS (Istanbul) or ISO 8601")
    return when if when.tzinfo is not None else when.replace(tzinfo=ISTANBUL)


def read_consents(path: Path) -> tuple[list[Consent], list[int]]:
    """The consents in ``path`` and the line number each came from."""
    consents: list[Consent] = []
    lines: list[int] = []
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        header = _header(next(reader, None), path.name)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"{path.name} line {reader.line_num}"
            if len(row) > len(header):
                fail(f"{where}: {len(row)} cells for {len(header)} columns")
            cells = dict(zip(header, (c.strip() for c in row), strict=False))
            consents.append(
                Consent(
                    recipient=cells.get("recipient", ""),
                    recipient_type=IysList(cells.get("recipient_type", "").upper()),
                    type=ConsentType(cells.get("type", "").upper()),
                    status=ConsentStatus(cells.get("status", "").upper()),
                    source=cells.get("source", "").upper(),
                    consent_date=_date(cells.get("consent_date", ""), where),
                )
            )
            lines.append(reader.line_num)
    if not consents:
        fail(f"{path.name} holds no consent rows")
    return consents, lines


@iys.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_brand_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@api_options
@json_option
def register(file: Path, brand_code: int, yes: bool, as_json: bool) -> None:
    """Register the consents in FILE (CSV, UTF-8, with a header line).

    \b
    Columns (any order; the wire names recipientType/consentDate also work):
      recipient       +905xxxxxxxxx, or an e-mail address for EPOSTA
      recipient_type  BIREYSEL or TACIR
      type            MESAJ, EPOSTA or ARAMA
      status          ONAY (consent) or RET (refusal)
      source          an İYS source code: HS_WEB, HS_FIZIKSEL_ORTAM, HS_EORTAM...
      consent_date    2026-01-07 23:50:00 (Istanbul) or ISO 8601 with an offset;
                      may be empty for TACIR only

    Every row is checked before the first request; the API takes 5,000 per
    request, so bigger files are sent in chunks.  JSON: {"registered": N,
    "requests": K, "brand_code": B}.
    """
    api = client()
    consents, lines = read_consents(file)
    info(f"{len(consents):,} consent(s) from {file.name} for İYS brand {brand_code}")
    confirm(f"Register {len(consents):,} consent(s)?", yes=yes)

    async def body() -> None:
        try:
            async with api as c:
                results = await c.iys.register(brand_code, consents)
        except InvalidRequestError as exc:
            match = _ROW_FIELD.fullmatch(exc.field)
            if match is None:
                raise
            line = lines[int(match.group(1))]
            fail(f"{file.name} line {line}: {match.group(2).lstrip('.') or 'row'} {exc.rule}")
        if as_json:
            echo_json(
                {"registered": len(consents), "requests": len(results), "brand_code": brand_code}
            )
        else:
            click.echo(f"{len(consents):,} consent(s) registered in {len(results)} request(s).")

    run(body)


@iys.command()
@click.argument("recipient")
@_brand_option
@click.option(
    "--recipient-type",
    type=click.Choice(["BIREYSEL", "TACIR"], case_sensitive=False),
    default="BIREYSEL",
    show_default=True,
)
@click.option(
    "--type",
    "consent_type",
    type=click.Choice(["MESAJ", "EPOSTA", "ARAMA"], case_sensitive=False),
    default="MESAJ",
    show_default=True,
)
@api_options
@json_option
def check(
    recipient: str, brand_code: int, recipient_type: str, consent_type: str, as_json: bool
) -> None:
    """Show RECIPIENT's current consent (a phone number or an e-mail address).

    "No record" is not an error (exit 0).  JSON: the consent object, or null.
    """

    async def body() -> None:
        async with client() as c:
            consent = await c.iys.check(
                brand_code,
                recipient,
                recipient_type=recipient_type.upper(),
                type=consent_type.upper(),
            )
        if as_json:
            echo_json(consent)
        elif consent is None:
            click.echo("No İYS record for this recipient, list and type.")
        else:
            print_table(
                ["recipient", "recipient_type", "type", "status", "source", "consent_date"],
                [[getattr(consent, name) for name in COLUMNS]],
            )

    run(body)
