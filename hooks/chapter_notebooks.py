"""Every chapter as a Jupyter notebook: its prose as Markdown cells, its examples as code.

A chapter's examples are doctests (and a few plain blocks), which a reader copies one at
a time. The same chapter as a notebook runs top to bottom: each doctest's source becomes
code (prompts and expected output dropped), and a new cell starts after each example
that prints, so that every value the page shows is the output of a cell. Prose, maths
and non-Python fences stay Markdown; a listing included from the library's source
(``--8<-- "file.py:section"``) is expanded into a Markdown code block, since it is shown,
not run; so is a block the page's tests may skip (one that needs PyTorch, say). Links to other pages and figures become links to the published site.

`chapter_to_notebook` does the conversion; the build offers each chapter's notebook as
``chapters/<slug>.ipynb`` (the download button on the page), and the test suite runs
every one of them.
"""

from __future__ import annotations

import doctest
import re
import textwrap
from pathlib import Path

import nbformat
from nbformat import v4

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
SKIP = re.compile(r"<!--\s*skip:\s*next\b.*?-->")
SKIP_START = re.compile(r"<!--\s*skip:\s*start\b.*?-->")
SKIP_END = re.compile(r"<!--\s*skip:\s*end\b.*?-->")
SNIPPET = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$')
LINK = re.compile(r"\]\((?P<target>(?!https?:|#|mailto:)[^)\s]+)\)")
PYTHON = {"pycon", "python", "py"}
ROOT = Path(__file__).resolve().parents[1]


def _language(info: str) -> str:
    return re.match(r"^\{?\s*\.?([\w+-]*)", info.strip()).group(1)


def _section(path: str, section: str | None) -> str:
    """The lines of a library file between its ``[start:section]`` and ``[end:section]`` markers."""
    lines = (ROOT / path).read_text().splitlines()
    if section is None:
        return "\n".join(line for line in lines if "--8<--" not in line)
    start = next(i for i, line in enumerate(lines) if f"[start:{section}]" in line)
    end = next(i for i, line in enumerate(lines) if f"[end:{section}]" in line)
    return textwrap.dedent("\n".join(lines[start + 1 : end]))


def _site_url(target: str, page: str, site_url: str) -> str:
    """A page-relative link of the Markdown source, as an absolute link into the site."""
    path, _, anchor = target.partition("#")
    base = Path(page).parent
    resolved = (base / path).as_posix()
    parts: list[str] = []
    for part in resolved.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    resolved = "/".join(parts)
    if resolved.endswith(".md"):
        resolved = resolved[: -len(".md")]
        resolved = "" if resolved == "index" else resolved + "/"
    return site_url.rstrip("/") + "/" + resolved + ("#" + anchor if anchor else "")


def _doctest_cells(body: str) -> list:
    """Code cells from a doctest: a new cell after every example that prints something."""
    cells, pending = [], []
    for example in doctest.DocTestParser().get_examples(body):
        pending.append(example.source.rstrip("\n"))
        if example.want or example.exc_msg:
            cell = v4.new_code_cell("\n".join(pending))
            if example.exc_msg:
                cell.metadata["tags"] = ["raises-exception"]  # nbclient runs on past it
            cell.metadata["nnbook_expected"] = example.want
            cells.append(cell)
            pending = []
    if pending:
        cells.append(v4.new_code_cell("\n".join(pending)))
    return cells


def chapter_to_notebook(markdown: str, page: str = "chapters/chapter.md",
                        site_url: str = "https://example.org/") -> nbformat.NotebookNode:
    """The notebook of one chapter's Markdown source (see the module's docstring).

    ``page`` is the chapter's path under ``docs/`` and ``site_url`` the published site's
    address; together they turn the page's relative links into absolute ones.
    """
    cells: list = []
    prose: list[str] = []

    def flush_prose():
        text = "\n".join(prose).strip("\n")
        if text.strip():
            text = LINK.sub(lambda m: f"]({_site_url(m.group('target'), page, site_url)})", text)
            cells.append(v4.new_markdown_cell(text))
        prose.clear()

    lines = markdown.splitlines()
    i, skip_next, skip_range = 0, False, False
    while i < len(lines):
        line = lines[i]
        if SKIP.search(line):
            skip_next = True
            i += 1
            continue
        if SKIP_START.search(line) or SKIP_END.search(line):
            # A range the test run may skip (e.g. it needs PyTorch): shown, not run.
            skip_range = bool(SKIP_START.search(line))
            i += 1
            continue
        opening = FENCE.match(line)
        if not opening:
            prose.append(line)
            i += 1
            continue
        indent, fence, info = opening["indent"], opening["fence"], opening["info"]
        j = i + 1
        while j < len(lines) and not re.match(rf"^{re.escape(indent)}{fence[0]}{{{len(fence)},}}\s*$", lines[j]):
            j += 1
        body = textwrap.dedent("\n".join(lines[i + 1 : j]))
        language = _language(info)
        if language in PYTHON and not (skip_next or skip_range):
            flush_prose()
            if body.lstrip().startswith(">>>"):
                cells.extend(_doctest_cells(body))
            else:
                cells.append(v4.new_code_cell(body.strip("\n")))
        else:
            snippet = SNIPPET.match(body) if body.count("\n") == 0 else None
            if snippet:
                body = _section(snippet["path"], snippet["section"])
            prose.append(f"```{language}\n{body}\n```")
        skip_next = False
        i = j + 1
    flush_prose()
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook


def on_files(files, config):
    from mkdocs.structure.files import File

    site_url = config.get("site_url") or "http://127.0.0.1:8000/"
    for file in list(files):
        uri = file.src_uri
        if uri.startswith("chapters/") and uri.endswith(".md"):
            notebook = chapter_to_notebook(Path(file.abs_src_path).read_text(), uri, site_url)
            files.append(File.generated(config, uri[: -len(".md")] + ".ipynb",
                                        content=nbformat.writes(notebook)))
    return files
