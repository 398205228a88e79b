from __future__ import annotations

from domain.assembly import AtomPiece, assemble_files, keep_layout, manifest


def test_assemble_orders_atoms_by_ordinal_and_files_by_path() -> None:
    files = assemble_files(
        [
            AtomPiece("b.py", 1, "y = 2\n"),
            AtomPiece("a.py", 0, "x"),
            AtomPiece("b.py", 0, "x = 1\n"),
        ]
    )
    assert [(f.path, f.content) for f in files] == [("a.py", "x"), ("b.py", "x = 1\ny = 2\n")]
    entry = manifest(files)["files"][1]  # type: ignore[index]
    assert entry["path"] == "b.py" and entry["bytes"] == 12 and len(entry["sha256"]) == 64


def test_keep_layout_restores_blank_lines_the_model_trimmed() -> None:
    spec = "\n\ndef f():\n    ...\n\n\n"
    assert keep_layout(spec, "def f():\n    return 1") == "\n\ndef f():\n    return 1\n\n\n"


def test_keep_layout_keeps_indentation_of_the_first_line() -> None:
    spec = "    def m(self):\n        ...\n"
    assert keep_layout(spec, "    def m(self):\n        return 2\n") == (
        "    def m(self):\n        return 2\n"
    )


def test_keep_layout_of_an_empty_answer_is_empty() -> None:
    assert keep_layout("def f():\n    ...\n", "  \n") == ""
