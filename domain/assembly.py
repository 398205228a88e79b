"""Putting generated atoms back together into project files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AtomPiece:
    file_path: str
    ordinal: int
    code: str


@dataclass(frozen=True)
class AssembledFile:
    path: str
    content: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()


def assemble_files(pieces: Iterable[AtomPiece]) -> list[AssembledFile]:
    """Concatenate each file's atoms in ordinal order; files come out sorted by path."""
    by_file: dict[str, list[AtomPiece]] = {}
    for piece in pieces:
        by_file.setdefault(piece.file_path, []).append(piece)
    return [
        AssembledFile(path, "".join(p.code for p in sorted(items, key=lambda p: p.ordinal)))
        for path, items in sorted(by_file.items())
    ]


def manifest(files: Sequence[AssembledFile]) -> dict[str, object]:
    return {
        "files": [
            {"path": f.path, "sha256": f.sha256, "bytes": len(f.content.encode())} for f in files
        ]
    }


def keep_layout(spec: str, code: str) -> str:
    """Give generated code the blank lines and final newline(s) its spec had around it.

    Models trim the whitespace around a code block; the atom must still splice back into its
    file exactly where the spec stood.
    """
    body = code.strip("\r\n")
    if not body.strip():
        return spec if not spec.strip() else ""
    stripped_front = spec.lstrip("\r\n")
    leading = spec[: len(spec) - len(stripped_front)]
    stripped_back = spec.rstrip("\r\n \t")
    trailing = spec[len(stripped_back) :]
    return leading + body.rstrip(" \t") + trailing
