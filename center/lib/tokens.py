"""Secrets handed to people (feed tokens, signup links): only their hash is stored, so a copy of
the database does not give them away."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, hex (a token is random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()
