"""RecursiveDecomposer: atom sizes, cut positions, oversized atoms, kinds and names."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.atomization import AtomizationConfig, MultiLanguageParser, atomize_source

from .helpers import atomize

ENGINE_DIR = Path(__file__).resolve().parents[3] / "domain" / "atomization"


def realistic_files() -> list[Path]:
    """The engine's own modules: realistic, typed, documented Python."""
    return sorted(ENGINE_DIR.glob("*.py"))


def test_sizes_within_limits_on_realistic_code() -> None:
    cfg = AtomizationConfig()
    atoms = [a for f in realistic_files() for a in atomize(f.read_bytes(), f.name).atoms]
    assert len(atoms) > 100
    within = [a for a in atoms if cfg.min_loc <= a.loc <= cfg.max_loc]
    assert len(within) / len(atoms) >= 0.85
    for atom in atoms:
        assert atom.loc <= cfg.max_loc or atom.oversized


def test_cuts_fall_between_complete_statements() -> None:
    """Every atom boundary is a boundary of complete sibling statements of the tree."""
    parser = MultiLanguageParser()
    for file in realistic_files():
        data = file.read_bytes()
        tree = parser.parse(data, file.name).tree
        for atom in atomize(data, file.name).atoms[1:]:
            cut = atom.start_byte
            node = tree.root_node.descendant_for_byte_range(cut, cut)
            assert node is not None
            # No named node may straddle the cut unless it is a container (a block or a
            # compound statement whose body the cut lies in).
            walker = node
            while walker is not None:
                straddles = walker.start_byte < cut < walker.end_byte
                if straddles:
                    assert walker.type in {
                        "module", "block", "function_definition", "class_definition",
                        "decorated_definition", "if_statement", "for_statement",
                        "while_statement", "try_statement", "with_statement",
                        "elif_clause", "else_clause", "except_clause", "finally_clause",
                        "match_statement", "case_clause",
                    }, (file.name, atom.ordinal, walker.type)  # fmt: skip
                walker = walker.parent


def test_atoms_start_at_line_starts_in_regular_code() -> None:
    for file in realistic_files():
        data = file.read_bytes()
        for atom in atomize(data, file.name).atoms:
            assert atom.start_byte == 0 or data[atom.start_byte - 1 : atom.start_byte] == b"\n"


def test_oversized_atom_flagged_with_reason() -> None:
    source = "DATA = [\n" + "    1,\n" * 40 + "]\n\n\ndef f():\n    return DATA\n"
    result = atomize(source)
    big = [a for a in result.atoms if a.oversized]
    assert len(big) == 1
    assert big[0].loc > 15
    assert big[0].oversize_reason and "cannot be split" not in big[0].oversize_reason.lower()
    assert "no complete sibling" in big[0].oversize_reason
    assert big[0].atomicity.criteria["loc_within_max"] is False
    assert any(v.severity == "high" for v in big[0].atomicity.violations)
    assert not [a for a in result.atoms if not a.oversized and a.loc > 15]


def test_long_function_is_split_between_statements() -> None:
    body = "".join(f"    v{i} = compute({i})\n" for i in range(40))
    source = f"def long(x):\n{body}    return x\n"
    result = atomize(source)
    assert len(result.atoms) >= 3
    assert all(a.loc <= 15 for a in result.atoms)
    assert result.atoms[0].kind == "function" and result.atoms[0].name == "long"
    assert all(a.kind == "block" and a.name == "long" for a in result.atoms[1:])
    assert all(a.context.enclosing_scope == "def long(x):" for a in result.atoms[1:])


def test_comments_and_decorators_travel_with_the_next_definition() -> None:
    filler = "".join(f"    y{i} = {i}\n" for i in range(8))
    source = (
        f"def a():\n{filler}    return 1\n\n\n"
        f"# about b\n# more about b\n@decorator\ndef b():\n{filler}    return 2\n"
    )
    result = atomize(source)
    b_atom = next(a for a in result.atoms if a.name == "b")
    assert b_atom.code.startswith("# about b\n# more about b\n@decorator\ndef b():")


def test_big_class_split_into_members() -> None:
    methods = "".join(
        f"    def m{i}(self, x: int) -> int:\n"
        + "".join(f"        x += {j}\n" for j in range(6))
        + "        return x\n\n"
        for i in range(5)
    )
    source = f"class Big:\n    '''Doc.'''\n\n{methods}"
    result = atomize(source)
    assert len(result.atoms) >= 4
    assert result.atoms[0].kind == "class" and result.atoms[0].name == "Big"
    names = [a.name for a in result.atoms]
    assert "Big.m2" in names
    assert all(a.kind in {"class", "method"} for a in result.atoms)
    assert result.atoms[2].context.enclosing_scope == "class Big:"


def test_small_definitions_are_grouped_up_to_the_target() -> None:
    source = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(12))
    result = atomize(source)
    assert 2 <= len(result.atoms) <= 5
    assert all(5 <= a.loc <= 15 for a in result.atoms)


def test_whole_small_file_is_one_module_atom() -> None:
    result = atomize("import os\n\n\ndef f():\n    return os.sep\n")
    assert len(result.atoms) == 1
    assert result.atoms[0].kind == "module"


def test_imports_kind() -> None:
    imports = "".join(f"import mod{i}\n" for i in range(8))
    body = "".join(f"    y{i} = mod{i}.x\n" for i in range(12))
    result = atomize(f"{imports}\n\ndef f():\n{body}    return 1\n")
    assert result.atoms[0].kind == "imports"


def test_complexity_bounded_where_the_code_allows() -> None:
    branches = "".join(
        f"    if x == {i}:\n        y = {i}\n        z = y * 2\n        w = z + y\n"
        for i in range(8)
    )
    result = atomize(f"def f(x):\n{branches}    return x\n")
    assert len(result.atoms) > 2
    assert max(a.complexity for a in result.atoms) <= 3


@pytest.mark.parametrize(("target", "maximum"), [(3, 5), (5, 8), (10, 15), (20, 30)])
def test_configurable_sizes(target: int, maximum: int) -> None:
    cfg = AtomizationConfig(target_loc=target, max_loc=maximum)
    for file in realistic_files()[:6]:
        for atom in atomize(file.read_bytes(), file.name, config=cfg).atoms:
            assert atom.loc <= maximum or atom.oversized


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        AtomizationConfig(target_loc=20, max_loc=15)
    with pytest.raises(ValueError):
        AtomizationConfig(target_loc=0)


def test_str_and_bytes_inputs_agree() -> None:
    text = "def f():\n    return 'é'\n"
    assert atomize_source(text, "a.py").atoms == atomize_source(text.encode(), "a.py").atoms
