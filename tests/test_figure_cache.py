"""The figure and lab caches are keyed by the sources their output depends on, never by time stamps."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the figure hook needs the docs tools")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))
import figures  # noqa: E402


def test_the_key_changes_with_the_script_and_with_the_library(tmp_path, monkeypatch):
    (tmp_path / "nnbook").mkdir()
    library = tmp_path / "nnbook" / "core.py"
    library.write_text("x = 1\n")
    script = tmp_path / "demo.py"
    script.write_text("FIGURES = {}\n")
    monkeypatch.setattr(figures, "ROOT", tmp_path)
    first = figures.source_key(script)
    assert figures.source_key(script) == first  # the same sources, the same key
    script.write_text("FIGURES = {}  # edited\n")
    second = figures.source_key(script)
    assert second != first
    library.write_text("x = 2\n")
    third = figures.source_key(script)
    assert third != second
    # rewriting a file with the same text (a new time stamp) changes nothing
    library.write_text("x = 2\n")
    assert figures.source_key(script) == third


def test_the_lab_cache_key_changes_with_the_library(tmp_path, monkeypatch):
    """The executed labs are reused only while nnbook's source and the libraries are unchanged."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_nnbook_hook_notebooks", ROOT / "hooks" / "notebooks.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    before = hook.lab_key()
    assert hook.lab_key() == before
    library = tmp_path / "nnbook"
    library.mkdir()
    (library / "__init__.py").write_text("x = 1\n")
    monkeypatch.setattr(hook, "ROOT", tmp_path)
    first = hook.lab_key()
    (library / "__init__.py").write_text("x = 2\n")
    assert hook.lab_key() != first != before
