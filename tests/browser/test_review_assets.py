"""The review page's assets: how they are served, and the page's JavaScript modules (line
diff, highlighter, element builder) run in Chromium on their own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

from api.review_page import STATIC_DIR, router
from tests.browser.harness import served

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page


def page_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app


@asynccontextmanager
async def make_page_app() -> AsyncIterator[FastAPI]:
    yield page_app()


async def test_page_and_assets_are_served_with_a_strict_policy() -> None:
    transport = httpx.ASGITransport(app=page_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://mge") as http:
        page = await http.get("/review")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert page.headers["x-content-type-options"] == "nosniff"
        script = await http.get("/review/static/app.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        style = await http.get("/review/static/review.css")
        assert style.headers["content-type"].startswith("text/css")
        for bad in (
            "/review/static/%2e%2e/review_page.py",
            "/review/static/..%2fapp.py",
            "/review/static/missing.js",
            "/review/static/",
        ):
            assert (await http.get(bad)).status_code == 404, bad


def test_assets_load_nothing_from_outside_and_never_build_markup_from_text() -> None:
    files = sorted(p for p in STATIC_DIR.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"index.html", "app.js", "review.css"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), path.name
        if path.suffix == ".js":
            for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
                assert sink not in text, f"{path.name} uses {sink}"


@pytest.fixture
async def module_page(browser_context: BrowserContext) -> AsyncIterator[Page]:
    async with served(make_page_app) as server:
        pages = browser_context.pages
        page = pages[0] if pages else await browser_context.new_page()
        # Any same-origin document will do: the modules are imported into it.
        await page.goto(f"{server.base_url}/review/static/review.css")
        yield page


async def run_module(page: Page, module: str, body: str) -> Any:
    script = f"async () => {{ const m = await import('/review/static/{module}'); {body} }}"
    return await page.evaluate(script)


@pytest.mark.browser
async def test_line_diff(module_page: Page) -> None:
    rows = await run_module(
        module_page, "diff.js", "return m.diffLines('a\\nb\\nc\\n', 'a\\nx\\nc\\n');"
    )
    assert rows == [
        {"op": " ", "text": "a", "oldLine": 1, "newLine": 1},
        {"op": "-", "text": "b", "oldLine": 2, "newLine": None},
        {"op": "+", "text": "x", "oldLine": None, "newLine": 2},
        {"op": " ", "text": "c", "oldLine": 3, "newLine": 3},
    ]
    added = await run_module(module_page, "diff.js", "return m.diffLines('', 'p\\nq');")
    assert [(r["op"], r["newLine"]) for r in added] == [("+", 1), ("+", 2)]
    moved = await run_module(
        module_page,
        "diff.js",
        "return m.diffStats(m.diffLines('1\\n2\\n3\\n4\\n', '2\\n3\\n4\\n1\\n'));",
    )
    assert moved == {"added": 1, "removed": 1}, "a minimal diff, not a rewrite"
    folded = await run_module(
        module_page,
        "diff.js",
        "const a = Array.from({length: 20}, (_, i) => `l${i}`);"
        "const b = a.slice(); b[10] = 'changed';"
        "const rows = m.foldContext(m.diffLines(a.join('\\n'), b.join('\\n')));"
        "return rows.map(r => r.op + (r.count ?? ''));",
    )
    assert folded == ["…7", " ", " ", " ", "-", "+", " ", " ", " ", "…6"]


@pytest.mark.browser
async def test_highlighter_knows_strings_from_comments(module_page: Page) -> None:
    tokens = await run_module(
        module_page,
        "highlight.js",
        "return m.tokenize('s = \"# no\"  # yes\\nif x: pass', 'python').filter(t => t.type);",
    )
    assert tokens == [
        {"type": "str", "text": '"# no"'},
        {"type": "com", "text": "# yes"},
        {"type": "kw", "text": "if"},
        {"type": "kw", "text": "pass"},
    ]
    lines = await run_module(
        module_page,
        "highlight.js",
        'return m.tokenLines(\'x = """one\\ntwo"""\\ny = 1\\n\', \'python\')'
        ".map(l => l.filter(t => t.type).map(t => t.type + ':' + t.text));",
    )
    assert lines == [['str:"""one'], ['str:two"""'], ["num:1"]]
    ecma = await run_module(
        module_page,
        "highlight.js",
        "const code = 'const r = a / b / c; const re = /x\"y/g; // c\\n`t ${v}`';"
        "const tokens = m.tokenize(code, 'typescript').filter(t => t.type);"
        "return tokens.map(t => t.type + ':' + t.text);",
    )
    assert ecma == [
        "kw:const",
        "kw:const",
        'str:/x"y/g',
        "com:// c",
        "str:`t ${v}`",
    ]


@pytest.mark.browser
async def test_elements_are_built_from_text_never_from_markup(module_page: Page) -> None:
    result = await run_module(
        module_page,
        "dom.js",
        "const text = '<img src=x onerror=alert(1)>';"
        "const el = m.h('div', {text}, '<b>x</b>', m.h('span', {}, 'y'));"
        "return [el.childElementCount, el.textContent];",
    )
    assert result == [1, "<img src=x onerror=alert(1)><b>x</b>y"]
