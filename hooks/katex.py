"""Typeset the book's math with KaTeX when the site is built.

Every formula becomes KaTeX's HTML (with MathML for screen readers) in the built page,
so a reader's browser needs only KaTeX's CSS and fonts, served from the site itself:
no script, no CDN, math reads offline.

Where the formulas come from:

* Markdown pages (chapters, home, API reference docstrings): `pymdownx.arithmatex` in
  generic mode protects ``$…$``/``$$…$$`` from Markdown and leaves them as
  ``<span class="arithmatex">\\(…\\)</span>`` and ``<div class="arithmatex">\\[…\\]</div>``.
* Headings: Material repeats a heading's text in the table of contents, the
  navigation and the footer, where its math is left as ``\\(…\\)`` text.
* Notebook pages (mkdocs-jupyter): the Markdown cells keep ``$…$`` and ``$$…$$`` as
  text.

Text is searched outside ``pre``, ``code``, ``script``, ``style`` and ``title``.

Typesetting happens in ``on_post_page``, after the search plugin has indexed the page,
so KaTeX's glyph spans never reach the search index. One ``node`` process
(``katex_render.js``) serves the whole build; it answers one request per page. A
formula KaTeX cannot parse is logged as an error naming the page and the formula, which
fails the (strict) build; so does a formula KaTeX typesets only by guessing.

KaTeX's CSS and fonts are added to the site from ``node_modules/katex/dist`` as
generated files (``assets/katex/…``); ``mkdocs.yml`` links the CSS from every page.
"""

from __future__ import annotations

import atexit
import html
import json
import logging
import re
import shutil
import subprocess
import threading
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.katex")

ROOT = Path(__file__).resolve().parent.parent
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
WORKER = Path(__file__).resolve().parent / "katex_render.js"
SITE_DIR = "assets/katex"
INSTALL_HINT = (
    "the book's math is typeset with KaTeX from npm: install Node.js (18 or newer) and "
    f"run `npm ci` in {ROOT} (`./dev.sh serve` and `./dev.sh test` do it for you)"
)

# pymdownx.arithmatex (generic mode) output; its body is HTML-escaped TeX.
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.DOTALL
)
# Math left as text, outside the arithmatex wrappers: \(…\) and \[…\] wherever
# Material repeats a heading as text (table of contents, navigation, footer).
TEXT_MATH = re.compile(r"\\\((?P<inline>.+?)\\\)|\\\[(?P<display>.+?)\\\]", re.DOTALL)
# Notebook Markdown cells also keep $$…$$, and $…$ with no space just inside the
# dollars and no digit just after (as in Pandoc and Jupyter, so "costs $5 and $6"
# stays text); either may run over several lines of one paragraph.
NOTEBOOK_MATH = re.compile(
    r"(?<![\\$])\$\$(?P<display>.+?)\$\$"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:(?:(?!\n\s*\n)[^$])*?[^\s\\$])?)\$(?!\d)"
    r"|\\\((?P<inline2>.+?)\\\)|\\\[(?P<display2>.+?)\\\]",
    re.DOTALL,
)
# Elements whose text is never math: code, scripts, styles, the page's <title> (plain
# text only), and the arithmatex wrappers (typeset on their own).
SKIP_TAGS = {"pre", "code", "script", "style", "textarea", "kbd", "samp", "title", "math"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "param", "source", "track", "wbr"}
TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>", re.DOTALL)


class KatexWorker:
    """One long-lived ``node katex_render.js``; one JSON line in, one JSON line out."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        node = shutil.which("node")
        if node is None:
            raise PluginError(f"katex: `node` was not found on PATH; {INSTALL_HINT}")
        if not (KATEX_DIST / "katex.js").is_file():
            raise PluginError(f"katex: {KATEX_DIST} is missing; {INSTALL_HINT}")
        return subprocess.Popen(
            [node, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # node's own errors go straight to the build's output
            text=True,
            encoding="utf-8",
            bufsize=1,
            cwd=ROOT,
        )

    def render(self, formulas: list[dict]) -> list[dict]:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._start()
            try:
                self._proc.stdin.write(json.dumps({"formulas": formulas}) + "\n")
                self._proc.stdin.flush()
                line = self._proc.stdout.readline()
            except (BrokenPipeError, OSError) as err:
                self.close()
                raise PluginError(f"katex: the node worker stopped ({err})") from err
            if not line:
                self.close()
                raise PluginError("katex: the node worker exited without an answer")
            answer = json.loads(line)
            if "fatal" in answer:
                raise PluginError(f"katex: the node worker failed: {answer['fatal']}")
            return answer["results"]

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()


WORKER_PROCESS = KatexWorker()
atexit.register(WORKER_PROCESS.close)


def on_config(config):
    # Fail at the start of the build, not half-way, when KaTeX is not installed.
    if shutil.which("node") is None:
        raise PluginError(f"katex: `node` was not found on PATH; {INSTALL_HINT}")
    if not (KATEX_DIST / "katex.min.css").is_file():
        raise PluginError(f"katex: {KATEX_DIST} is missing; {INSTALL_HINT}")
    return config


def on_files(files, config):
    """Serve KaTeX's stylesheet and fonts from the site itself."""
    NOTEBOOK_PAGES.clear()
    assets = [KATEX_DIST / "katex.min.css"] + sorted((KATEX_DIST / "fonts").iterdir())
    for path in assets:
        rel = path.relative_to(KATEX_DIST).as_posix()
        files.append(File.generated(config, f"{SITE_DIR}/{rel}", abs_src_path=str(path)))
    return files


def _is_notebook(page) -> bool:
    return Path(page.file.src_uri).suffix in {".py", ".ipynb"}


def _arithmatex_formulas(output: str):
    """(start, end, tex, display) of each arithmatex element's body."""
    for m in ARITHMATEX.finditer(output):
        body = html.unescape(m.group("body")).strip()
        if body.startswith("\\(") and body.endswith("\\)"):
            tex, display = body[2:-2], False
        elif body.startswith("\\[") and body.endswith("\\]"):
            tex, display = body[2:-2], True
        else:  # a bare \begin{…}…\end{…} block
            tex, display = body, m.group("tag") == "div"
        yield m.start("body"), m.end("body"), tex.strip(), display


def _text_formulas(output: str, pattern: re.Pattern):
    """Formulas in the text of the page body, outside code, scripts and styles."""
    start = output.find("<body")
    if start < 0:
        return
    stack: list[tuple[str, bool]] = []  # open elements: (tag, text inside is skipped)
    skipping = 0
    pos = start
    for tag in TAG.finditer(output, start):
        if not skipping and tag.start() > pos:
            yield from _math_in_text(output, pos, tag.start(), pattern)
        pos = tag.end()
        closing, name, attrs, selfclosing = tag.groups()
        if name is None or selfclosing:
            continue
        name = name.lower()
        if closing:
            if any(t == name for t, _ in stack):
                while stack:
                    t, skip = stack.pop()
                    skipping -= skip
                    if t == name:
                        break
        elif name not in VOID_TAGS:
            skip = name in SKIP_TAGS or 'class="arithmatex"' in attrs
            stack.append((name, skip))
            skipping += skip


def _math_in_text(output: str, start: int, end: int, pattern: re.Pattern):
    for m in pattern.finditer(output, start, end):
        groups = m.groupdict()
        display = bool(groups.get("display") or groups.get("display2"))
        tex = next(g for g in groups.values() if g is not None)
        yield m.start(), m.end(), html.unescape(tex).strip(), display


def _typeset(output: str, pattern: re.Pattern, name: str) -> str:
    """``output`` with every formula (arithmatex and ``pattern`` in the text) typeset."""
    found = list(_arithmatex_formulas(output))
    found += _text_formulas(output, pattern)
    if not found:
        return output
    found.sort()
    results = WORKER_PROCESS.render([{"tex": tex, "display": disp} for _, _, tex, disp in found])
    pieces, pos = [], 0
    for (start, end, tex, display), result in zip(found, results):
        if "error" in result:
            log.error("katex: %s: cannot typeset %s: %s", name, _show(tex, display), result["error"])
            continue
        for warning in result.get("warnings", ()):
            log.warning("katex: %s: %s in %s", name, warning, _show(tex, display))
        pieces += [output[pos:start], result["html"]]
        pos = end
    pieces.append(output[pos:])
    return "".join(pieces)


NOTEBOOK_PAGES: set[str] = set()  # the URLs of the notebook pages of this build


@event_priority(-100)  # after every plugin, in particular after search indexed the page
def on_post_page(output, page, config):
    if _is_notebook(page):
        NOTEBOOK_PAGES.add(page.url)
    return _typeset(output, NOTEBOOK_MATH if _is_notebook(page) else TEXT_MATH, page.file.src_uri)


@event_priority(-100)  # after print-site has written the one-page book
def on_post_build(config):
    """Typeset the one-page book, which print-site writes after every page's own hooks ran."""
    path = Path(config["site_dir"]) / "print_page" / "index.html"
    if not path.is_file():
        return
    from mkdocs_print_site_plugin.urls import get_page_key

    output = path.read_text(encoding="utf-8")
    # A notebook page's section keeps its Markdown cells' $…$ as text: typeset those first.
    for url in sorted(NOTEBOOK_PAGES):
        opening = f'<section class="print-page" id="{get_page_key(url)}"'
        start = output.find(opening)
        if start < 0:
            continue
        end = output.find("</section>", start)
        section = _typeset("<body>" + output[start:end] + "</body>", NOTEBOOK_MATH, f"print page: {url}")
        output = output[:start] + section[len("<body>"):-len("</body>")] + output[end:]
    path.write_text(_typeset(output, TEXT_MATH, "print page"), encoding="utf-8")


def _show(tex: str, display: bool) -> str:
    return f"$${tex}$$" if display else f"${tex}$"


def on_shutdown():
    WORKER_PROCESS.close()
