"""TLS for every request: certificates and host names verified, with no way to turn it off.

Split from :mod:`._transport`, which calls :func:`request_context` per
request: ``ssl=`` is checked when the client is made and again when it is
used (a context can be weakened after it was handed over).
"""

from __future__ import annotations

import functools
import ssl as _ssl

from .errors import ConfigurationError

__all__ = ["check_ssl", "request_context", "system_context"]


def check_ssl(context: object) -> _ssl.SSLContext | None:
    """``ssl=`` as given: None, or a context that verifies certificates and host names.

    TLS verification cannot be turned off: ``False``, a non-verifying context
    (``CERT_NONE``) or one that skips the host-name check raise.
    """
    if context is None:
        return None
    if not isinstance(context, _ssl.SSLContext):
        raise ConfigurationError(
            "ssl must be an ssl.SSLContext or None; TLS verification cannot be turned off"
        )
    if context.verify_mode == _ssl.CERT_NONE or not context.check_hostname:
        raise ConfigurationError(
            "ssl: this SSLContext does not verify certificates and host names "
            "(verify_mode CERT_NONE or check_hostname=False); TLS verification cannot be "
            "turned off. For a private CA, trust it: ssl.create_default_context(cafile=...)"
        )
    return context


@functools.cache
def system_context() -> _ssl.SSLContext:
    """The system trust store with host names checked, as aiohttp's own default."""
    context = _ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


def request_context(given: _ssl.SSLContext | None) -> _ssl.SSLContext:
    """The ``ssl=`` of one request: always a context, never ``True``.

    With ``True`` aiohttp falls back to the connector's setting, and a
    borrowed session built with ``ssl=False`` would silently turn
    verification off for our requests.
    """
    if given is None:
        return system_context()
    check_ssl(given)  # weakened since the Client was built?
    return given
