"""Durable campaigns: every valid recipient in exactly one order, whatever fails.

``Campaign(client, name, ledger=SqliteLedger("spring.db"))`` sends a source
of any size in chunks; the ledger records each chunk's state before its
request, so running the same campaign again resumes, resolving any chunk
whose outcome was unknown before anything is resent (docs/campaigns.md).
"""

from ..errors import CampaignMismatchError, ChunkClaimLostError
from ._campaign import Campaign, CampaignStatus, ChunkResult
from ._ledger import ChunkRecord, ChunkState, Claim, Ledger
from ._sqlite import SqliteLedger

__all__ = [
    "Campaign",
    "CampaignMismatchError",
    "CampaignStatus",
    "ChunkClaimLostError",
    "ChunkRecord",
    "ChunkResult",
    "ChunkState",
    "Claim",
    "Ledger",
    "SqliteLedger",
]
