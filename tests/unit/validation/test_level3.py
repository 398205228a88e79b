"""Level 3: a milestone's files within the project — imports, calls, cycles."""

from __future__ import annotations

import pytest

from domain.validation.level3 import CALLS, CYCLES, IMPORTS, check_milestone, project_from
from tests.unit.validation.examples import milestones, reference_files

TODO = "todo-service.yaml"
SERVICE = reference_files(TODO)["todo/service.py"]


def failures(changes: dict[str, str], example: str = TODO) -> dict[str, list[str]]:
    files = {**reference_files(example), **changes}
    project = project_from(files)
    out: dict[str, list[str]] = {}
    for result in check_milestone(project, list(files)):
        if result.violations:
            out[result.check_name] = [v.describe() for v in result.violations]
    return out


@pytest.mark.parametrize("example", [TODO, "link-shortener-ts.yaml"])
def test_the_examples_pass_every_milestone(example: str) -> None:
    project = project_from(reference_files(example))
    for paths in milestones(example):
        for result in check_milestone(project, paths):
            assert result.passed, (result.check_name, [v.describe() for v in result.violations])
            assert result.warnings == ()


def test_an_imported_name_the_module_does_not_define() -> None:
    found = failures(
        {"todo/service.py": SERVICE.replace("Priority, Todo\n", "Priority, Todo, Tag\n")}
    )
    assert list(found) == [IMPORTS]
    assert "todo/service.py:5" in found[IMPORTS][0] and "`Tag`" in found[IMPORTS][0]


def test_a_module_the_plan_does_not_have() -> None:
    found = failures({"todo/service.py": "from todo.storage import Store\n" + SERVICE})
    assert "no module `todo.storage` in the plan" in found[IMPORTS][0]
    relative = failures({"todo/service.py": "from .nowhere import x\n" + SERVICE})
    assert "relative import" in relative[IMPORTS][0]


def test_third_party_and_stdlib_imports_are_not_errors() -> None:
    code = "import json\nimport requests\nfrom collections import OrderedDict\n" + SERVICE
    assert IMPORTS not in failures({"todo/service.py": code})


def test_an_attribute_of_an_imported_plan_module() -> None:
    code = (
        SERVICE
        + "\n\nfrom todo import models\n\n\ndef make() -> object:\n    return models.Missing()\n"
    )
    found = failures({"todo/service.py": code})
    assert any("models.Missing" in v for v in found[IMPORTS])


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "title=clean_title(title),",
            "title=clean_title(title, 80),",
            "takes 1 positional argument but 2",
        ),
        (
            "self._repository.next_id()",
            "self._repository.next_id(1)",
            "takes 0 positional arguments",
        ),
        ("todo.renamed(clean_title(title))", "todo.renamed()", "missing 1 required argument"),
        ("Todo(\n", "Todo(7,\n", "multiple values for argument 'id'"),
        (
            "clean_tags(tags or [])",
            "clean_tags(tags=tags or [], strict=True)",
            "unexpected keyword",
        ),
        ("self._repository.save(todo)", "self._repository.store(todo)", "has no member `store`"),
    ],
)
def test_calls_with_the_wrong_arguments_or_to_missing_methods(
    old: str, new: str, expected: str
) -> None:
    assert old in SERVICE
    found = failures({"todo/service.py": SERVICE.replace(old, new, 1)})
    assert list(found) == [CALLS], found
    assert expected in found[CALLS][0]


def test_calls_with_star_arguments_are_not_judged() -> None:
    code = SERVICE.replace("title=clean_title(title),", "title=clean_title(*[title]),")
    assert failures({"todo/service.py": code}) == {}


def test_a_circular_import_is_reported_in_each_file_of_the_cycle() -> None:
    models = reference_files(TODO)["todo/models.py"]
    code = models.replace(
        "from enum import IntEnum\n",
        "from enum import IntEnum\n\nfrom todo.formatting import summary\n",
    )
    found = failures({"todo/models.py": code})
    assert list(found) == [CYCLES]
    assert len(found[CYCLES]) == 2
    assert (
        "todo/formatting.py -> todo/models.py" in found[CYCLES][0]
        or "todo/models.py -> todo/formatting.py" in found[CYCLES][0]
    )


def test_imports_that_do_not_run_at_import_time_make_no_cycle() -> None:
    models = reference_files(TODO)["todo/models.py"]
    lazy = (
        models
        + "\n\ndef render(todo: Todo) -> str:\n"
        + "    from todo.formatting import format_todo\n\n    return format_todo(todo)\n"
    )
    typed = models.replace(
        "from enum import IntEnum\n",
        "from enum import IntEnum\nfrom typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n    from todo.formatting import summary\n",
    )
    assert CYCLES not in failures({"todo/models.py": lazy})
    assert CYCLES not in failures({"todo/models.py": typed})


def test_a_package_importing_its_submodules_is_not_a_cycle() -> None:
    init = '"""Package."""\n\nfrom todo.service import TodoService\n'
    assert failures({"todo/__init__.py": init}) == {}


def test_typescript_imports_exports_and_arity() -> None:
    example = "link-shortener-ts.yaml"
    files = reference_files(example)
    service = files["src/service.ts"]
    found = failures(
        {
            "src/service.ts": service.replace(
                "import { LinkStore }", "import { LinkStore, LinkCache }"
            )
        },
        example,
    )
    assert "does not export `LinkCache`" in found[IMPORTS][0]
    found = failures(
        {"src/service.ts": service.replace('from "./store"', 'from "./storage"')}, example
    )
    assert "cannot find module `./storage`" in found[IMPORTS][0]
    fmt = files["src/format.ts"]
    found = failures(
        {"src/format.ts": fmt.replace("formatLink(link, baseUrl)", "formatLink(link)")}, example
    )
    assert "missing 1 required argument" in found[CALLS][0]
    types = files["src/types.ts"]
    cyclic = (
        'import { LinkStore } from "./store";\n'
        + types
        + "\nexport const stores: LinkStore[] = [];\n"
    )
    assert CYCLES in failures({"src/types.ts": cyclic}, example)


def test_a_cycle_of_module_imports_only_warns() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "import pkg.b\n\n\ndef f() -> int:\n    return pkg.b.g()\n",
        "pkg/b.py": "import pkg.a\n\n\ndef g() -> int:\n    return 1\n",
    }
    results = check_milestone(project_from(files), list(files))
    cycles = next(r for r in results if r.check_name == CYCLES)
    assert cycles.passed
    assert cycles.warnings and "circular import" in cycles.warnings[0].message
    files["pkg/b.py"] = "from pkg.a import f\n\n\ndef g() -> int:\n    return f()\n"
    cycles = next(
        r for r in check_milestone(project_from(files), list(files)) if r.check_name == CYCLES
    )
    assert cycles.failed
