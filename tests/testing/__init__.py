"""Tests of the fake iletiMerkezi server (iletimerkezi_async.testing)."""
