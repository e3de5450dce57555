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
