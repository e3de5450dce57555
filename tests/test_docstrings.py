"""Every public name of the library carries an example, and the run executes it.

The examples themselves are collected from the docstrings by Sybil (conftest.py); this
test makes sure a new public function or class cannot arrive without one.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import io
import pkgutil

import numpy as np
import pytest

import nnbook

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(nnbook.__path__, prefix="nnbook.")
)
PUBLIC = [
    pytest.param(module, name, id=f"{module}.{name}")
    for module in ["nnbook", *MODULES]
    for name in getattr(importlib.import_module(module), "__all__", [])
    if inspect.isfunction(obj := getattr(importlib.import_module(module), name))
    or inspect.isclass(obj)
]


def test_every_module_declares_its_public_names():
    missing = [m for m in MODULES if not hasattr(importlib.import_module(m), "__all__")]
    assert not missing, f"modules without __all__: {missing}"


@pytest.mark.parametrize("module, name", PUBLIC)
def test_public_name_has_a_docstring_example(module, name):
    doc = inspect.getdoc(getattr(importlib.import_module(module), name)) or ""
    assert "Examples\n--------" in doc and ">>>" in doc, f"{module}.{name} has no Examples section"


def _docstring_examples():
    finder = doctest.DocTestFinder(exclude_empty=True)
    for module in ["nnbook", *MODULES]:
        mod = importlib.import_module(module)
        for test in finder.find(mod, module, globs={}):
            if test.examples and test.name.split(".")[-1] != "__test__":
                yield pytest.param(test, id=test.name)


@pytest.mark.parametrize("test", list(_docstring_examples()))
def test_docstring_example_runs_when_copied_alone(test):
    """Each docstring's example imports what it uses: it runs in an empty namespace.

    Sybil runs a module's examples one after another in a shared namespace; a reader
    copies one example from the reference page into a fresh interpreter.
    """
    np.set_printoptions(edgeitems=3, linewidth=75, precision=8, suppress=False, threshold=1000)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    out = io.StringIO()
    runner.run(test, out=out.write, clear_globs=True)
    assert runner.failures == 0, out.getvalue()
