"""Stable atom identity: the same code at the same place always gets the same id."""

from __future__ import annotations

import hashlib
import uuid

# Fixed namespace for uuid5 so ids are reproducible across processes, machines and versions.
# Changing it would re-key every stored atom: never do.
ATOM_NAMESPACE = uuid.UUID("6f0b7f1e-3c51-5a8e-9d0e-2f4f1f6d2a10")
_NAMESPACE_BYTES = ATOM_NAMESPACE.bytes
# hex digit -> the same digit with its top two bits set to 10 (the RFC 4122 variant)
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def content_hash(code: bytes) -> str:
    """sha256 hex digest of an atom's exact bytes."""
    return hashlib.sha256(code).hexdigest()


def atom_id(path: str, ordinal: int, digest: str) -> str:
    """Deterministic id from (file path, ordinal, content hash).

    The ordinal keeps two identical atoms of one file apart (e.g. two `pass`-only blocks);
    the hash changes the id as soon as the atom's code changes.
    """
    # Same value as str(uuid.uuid5(ATOM_NAMESPACE, name)), computed on the hex digest without
    # the UUID object (this runs once per atom, and the object costs more than the hash):
    # nibble 12 becomes the version (5), nibble 16 gets the RFC 4122 variant bits (10xx).
    name = f"{path}\x00{ordinal}\x00{digest}".encode()
    h = hashlib.sha1(_NAMESPACE_BYTES + name, usedforsecurity=False).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"
