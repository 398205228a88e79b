"""Shared helpers for the atomization tests."""

from __future__ import annotations

from domain.atomization import AtomizationConfig, AtomizationResult, atomize_source


def atomize(
    source: bytes | str,
    path: str = "mod.py",
    language: str | None = None,
    config: AtomizationConfig | None = None,
    tests: dict[str, str] | None = None,
) -> AtomizationResult:
    """Atomize and check the invariants every result must hold, whatever the input."""
    result = atomize_source(source, path, language, config, tests)
    data = source.encode("utf-8") if isinstance(source, str) else source
    assert_tiles(result, data)
    return result


def assert_tiles(result: AtomizationResult, data: bytes) -> None:
    """Atoms tile the file: contiguous, non-empty, in order, and concatenate to it."""
    assert b"".join(a.code_bytes for a in result.atoms) == data
    offset = 0
    for ordinal, atom in enumerate(result.atoms):
        assert atom.ordinal == ordinal
        assert atom.start_byte == offset
        assert atom.end_byte > atom.start_byte
        assert data[atom.start_byte : atom.end_byte] == atom.code_bytes
        assert 1 <= atom.start_line <= atom.end_line
        offset = atom.end_byte
    assert offset == len(data)


def by_name(result: AtomizationResult, name: str) -> list[int]:
    return [a.ordinal for a in result.atoms if a.name == name]
