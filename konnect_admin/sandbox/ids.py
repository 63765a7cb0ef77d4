"""Identifier formats of konnect-api.md section 15: 20-digit shipment ids, FY + 18 hex order
ids, 24-hex ack/batch ids, trace ids of 16 hex + "-" + epoch milliseconds."""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import datetime

# Ids outside the seed need no reproducibility, only uniqueness.
_system = random.SystemRandom()


def hex24(rng: random.Random | None = None) -> str:
    return f"{(rng or _system).getrandbits(96):024x}"


def shipment_id(rng: random.Random | None = None) -> str:
    # Real ids start with "17" (they look like epoch-based numbers); 18 more digits follow.
    return "17" + f"{(rng or _system).randrange(10**18):018d}"


def order_id(rng: random.Random | None = None) -> str:
    return "FY" + f"{(rng or _system).getrandbits(72):018X}"


def return_id(rng: random.Random | None = None) -> str:
    return "FR" + f"{(rng or _system).getrandbits(72):018X}"


def item_id(rng: random.Random | None = None) -> str:
    return str((rng or _system).randrange(10**8, 10**9))


def trace_id(at: datetime) -> str:
    return f"{secrets.token_hex(8)}-{int(at.timestamp() * 1000)}"


def token() -> str:
    return secrets.token_urlsafe(32)


def integration_id(username: str) -> str:
    """Constant per credential (contract section 2)."""
    return hashlib.sha256(username.encode()).hexdigest()[:24]
