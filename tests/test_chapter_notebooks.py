"""Every chapter as a notebook runs top to bottom and prints what the page prints.

The notebooks are made by hooks/chapter_notebooks.py (the build offers them for
download); here each is made again from the chapter's source and executed in a fresh
kernel, and every cell that ends in a doctest's printed value must print that value.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))
from chapter_notebooks import chapter_to_notebook  # noqa: E402

nbclient = pytest.importorskip("nbclient")
CHAPTERS = sorted((ROOT / "docs" / "chapters").glob("*.md"))


def _printed(cell) -> str:
    text = []
    for out in cell.outputs:
        if out.output_type == "stream" and out.name == "stdout":
            text.append(out.text)
        elif out.output_type == "execute_result":
            text.append(out.data.get("text/plain", "") + "\n")
    return "".join(text)


def _normal(text: str) -> str:
    return " ".join(text.replace("<BLANKLINE>", "").split())


def test_a_doctest_becomes_cells_that_end_where_output_is_shown():
    page = "Some prose with a [link](other.md#part).\n\n```pycon\n>>> a = 1\n>>> a + 1\n2\n>>> b = 3\n```\n"
    nb = chapter_to_notebook(page, "chapters/x.md", "https://book.example/")
    kinds = [(c.cell_type, c.source) for c in nb.cells]
    assert kinds == [("markdown", "Some prose with a [link](https://book.example/chapters/other/#part)."),
                     ("code", "a = 1\na + 1"), ("code", "b = 3")]
    assert nb.cells[1].metadata["nnbook_expected"] == "2\n"


def test_a_skipped_listing_is_shown_from_the_source():
    page = '<!-- skip: next "shown" -->\n```python\n--8<-- "nnbook/autodiff.py:topological_order"\n```\n'
    (cell,) = chapter_to_notebook(page).cells
    assert cell.cell_type == "markdown" and "def topological_order(" in cell.source and "8<--" not in cell.source


def _execute(chapter: Path):
    """The chapter's notebook, executed in a fresh kernel."""
    nb = chapter_to_notebook(chapter.read_text(), f"chapters/{chapter.name}")
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return nb


_runs: dict[str, tuple[threading.Event, list]] = {}


def start_notebooks(stems: list[str]) -> None:
    """Execute these chapters' notebooks one after another in a background thread.

    ``conftest.py`` calls this once the tests are collected: the kernels are processes
    of their own, so they run while the rest of the suite does, and each test below
    waits for its chapter's result."""
    todo = [stem for stem in stems if stem not in _runs]
    for stem in todo:
        _runs[stem] = (threading.Event(), [])

    def run() -> None:
        for stem in todo:
            done, result = _runs[stem]
            try:
                result.append(_execute(ROOT / "docs" / "chapters" / f"{stem}.md"))
            except BaseException as error:  # handed to the test, which raises it
                result.append(error)
            done.set()

    threading.Thread(target=run, name="chapter notebooks", daemon=True).start()


def _executed(chapter: Path):
    if chapter.stem not in _runs:
        start_notebooks([chapter.stem])
    done, result = _runs[chapter.stem]
    done.wait()
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_notebook_runs_and_prints_what_the_page_prints(chapter):
    nb = _executed(chapter)
    for cell in nb.cells:
        if cell.cell_type == "code" and "nnbook_expected" in cell.metadata:
            assert _normal(_printed(cell)) == _normal(cell.metadata["nnbook_expected"]), cell.source
