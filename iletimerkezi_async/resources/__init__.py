"""Endpoint groups of the client: ``client.sms``, ``client.reports``, …"""

from .account import AccountResource
from .blacklist import BlacklistResource
from .inbox import InboxResource
from .iys import IysResource
from .reports import ReportsResource
from .sms import SmsResource

__all__ = [
    "AccountResource",
    "BlacklistResource",
    "InboxResource",
    "IysResource",
    "ReportsResource",
    "SmsResource",
]
