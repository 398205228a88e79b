"""Small plans built in code for tests (the examples/ plans are exercised end to end)."""

from __future__ import annotations

import textwrap

MODELS = textwrap.dedent(
    '''\
    """Todo items."""

    from dataclasses import dataclass


    @dataclass
    class Item:
        """One thing to do."""

        title: str
        done: bool = False

        def complete(self) -> "Item":
            """Return a done copy."""
            return Item(self.title, True)
    '''
)

REPO = textwrap.dedent(
    '''\
    """Storage of items."""

    from shop.models import Item


    class Repository:
        """Keeps items in memory."""

        def __init__(self) -> None:
            self._items: list[Item] = []

        def add(self, title: str) -> Item:
            """Store a new item."""
            item = Item(title)
            self._items.append(item)
            return item

        def pending(self) -> list[Item]:
            """Items not done yet."""
            return [i for i in self._items if not i.done]


    def make_repository() -> Repository:
        return Repository()
    '''
)


TESTS = textwrap.dedent(
    """\
    from shop.repository import Repository


    def test_add():
        assert Repository().add("x").title == "x"
    """
)


def small_plan(name: str = "shop", **extra: object) -> dict[str, object]:
    plan: dict[str, object] = {
        "name": name,
        "language": "python",
        "phases": [
            {
                "name": "Core",
                "milestones": [
                    {
                        "name": "Storage",
                        "tasks": [
                            {
                                "key": "models",
                                "name": "Models",
                                "file": "shop/models.py",
                                "reference": MODELS,
                            },
                            {
                                "key": "repo",
                                "name": "Repository",
                                "file": "shop/repository.py",
                                "depends_on": ["models"],
                                "reference": REPO,
                                "tests": TESTS,
                                "test_file": "tests/test_repository.py",
                            },
                        ],
                    }
                ],
            }
        ],
    }
    plan.update(extra)
    return plan


def single_milestone_plan(name: str, *tasks: tuple[str, str]) -> dict[str, object]:
    """A plan document of one phase and one milestone: a task per (key, reference code),
    each in its own file `calc/<key>.py`."""
    return {
        "name": name,
        "phases": [
            {
                "name": "P",
                "milestones": [
                    {
                        "name": "M",
                        "tasks": [
                            {"key": key, "name": key, "file": f"calc/{key}.py", "reference": code}
                            for key, code in tasks
                        ],
                    }
                ],
            }
        ],
    }
