"""Stable atom identity: the same code at the same place always gets the same id."""

from __future__ import annotations

import hashlib
import uuid

# Fixed namespace for uuid5 so ids are reproducible across processes, machines and versions.
# Changing it would re-key every stored atom: never do.
ATOM_NAMESPACE = uuid.UUID("6f0b7f1e-3c51-5a8e-9d0e-2f4f1f6d2a10")
_NAMESPACE_BYTES = ATOM_NAMESPACE.bytes


def content_hash(code: bytes) -> str:
    """sha256 hex digest of an atom's exact bytes."""
    return hashlib.sha256(code).hexdigest()


def atom_id(path: str, ordinal: int, digest: str) -> str:
    """Deterministic id from (file path, ordinal, content hash).

    The ordinal keeps two identical atoms of one file apart (e.g. two `pass`-only blocks);
    the hash changes the id as soon as the atom's code changes.
    """
    # Same value as uuid.uuid5(ATOM_NAMESPACE, name), computed without the UUID object (this
    # runs once per atom, and the object costs more than the hash).
    name = f"{path}\x00{ordinal}\x00{digest}".encode()
    raw = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name, usedforsecurity=False).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
