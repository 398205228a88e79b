"""ContextInjector: imports, scope, types, contracts, symbols, hints, tests, completeness."""

from __future__ import annotations

from domain.atomization import Atom, AtomizationConfig

from .helpers import atomize

SMALL = AtomizationConfig(target_loc=2, max_loc=3)

PY = '''"""Todo storage."""

from __future__ import annotations

import json
import os.path
from dataclasses import dataclass, field
from typing import Optional

from .model import Todo as TodoModel, Priority


@dataclass
class Todo:
    title: str
    done: bool = False


class TodoRepository:
    """Keeps todos."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Todo] = []

    def add(self, todo: Todo, priority: Priority) -> Todo:
        """Add a todo.

        Args:
            todo: the todo to add; its title must not be empty.
            priority: how urgent it is.

        Returns:
            The stored todo.

        Raises:
            ValueError: when the title is empty.
        """
        if not todo.title:
            raise ValueError("empty")
        self.items.append(todo)
        return todo

    def save(self) -> Optional[str]:
        data = json.dumps([t.title for t in self.items])
        target = os.path.join(self.path, "todos.json")
        with open(target, "w") as fh:
            fh.write(data)
        return target
'''


def atom_named(atoms: tuple[Atom, ...], name: str) -> Atom:
    return next(a for a in atoms if a.name == name)


def test_imports_resolved_by_names_used_rendered_minimally() -> None:
    atoms = atomize(PY, "todo/repo.py", config=SMALL).atoms
    save = [a for a in atoms if a.name == "TodoRepository.save"]
    imports = {i for a in save for i in a.context.imports}
    assert "import json" in imports
    assert "import os.path" in imports
    assert "from typing import Optional" in imports
    assert not any("dataclass" in i for i in imports)
    add = atom_named(atoms, "TodoRepository.add")
    assert add.context.imports == ("from .model import Priority",)


def test_enclosing_scope_signature_and_class_header() -> None:
    atoms = atomize(PY, "todo/repo.py", config=SMALL).atoms
    pieces = [a for a in atoms if a.name == "TodoRepository.add"]
    assert pieces[0].context.enclosing_scope == "class TodoRepository:"
    tail = pieces[-1]
    assert tail.kind == "block"
    assert tail.context.enclosing_scope == (
        "class TodoRepository:\n    def add(self, todo: Todo, priority: Priority) -> Todo:"
    )


def test_types_from_annotations() -> None:
    atoms = atomize(PY, "todo/repo.py", config=SMALL).atoms
    add = atom_named(atoms, "TodoRepository.add")
    assert "class Todo: ..." in add.context.types
    assert "Priority (from .model)" in add.context.types
    save = atom_named(atoms, "TodoRepository.save")
    assert not any("Optional" in t for t in save.context.types)  # typing is not news


def test_docstring_turned_into_pre_and_postconditions() -> None:
    atoms = atomize(PY, "todo/repo.py", config=SMALL).atoms
    add = atom_named(atoms, "TodoRepository.add")
    assert add.context.preconditions == (
        "todo: the todo to add; its title must not be empty.",
        "priority: how urgent it is.",
    )
    assert add.context.postconditions == (
        "returns: The stored todo.",
        "raises: ValueError: when the title is empty.",
    )
    # pieces of the method inherit its contract
    for piece in (a for a in atoms if a.name == "TodoRepository.add"):
        assert piece.context.preconditions == add.context.preconditions


def test_defines_uses_and_dependency_hints() -> None:
    atoms = atomize(PY, "todo/repo.py", config=SMALL).atoms
    todo = atom_named(atoms, "Todo")
    assert "Todo" in todo.context.defines
    pieces = [a for a in atoms if a.name == "TodoRepository.save"]
    last = pieces[-1]
    assert "target" in last.context.uses or "data" in last.context.uses
    assert any(
        "local of TodoRepository.save, bound in atom #" in h for h in last.context.dependency_hints
    )
    add = atom_named(atoms, "TodoRepository.add")
    assert any(
        h.startswith("Todo: module-level class in atom #") for h in add.context.dependency_hints
    )


def test_tests_that_mention_the_atom() -> None:
    tests = {
        "tests/test_repo.py": "def test_add():\n    TodoRepository('x').add(Todo('t'), 1)\n",
        "tests/test_other.py": "def test_nothing():\n    assert True\n",
    }
    atoms = atomize(PY, "todo/repo.py", config=SMALL, tests=tests).atoms
    add = atom_named(atoms, "TodoRepository.add")
    assert add.context.tests == ("tests/test_repo.py",)
    assert all("tests/test_other.py" not in a.context.tests for a in atoms)


def test_completeness_five_components_of_twenty_percent() -> None:
    atoms = atomize(PY, "todo/repo.py", config=SMALL).atoms
    for atom in atoms:
        comps = atom.context.components
        assert set(comps) == {"imports", "scope", "types", "contract", "dependencies"}
        assert abs(atom.context.completeness - round(sum(comps.values()) * 0.2, 4)) < 1e-9
    add = atom_named(atoms, "TodoRepository.add")
    assert add.context.completeness == 1.0
    save = atom_named(atoms, "TodoRepository.save")
    assert save.context.components["contract"] == 0.0  # save has no docstring
    assert save.context.completeness == 0.8


def test_unresolved_names_lower_completeness() -> None:
    source = "def f(x):\n    return mystery(x) + other\n"
    (atom,) = atomize(source).atoms
    assert set(atom.context.unresolved) == {"mystery", "other"}
    assert atom.context.components["imports"] == 0.0
    assert atom.context.completeness < 0.95


def test_star_import_covers_unknown_names() -> None:
    source = "from os.path import *\n\n\ndef f(x):\n    return join(x, 'a')\n"
    (atom,) = atomize(source).atoms
    assert atom.context.unresolved == ()
    assert atom.context.components["imports"] == 1.0


def test_builtins_keywords_attributes_strings_and_kwargs_are_not_uses() -> None:
    source = (
        "import os\n\n\ndef f(path: str) -> int:\n"
        "    '''Mentions words like json and Todo.'''\n"
        "    # a comment naming requests\n"
        "    value = len(os.getcwd()) + int('3')\n"
        "    return value.bit_length(), sorted([], key=None, reverse=True)\n"
    )
    (atom,) = atomize(source).atoms
    assert atom.context.uses == ()  # `os` is imported in this very atom
    assert atom.context.unresolved == ()
    assert set(atom.context.defines) == {"os", "f"}


def test_to_dict_is_json_ready() -> None:
    import json

    atoms = atomize(PY, "todo/repo.py").atoms
    for atom in atoms:
        data = atom.to_dict()
        text = json.dumps(data)
        assert json.loads(text)["id"] == atom.id
        for key in (
            "file", "ordinal", "id", "kind", "start_byte", "end_byte", "start_line", "end_line",
            "loc", "complexity", "oversized", "atomicity_score", "completeness", "code",
            "context", "atomicity",
        ):  # fmt: skip
            assert key in data


def test_non_utf8_atom_json_carries_exact_bytes() -> None:
    import base64

    (atom,) = atomize(b"x = '\xff'\n").atoms
    data = atom.to_dict()
    assert base64.b64decode(str(data["code_base64"])) == b"x = '\xff'\n"
