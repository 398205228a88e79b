"""Reassemble each file from its atoms so that symbols are read with their real scopes.

A method atom parsed alone is an indented fragment; parsed inside its file it belongs to its
class. Atoms of one file are contiguous slices in ordinal order, so the file is their
concatenation and a byte offset in it maps back to exactly one atom.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.graph.model import GraphAtom
from domain.graph.parsing import Grammar, grammar_for


@dataclass(frozen=True, slots=True)
class FileSource:
    path: str
    grammar: Grammar | None
    text: bytes
    atom_ids: tuple[str, ...]
    atom_starts: tuple[int, ...]

    def atom_at(self, offset: int) -> str:
        index = bisect_right(self.atom_starts, offset) - 1
        return self.atom_ids[index if index >= 0 else 0]


def atom_sort_key(atom: GraphAtom) -> tuple[str, int, str]:
    return (atom.path, atom.ordinal, atom.atom_id)


def assemble_files(atoms: Sequence[GraphAtom]) -> list[FileSource]:
    """One FileSource per path, in path order; atoms are assumed sorted by `atom_sort_key`."""
    files: list[FileSource] = []
    start = 0
    while start < len(atoms):
        end = start
        while end < len(atoms) and atoms[end].path == atoms[start].path:
            end += 1
        files.append(_assemble(atoms[start:end]))
        start = end
    return files


def _assemble(atoms: Iterable[GraphAtom]) -> FileSource:
    chunks: list[bytes] = []
    ids: list[str] = []
    starts: list[int] = []
    offset = 0
    first: GraphAtom | None = None
    for atom in atoms:
        first = first or atom
        code = atom.code.encode("utf-8")
        ids.append(atom.atom_id)
        starts.append(offset)
        chunks.append(code)
        offset += len(code)
    assert first is not None
    return FileSource(
        path=first.path,
        grammar=grammar_for(first.language, first.path),
        text=b"".join(chunks),
        atom_ids=tuple(ids),
        atom_starts=tuple(starts),
    )
