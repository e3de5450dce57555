"""Sybil: run the book's chapters (docs/**/*.md) and the library's docstring examples."""

import sys
from pathlib import Path

import numpy as np
from sybil import Sybil
from sybil.parsers.markdown import SkipParser
from sybil.parsers.rest import DocTestParser

import nnbook

sys.path.insert(0, str(Path(__file__).parent / "tests"))
from booktest import DOCTEST_FLAGS, BookCodeBlockParser  # noqa: E402


def _fresh_state(namespace):
    """Each page starts as a reader's fresh session does: numpy's default print options,
    and nnbook's default generator as it is at import (so ``rng=None`` draws do not
    depend on which pages ran before)."""
    nnbook.seed(0)
    np.set_printoptions(
        edgeitems=3, infstr="inf", linewidth=75, nanstr="nan", precision=8,
        suppress=False, threshold=1000, formatter=None, sign="-", floatmode="maxprec",
    )


book = Sybil(
    parsers=[BookCodeBlockParser(), SkipParser()],
    path="docs",
    patterns=["*.md"],
    setup=_fresh_state,
    name="book",
)
docstrings = Sybil(
    parsers=[DocTestParser(optionflags=DOCTEST_FLAGS)],
    path="nnbook",
    patterns=["*.py"],
    setup=_fresh_state,
    name="docstrings",
)

pytest_collect_file = (book + docstrings).pytest()


# The tests that read the built site (test_site.py, test_browser.py) run last, and the
# build they share starts in the background as soon as the tests are collected, so it
# runs on the second core while the rest of the suite runs on the first; so do the
# chapters' notebooks (tests/test_chapter_notebooks.py).
SITE_TESTS = ("tests/test_site.py", "tests/test_browser.py")
NOTEBOOK_TESTS = "tests/test_chapter_notebooks.py"


def pytest_collection_modifyitems(session, config, items):
    # Last the site's tests; before them the notebooks', whose kernels had the most time.
    items.sort(key=lambda item: 2 if item.nodeid.startswith(SITE_TESTS)
               else 1 if item.nodeid.startswith(NOTEBOOK_TESTS) else 0)


def pytest_collection_finish(session):
    """Start what runs beside the tests: the site build, and the chapters' notebooks
    (each in a kernel process of its own, one after another, from a thread)."""
    if session.config.option.collectonly:
        return
    if any({"site", "site_url"} & set(item.fixturenames) for item in session.items):
        import test_site

        test_site.start_build()
    notebooks = [item.callspec.id for item in session.items  # the tests, one per chapter
                 if item.nodeid.startswith(NOTEBOOK_TESTS) and hasattr(item, "callspec")]
    if notebooks:
        import test_chapter_notebooks

        test_chapter_notebooks.start_notebooks(notebooks)


def pytest_sessionfinish(session):
    test_site = sys.modules.get("test_site")
    if test_site is not None:
        test_site.stop_build()
