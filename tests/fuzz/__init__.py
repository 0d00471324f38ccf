"""Fuzzing of the pure decode path: ``_wire.decode``, ``_convert`` and ``webhooks.parse``."""
