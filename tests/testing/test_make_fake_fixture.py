"""The ``make_fake_iletimerkezi`` factory fixture: several fakes per test, all closed after."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest

from iletimerkezi_async.testing import FakeIletiMerkezi
from iletimerkezi_async.testing.plugin import MakeFake


@pytest.fixture
def closed_after_the_test() -> Iterator[list[FakeIletiMerkezi]]:
    """Checked at teardown; requested before the factory, so torn down after it."""
    fakes: list[FakeIletiMerkezi] = []
    yield fakes
    assert fakes, "the test registered no fake"
    assert [fake.running for fake in fakes] == [False] * len(fakes)


async def test_two_fakes_with_different_options_are_started_and_closed_after(
    closed_after_the_test: list[FakeIletiMerkezi], make_fake_iletimerkezi: MakeFake
) -> None:
    plain = await make_fake_iletimerkezi()
    legacy = await make_fake_iletimerkezi(legacy_types=True, sms_credits=7, api_key="other")
    closed_after_the_test += [plain, legacy]
    assert plain.running and legacy.running
    assert plain.url != legacy.url
    assert not plain.options.legacy_types and legacy.options.legacy_types
    assert legacy.account.sms_credits == 7
    assert legacy.options.api_key == "other"
    async with aiohttp.ClientSession() as session:
        for fake in (plain, legacy):
            async with session.post(f"{fake.url}/v1/nowhere/json", json={}) as response:
                assert response.status == 404
    assert len(plain.requests) == len(legacy.requests) == 1


async def test_a_misspelt_option_names_the_known_ones(make_fake_iletimerkezi: MakeFake) -> None:
    with pytest.raises(TypeError, match=r"legacy_typs.*known options:.*legacy_types"):
        await make_fake_iletimerkezi(legacy_typs=True)


async def test_a_fake_closed_by_the_test_is_closed_again_harmlessly(
    closed_after_the_test: list[FakeIletiMerkezi], make_fake_iletimerkezi: MakeFake
) -> None:
    fake = await make_fake_iletimerkezi()
    closed_after_the_test.append(fake)
    await fake.close()
    assert not fake.running


async def test_the_fixture_still_works_beside_the_factory(
    fake_iletimerkezi: FakeIletiMerkezi, make_fake_iletimerkezi: MakeFake
) -> None:
    other = await make_fake_iletimerkezi(port=0)
    assert fake_iletimerkezi.running and other.running
    assert fake_iletimerkezi.port != other.port
