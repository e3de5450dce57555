"""Keep the labs (mkdocs-jupyter notebook pages) on the site's own origin.

nbconvert's page template loads MathJax from a CDN and carries a Mermaid loader that
imports from a CDN. The labs need neither: their math is typeset at build time by
``hooks/katex.py`` and they hold no Mermaid diagrams. Both blocks are cut out of each
notebook page, and the build fails (an error, under ``--strict``) if anything left in
it would still fetch from another origin.

nbconvert gives every plot the same placeholder alt text. A lab describes each plot in
an ``<!-- alt: … -->`` comment at the top of the Markdown cell that follows it; that
text replaces the placeholder, and a plot without one fails the build.

Executed labs are cached (mkdocs-jupyter's own cache, keyed on the notebook's text and
its options) in a directory named by a hash of everything else their output depends on:
the source of every module of nnbook and the versions of the libraries the labs use
(`on_config`). An edit to a lab reruns that lab; an edit to the library reruns them
all; nothing is ever reused by time stamp. ``NNBOOK_LAB_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import re
import shutil
from html import escape
from pathlib import Path

from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.notebooks")

ROOT = Path(__file__).resolve().parent.parent
LAB_CACHE = ROOT / ".cache" / "labs"
LAB_LIBRARIES = ("numpy", "scikit-learn", "matplotlib", "tqdm", "nbconvert", "mkdocs-jupyter")


def lab_key() -> str:
    """A hash of nnbook's source and of the versions of the libraries the labs run on."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "nnbook").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    for name in LAB_LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name} {version}".encode())
    return digest.hexdigest()[:20]


def on_config(config):
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None:
        return config
    if os.environ.get("NNBOOK_LAB_CACHE", "1") == "0":
        jupyter.config["cache"] = False
        return config
    here = LAB_CACHE / lab_key()
    if LAB_CACHE.is_dir():  # what an older library ran is never shown again
        for old in LAB_CACHE.iterdir():
            if old != here:
                shutil.rmtree(old, ignore_errors=True)
    jupyter.config["cache"], jupyter.config["cache_dir"] = True, str(here)
    return config

OFFSITE_BLOCKS = [
    # nbconvert's base/mathjax.html.j2
    re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL),
    # nbconvert's mermaidjs.html.j2: a module script, its style, then this comment.
    re.compile(
        r"<script type=\"module\">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>"
        r"\s*<style>.*?</style>\s*<!-- End of mermaid configuration -->",
        re.DOTALL,
    ),
]
PLACEHOLDER_ALT = 'alt="No description has been provided for this image"'
ALT_COMMENT = re.compile(r"<!--\s*alt:\s*(.*?)\s*-->", re.DOTALL)
FETCH = re.compile(r"""(?:\bsrc=|\bimport\s*\(|url\()\s*["']?(https?:)?//""", re.IGNORECASE)


# Before print-site copies the page into the one-page book (plugins run before hooks).
@event_priority(50)
def on_page_content(html, page, config, files):
    if Path(page.file.src_uri).suffix not in {".py", ".ipynb"}:
        return html
    for block in OFFSITE_BLOCKS:
        html = block.sub("", html)
    html = _describe_plots(html, page.file.src_uri)
    # Whatever another nbconvert version adds that would still fetch from elsewhere:
    for m in FETCH.finditer(html):
        log.error(
            "notebooks: %s would fetch from another origin: %r",
            page.file.src_uri, html[max(m.start() - 40, 0) : m.end() + 60],
        )
    return html


def _describe_plots(html: str, name: str) -> str:
    """Give each plot the alt text of the first ``<!-- alt: … -->`` comment after it."""
    pieces, pos = [], 0
    while (start := html.find(PLACEHOLDER_ALT, pos)) >= 0:
        comment = ALT_COMMENT.search(html, start)
        if comment is None:
            log.error(
                "notebooks: %s: a plot has no description; start the Markdown cell after "
                "it with <!-- alt: what the plot shows -->", name,
            )
            break
        pieces += [html[pos:start], f'alt="{escape(comment.group(1), quote=True)}"']
        pos = start + len(PLACEHOLDER_ALT)
    return "".join(pieces) + html[pos:]


STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style>", re.DOTALL)


@event_priority(-100)  # after print-site has written the one-page book
def on_post_build(config):
    """Keep one copy of each notebook stylesheet in the one-page book.

    Every lab page carries the same inline JupyterLab CSS (~590 KB); the one-page book
    would repeat it for each lab. A repeated block changes nothing in the cascade, so
    all copies after the first are dropped (about 3.5 MB of a 13 MB page)."""
    path = Path(config["site_dir"]) / "print_page" / "index.html"
    if not path.is_file():
        return
    seen: set[str] = set()

    def first_copy(match: re.Match) -> str:
        block = match.group(0)
        if block in seen:
            return ""
        seen.add(block)
        return block

    output = path.read_text(encoding="utf-8")
    path.write_text(STYLE_BLOCK.sub(first_copy, output), encoding="utf-8")
