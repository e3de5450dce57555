"""Every public name of the library carries an example, and the run executes it.

The examples themselves are collected from the docstrings by Sybil (conftest.py); this
test makes sure a new public function or class cannot arrive without one.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

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
