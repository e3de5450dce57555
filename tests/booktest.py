"""How the book's examples are collected: every Python fence in docs/ runs.

A fence whose info string starts with ``pycon``, ``python`` or ``py`` (attributes such
as ``title="…"`` allowed) is collected: as a doctest if it starts with ``>>>``,
otherwise executed as a plain block. The stock Sybil parser only takes a fence whose
info string is exactly ``python``; `tests/test_collection.py` proves that nothing here
is silently left out.
"""

from __future__ import annotations

import doctest
import re

from sybil.evaluators.doctest import DocTestEvaluator
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.abstract.doctest import DocTestStringParser
from sybil.parsers.markdown import CodeBlockParser

PYTHON_FENCES = ("pycon", "python", "py")
DOCTEST_FLAGS = doctest.NORMALIZE_WHITESPACE
_LANGUAGE = re.compile(r"^\{?\s*\.?([\w+-]*)")


def fence_language(info: str) -> str:
    """The language word of a fence's info string: ``pycon title="x"`` → ``pycon``."""
    return _LANGUAGE.match(info.strip()).group(1)


class BookCodeBlockParser(CodeBlockParser):
    """Collects every Python-like fence (and invisible code block) of a Markdown file."""

    language = "python"

    def __init__(self) -> None:
        super().__init__()
        self.doctests = DocTestStringParser(DocTestEvaluator(DOCTEST_FLAGS))
        self.code = PythonEvaluator()

    def blocks(self, document):
        """The Python regions of ``document``, one per fence or invisible block."""
        for region in self.lexers(document):
            if fence_language(region.lexemes["arguments"]) in PYTHON_FENCES:
                yield region

    def __call__(self, document):
        for region in self.blocks(document):
            source = region.lexemes["source"]
            if source.lstrip().startswith(">>>"):
                for example in self.doctests(source, document.path):
                    example.adjust(region, source)
                    yield example
            else:
                region.parsed = source
                region.evaluator = self.code
                yield region
