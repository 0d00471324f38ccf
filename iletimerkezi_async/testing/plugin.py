"""pytest plugin: the ``fake_iletimerkezi`` and ``make_fake_iletimerkezi`` fixtures.

Registered through the ``pytest11`` entry point, so installing the package is
enough.  The fixture yields a started :class:`FakeIletiMerkezi` and closes it
afterwards; ``@pytest.mark.fake_iletimerkezi(**options)`` passes constructor
options (``legacy_types=True``, ``sms_credits=0`` …).  The factory fixture
``make_fake_iletimerkezi`` is for tests that need several fakes or options
computed in the test: ``fake = await make_fake_iletimerkezi(**options)``
returns a started fake, and every fake it made is closed after the test
(last made, first closed).  Without pytest-asyncio
the module still imports cleanly and simply defines no fixture, so the entry
point never breaks a test run that does not use it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any, Protocol

import pytest

from ._fake import FakeIletiMerkezi

__all__ = ["MARKER", "MakeFake", "pytest_configure"]

MARKER = "fake_iletimerkezi"


class MakeFake(Protocol):
    """The type of the ``make_fake_iletimerkezi`` fixture, for annotating tests."""

    async def __call__(self, **options: Any) -> FakeIletiMerkezi: ...


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker so ``--strict-markers`` accepts it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): keyword options for the fake_iletimerkezi fixture "
        "(any FakeIletiMerkezi constructor argument)",
    )


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - exercised in a subprocess test
    pass
else:
    __all__ += ["fake_iletimerkezi", "make_fake_iletimerkezi"]

    @pytest_asyncio.fixture
    async def fake_iletimerkezi(
        request: pytest.FixtureRequest,
    ) -> AsyncIterator[FakeIletiMerkezi]:
        """A started fake server, closed after the test."""
        marker = request.node.get_closest_marker(MARKER)
        options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
        async with FakeIletiMerkezi(**options) as fake:
            yield fake

    @pytest_asyncio.fixture
    async def make_fake_iletimerkezi() -> AsyncIterator[MakeFake]:
        """A factory of started fake servers; every one it made is closed after the test.

        The options are validated by :meth:`FakeOptions.from_keywords`, so a
        misspelt one is a ``TypeError`` naming every known option.  The marker
        does not apply here: the keyword arguments are the whole configuration.
        """
        async with AsyncExitStack() as made:

            async def make(**options: Any) -> FakeIletiMerkezi:
                fake = FakeIletiMerkezi(**options)
                return await made.enter_async_context(fake)

            yield make
