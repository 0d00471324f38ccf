"""Optional integrations, each behind its own extra (``[redis]``)."""
