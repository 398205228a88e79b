"""The dependency direction of DESIGN.md, enforced by import-linter contracts in pyproject."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_workflows_import_activities_only_through_passthrough() -> None:
    """Workflow modules import activity contracts only inside imports_passed_through()."""
    for path in (REPO / "workflows").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("activities"):
                raise AssertionError(f"{path.name}: activities imported outside the pass-through")
            if isinstance(node, ast.With):
                for inner in node.body:
                    if isinstance(inner, ast.ImportFrom):
                        names = [a.name for a in inner.names]
                        assert inner.module == "activities" and set(names) <= {
                            "contracts",
                            "validation_contracts",
                        }, f"{path.name}: only the activity contracts may pass through"
