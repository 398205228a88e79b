from __future__ import annotations

import json

import pytest

from domain.errors import PlanValidationError
from domain.plan import parse_plan_text, plan_json_schema
from domain.plan.rules import task_order

GOOD = """\
name: demo
phases:
  - name: Core
    milestones:
      - name: Storage
        tasks:
          - key: models
            name: Models
            file: app/models.py
            reference: |
              X = 1
          - key: repo
            name: Repo
            file: app/repo.py
            depends_on: [models]
            reference: |
              from app.models import X
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(PlanValidationError) as info:
        parse_plan_text(text)
    return [str(p) for p in info.value.problems]


def test_good_plan_parses_with_defaults() -> None:
    spec = parse_plan_text(GOOD)
    assert spec.language == "python"
    assert spec.atomization.target_loc == 10
    assert [t.key for t in spec.tasks()] == ["models", "repo"]
    assert task_order(spec) == ["models", "repo"]


def test_json_is_accepted_too() -> None:
    import yaml

    spec = parse_plan_text(json.dumps(yaml.safe_load(GOOD)))
    assert spec.name == "demo"


def test_duplicate_task_key_names_the_field_and_line() -> None:
    text = GOOD.replace("key: repo", "key: models").replace("depends_on: [models]", "")
    (problem,) = problems_of(text)
    assert "phases[0].milestones[0].tasks[1].key" in problem
    assert "line 12" in problem
    assert "duplicate task key 'models'" in problem


def test_unknown_dependency() -> None:
    (problem,) = problems_of(GOOD.replace("depends_on: [models]", "depends_on: [nope]"))
    assert "tasks[1].depends_on[0]" in problem and "unknown task key 'nope'" in problem


def test_cyclic_dependencies() -> None:
    text = GOOD.replace(
        "            file: app/models.py\n",
        "            file: app/models.py\n            depends_on: [repo]\n",
    )
    (problem,) = problems_of(text)
    assert "cyclic task dependencies" in problem
    assert "models" in problem and "repo" in problem


def test_unsupported_language_names_the_line() -> None:
    (problem,) = problems_of(GOOD.replace("name: demo\n", "name: demo\nlanguage: cobol\n"))
    assert problem.startswith("language (line 2)")
    assert "'python', 'typescript' or 'javascript'" in problem


@pytest.mark.parametrize("text", ["", "   \n", "{}"])
def test_empty_plan(text: str) -> None:
    assert any("empty" in p for p in problems_of(text))


def test_plan_without_phases() -> None:
    (problem,) = problems_of("name: x\nphases: []\n")
    assert problem.startswith("phases (line 2)")


def test_unknown_key_is_refused() -> None:
    (problem,) = problems_of(GOOD.replace("depends_on: [models]", "depends-on: [models]"))
    assert "depends-on" in problem and "Extra inputs" in problem


def test_paths_must_stay_inside_the_project() -> None:
    (problem,) = problems_of(GOOD.replace("file: app/repo.py", "file: ../etc/passwd"))
    assert "tasks[1].file" in problem


def test_yaml_syntax_error_names_the_line() -> None:
    (problem,) = problems_of("name: [unclosed\nphases: x\n")
    assert "not valid YAML" in problem and "line" in problem


def test_target_above_max_is_refused() -> None:
    (problem,) = problems_of(GOOD + "atomization: {target_loc: 20, max_loc: 15}\n")
    assert "atomization" in problem and "must not exceed max_loc" in problem


def test_schema_is_json_schema() -> None:
    schema = plan_json_schema()
    assert schema["title"] == "MasterPlanSpec"
    assert "phases" in schema["required"]
