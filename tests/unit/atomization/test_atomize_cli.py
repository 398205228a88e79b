"""`mge atomize`: tables, JSON Lines, exit codes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from api.commands.atomize import atomize

app = typer.Typer()
app.command("atomize")(atomize)
app.command("noop")(lambda: None)  # a second command keeps `atomize` a subcommand
runner = CliRunner()

PY = (
    "import os\n\n\ndef f(x):\n"
    + "".join(f"    y{i} = x + {i}\n" for i in range(20))
    + "    return os.sep\n"
)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_json_lines_round_trip(tmp_path: Path) -> None:
    file = write(tmp_path, "a.py", PY)
    result = runner.invoke(app, ["atomize", str(file), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) >= 2
    assert "".join(r["code"] for r in rows) == PY
    for key in (
        "file", "ordinal", "id", "kind", "start_byte", "end_byte", "start_line", "end_line",
        "loc", "complexity", "oversized", "atomicity_score", "completeness", "code",
    ):  # fmt: skip
        assert key in rows[0]
    assert [r["ordinal"] for r in rows] == list(range(len(rows)))


def test_json_round_trips_non_utf8_bytes(tmp_path: Path) -> None:
    data = b"x = '\xe9\xff'\n" + PY.encode()
    file = write(tmp_path, "latin.py", data)
    result = runner.invoke(app, ["atomize", str(file), "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    rebuilt = b"".join(
        base64.b64decode(r["code_base64"]) if "code_base64" in r else r["code"].encode()
        for r in rows
    )
    assert rebuilt == data


def test_table_output_for_a_directory(tmp_path: Path) -> None:
    write(tmp_path, "pkg/a.py", PY)
    write(tmp_path, "pkg/b.ts", "export const x: number = 1;\n")
    write(tmp_path, "pkg/readme.md", "# not code\n")
    write(tmp_path, "pkg/node_modules/dep/index.js", "module.exports = 1;\n")
    result = runner.invoke(app, ["atomize", str(tmp_path / "pkg")])
    assert result.exit_code == 0, result.output
    assert "a.py" in result.stdout and "b.ts" in result.stdout
    assert "readme" not in result.stdout and "index.js" not in result.stdout
    assert "2 file(s)" in result.stdout


def test_sizes_are_configurable(tmp_path: Path) -> None:
    file = write(tmp_path, "a.py", PY)
    small = runner.invoke(
        app, ["atomize", str(file), "--json", "--target-loc", "3", "--max-loc", "4"]
    )
    default = runner.invoke(app, ["atomize", str(file), "--json"])
    assert len(small.stdout.splitlines()) > len(default.stdout.splitlines())
    assert all(json.loads(r)["loc"] <= 4 for r in small.stdout.splitlines())


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["atomize", str(tmp_path / "nope.py")])
    assert result.exit_code == 2
    assert "path not found" in result.stderr


def test_unsupported_file_named_explicitly_exits_2(tmp_path: Path) -> None:
    file = write(tmp_path, "notes.txt", "hello\n")
    result = runner.invoke(app, ["atomize", str(file)])
    assert result.exit_code == 2
    assert "unsupported file type" in result.stderr


def test_bad_options_exit_2(tmp_path: Path) -> None:
    file = write(tmp_path, "a.py", PY)
    result = runner.invoke(app, ["atomize", str(file), "--target-loc", "20", "--max-loc", "15"])
    assert result.exit_code == 2
    assert "invalid options" in result.stderr
    result = runner.invoke(app, ["atomize", str(file), "--target-loc", "0"])
    assert result.exit_code == 2


def test_syntax_errors_are_shown_not_fatal(tmp_path: Path) -> None:
    file = write(tmp_path, "bad.py", "def f(:\n    return 1\n")
    result = runner.invoke(app, ["atomize", str(file)])
    assert result.exit_code == 0
    assert "syntax" in result.stdout
