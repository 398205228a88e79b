"""Stable identity: ids derive from (path, ordinal, content hash) and nothing else."""

from __future__ import annotations

import hashlib
import uuid

from domain.atomization import ATOM_NAMESPACE, atom_id, atomize_source

SOURCE = "".join(
    f"def f{i}(a, b):\n    if a:\n        return b\n    x = a + b\n    return x * {i}\n\n\n"
    for i in range(6)
)


def test_id_formula() -> None:
    result = atomize_source(SOURCE, "pkg/mod.py")
    for atom in result.atoms:
        digest = hashlib.sha256(atom.code_bytes).hexdigest()
        assert atom.content_hash == digest
        expected = uuid.uuid5(ATOM_NAMESPACE, f"pkg/mod.py\x00{atom.ordinal}\x00{digest}")
        assert atom.id == str(expected) == atom_id("pkg/mod.py", atom.ordinal, digest)


def test_reatomizing_unchanged_code_gives_the_same_ids() -> None:
    first = [a.id for a in atomize_source(SOURCE, "m.py").atoms]
    again = [a.id for a in atomize_source(SOURCE.encode(), "m.py").atoms]
    assert first == again
    assert len(set(first)) == len(first)


def test_ids_change_with_path_and_content_only_where_changed() -> None:
    base = atomize_source(SOURCE, "m.py").atoms
    moved = atomize_source(SOURCE, "other.py").atoms
    assert {a.id for a in base}.isdisjoint(a.id for a in moved)
    edited_source = SOURCE.replace("return x * 5", "return x * 55")
    edited = atomize_source(edited_source, "m.py").atoms
    assert len(edited) == len(base)
    changed = [i for i, (a, b) in enumerate(zip(base, edited, strict=True)) if a.id != b.id]
    assert len(changed) == 1
    assert "55" in edited[changed[0]].code


def test_identical_atoms_in_one_file_get_distinct_ids() -> None:
    block = (
        "def same():\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n    return a + b + c + d\n\n\n"
    )
    atoms = atomize_source(block * 4, "dup.py").atoms
    assert len({a.content_hash for a in atoms}) < len(atoms)
    assert len({a.id for a in atoms}) == len(atoms)
