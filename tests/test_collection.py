"""Nothing in the book escapes the test run.

The stock Sybil Markdown parser silently ignores fences it does not recognise (a
```` ```pycon ```` block holding ``assert False`` would pass). These tests parse every
page independently of Sybil, count its fences, and check that the collector used by
the test run (conftest.py) takes every Python one, that every other fence has a known
non-Python language, and that every skip states its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sybil import Document

from booktest import PYTHON_FENCES, BookCodeBlockParser, fence_language

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").rglob("*.md"))
# Fences that hold something other than Python, shown but not run.
NOT_PYTHON = {"text", "bash", "console", "shell", "sh", "toml", "yaml", "json", "tex", "latex", "dot", "html", "css", "javascript"}
OPENING = re.compile(r"^(?P<indent>[ \t]*(?:>[ \t]*)*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def fences(text: str) -> list[str]:
    """The info string of every fenced code block in ``text`` (CommonMark's open/close rules)."""
    found, open_fence = [], None
    for line in text.splitlines():
        m = OPENING.match(line)
        if not m:
            continue
        fence, info = m["fence"], m["info"].strip()
        if open_fence is None:
            if fence[0] == "`" and "`" in info:
                continue  # an inline code span, not a fence
            open_fence = fence
            found.append(info)
        elif fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not info:
            open_fence = None
    assert open_fence is None, "a fence is never closed"
    return found


def test_the_book_has_pages():
    assert ROOT.joinpath("docs", "index.md") in PAGES


def test_conftest_collects_every_page():
    import conftest

    missed = [p for p in PAGES if not conftest.book.should_parse(p)]
    assert not missed, f"pages the test run would not collect: {missed}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_fence_is_collected(page):
    text = page.read_text(encoding="utf-8")
    languages = [fence_language(info) for info in fences(text)]
    unknown = sorted({lang for lang in languages if lang not in PYTHON_FENCES + tuple(NOT_PYTHON)})
    assert not unknown, f"fences with a language that is neither run nor known to be non-Python: {unknown}"
    invisible = len(re.findall(r"<!--\s*invisible-code-block:\s*python", text))
    expected = sum(lang in PYTHON_FENCES for lang in languages) + invisible
    document = Document(text, str(page))
    collected = list(BookCodeBlockParser().blocks(document))
    assert len(collected) == expected, f"{page.name}: {expected} Python blocks, {len(collected)} collected"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_skip_gives_a_reason(page):
    for directive in re.findall(r"<!--\s*skip:([^>]*)-->", page.read_text(encoding="utf-8")):
        assert re.match(r'\s*(next|start)\s+"[^"]{8,}"', directive) or directive.strip() == "end", (
            f"{page.name}: skip without a reason: {directive.strip()!r}"
        )


def test_the_fence_counter_sees_what_sybil_would_miss():
    """The check above is only worth something if a pycon or titled fence is counted."""
    text = '```pycon\n>>> 1\n1\n```\n\n```python title="x.py"\nx = 1\n```\n\n~~~text\n```\n~~~\n'
    assert [fence_language(i) for i in fences(text)] == ["pycon", "python", "text"]
    assert len(list(BookCodeBlockParser().blocks(Document(text, "x.md")))) == 2
