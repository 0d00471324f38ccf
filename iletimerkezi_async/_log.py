"""The SDK's loggers: every record carries ``endpoint``, ``attempt`` and ``order_id``.

JSON log formatters read fields, not prose.  A record that knows them sets
them with ``extra=``; every other record of an SDK logger gets them as
``None`` from a filter on that logger, so a formatter can always ask for the
three and never meets a missing attribute.  None of them is ever a number,
a text or a credential.
"""

from __future__ import annotations

import logging
from typing import Final

__all__ = ["FIELDS", "get_logger"]

FIELDS: Final = ("endpoint", "attempt", "order_id")


class _Fields(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, None)
        return True


_FILTER: Final = _Fields()


def get_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` with the fields filter (added once per logger)."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger
