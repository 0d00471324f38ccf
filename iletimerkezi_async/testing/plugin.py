"""pytest plugin: the ``fake_iletimerkezi`` fixture.

Registered through the ``pytest11`` entry point, so installing the package is
enough.  The fixture yields a started :class:`FakeIletiMerkezi` and closes it
afterwards; ``@pytest.mark.fake_iletimerkezi(**options)`` passes constructor
options (``legacy_types=True``, ``sms_credits=0`` …).  Without pytest-asyncio
the module still imports cleanly and simply defines no fixture, so the entry
point never breaks a test run that does not use it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ._fake import FakeIletiMerkezi

__all__ = ["MARKER", "pytest_configure"]

MARKER = "fake_iletimerkezi"


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
    __all__ += ["fake_iletimerkezi"]

    @pytest_asyncio.fixture
    async def fake_iletimerkezi(
        request: pytest.FixtureRequest,
    ) -> AsyncIterator[FakeIletiMerkezi]:
        """A started fake server, closed after the test."""
        marker = request.node.get_closest_marker(MARKER)
        options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
        async with FakeIletiMerkezi(**options) as fake:
            yield fake
