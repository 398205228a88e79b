"""Dangerous patterns: each one found, and the harmless look-alikes left alone."""

from __future__ import annotations

import textwrap

import pytest

from domain.validation.dangerous import find_dangers
from domain.validation.names import parse
from tests.unit.validation.examples import python_tasks, typescript_tasks


def kinds(code: str, path: str = "m.py") -> list[tuple[int, str]]:
    return [(d.line, d.kind) for d in find_dangers(parse(textwrap.dedent(code), path))]


def test_the_examples_are_clean() -> None:
    for task in python_tasks() + typescript_tasks():
        assert find_dangers(parse(task["reference"], task["file"])) == [], task["key"]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("eval(user_input)", "eval"),
        ("exec(compile(source, 'f', 'exec'))", "eval"),
        ("import os\nos.system('ls ' + name)", "shell"),
        ("import os\nos.popen(cmd)", "shell"),
        ("import subprocess\nsubprocess.run(cmd, shell=True)", "shell"),
        ("import pickle\npickle.loads(data)", "deserialization"),
        ("from pickle import load\nload(stream)", "deserialization"),
        ("import yaml\nyaml.load(text)", "deserialization"),
        ('cur.execute("SELECT * FROM users WHERE name = \'" + name + "\'")', "sql_injection"),
        ('cur.execute(f"DELETE FROM users WHERE id = {user_id}")', "sql_injection"),
        ('q = "UPDATE t SET a = %s" % value\ncur.execute(q)', "sql_injection"),
        ('db.execute("INSERT INTO t VALUES ({})".format(v))', "sql_injection"),
        ("password = 'hunter2-but-longer'", "secret"),
        ("connect(host='db', api_key='a8f9d0c7e6b5')", "secret"),
        ("settings = {'client_secret': 'Zx81kdP0q2'}", "secret"),
        ("def login(user, password='s3cret-pass'): ...", "secret"),
        ("KEY = 'AKIAIOSFODNN7EXAMPLE'", "secret"),
    ],
)
def test_python_true_positives(code: str, kind: str) -> None:
    assert kind in [k for _, k in kinds(code)], kinds(code)


@pytest.mark.parametrize(
    "code",
    [
        "eval('1 + 1')",
        "model.eval()",
        "import ast\nast.literal_eval(text)",
        "# eval(user_input) in a comment\ns = 'os.system(x)'",
        "import subprocess\nsubprocess.run(['ls', path], shell=False)",
        "import yaml\nyaml.load(text, Loader=yaml.SafeLoader)",
        "import json\njson.loads(data)",
        "cur.execute('SELECT * FROM users WHERE name = %s', (name,))",
        "cur.execute('SELECT 1')",
        "message = 'select an item from the list: ' + name",
        "password = ''",
        "password = os.environ['DB_PASSWORD']",
        "api_key = 'OPENAI_API_KEY'",
        "token_type = 'bearer'",
        "password_hint = 'your first pet'",
        "prompt = 'Enter your password:'",
        "password = '<your password>'",
        "token = None",
    ],
)
def test_python_true_negatives(code: str) -> None:
    assert kinds(code) == []


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("eval(input);", "eval"),
        ("const f = new Function('a', body);", "eval"),
        ("import { exec } from 'child_process';\nexec(`rm -rf ${dir}`);", "shell"),
        ("spawn(cmd, args, { shell: true });", "shell"),
        ("db.query(`SELECT * FROM t WHERE a = '${a}'`);", "sql_injection"),
        ("const apiKey = 'abcdef123456';", "secret"),
        ("this.password = 'hunter2-longer';", "secret"),
    ],
)
def test_typescript_true_positives(code: str, kind: str) -> None:
    assert kind in [k for _, k in kinds(code, "a.ts")], kinds(code, "a.ts")


@pytest.mark.parametrize(
    "code",
    [
        "const x = JSON.parse(text);",
        "db.query('SELECT * FROM t WHERE a = $1', [a]);",
        "const password = process.env.PASSWORD;",
        "regex.exec(text);",
        "const message = `hello ${name}`;",
    ],
)
def test_typescript_true_negatives(code: str) -> None:
    assert kinds(code, "a.ts") == []


def test_a_byte_range_limits_what_is_reported() -> None:
    parsed = parse("eval(a)\nx = 1\neval(b)\n", "m.py")
    assert [d.line for d in find_dangers(parsed, 8, 14)] == []
    assert [d.line for d in find_dangers(parsed, 14)] == [3]
