"""The site build: strict, self-contained, math typeset, figures and labs in place.

One `mkdocs build --strict` serves every test marked ``slow`` here and in
``test_browser.py`` (see `build_site`). A few small builds of throw-away projects check
that the build's own steps fail loudly on a bad formula, a missing figure, an image
without alt text and a figure that raises.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SETUP_HINT = "run `./dev.sh test`, which installs them, or `npm ci` in the repository root"


# --------------------------------------------------------------------------- the build


@dataclass
class Build:
    site: Path
    output: str
    seconds: float
    docs_changed: list[str]  # files in docs/ that the build created, changed or removed


def _docs_snapshot() -> dict[str, int]:
    return {str(p.relative_to(DOCS)): p.stat().st_mtime_ns for p in DOCS.rglob("*")}


_build: dict[str, object] = {}


def _require_build_tools() -> None:
    if shutil.which("node") is None:
        pytest.fail(f"Node.js (`node`) is not on PATH; the build typesets math with it: {SETUP_HINT}")
    if not (ROOT / "node_modules" / "katex" / "dist" / "katex.min.css").is_file():
        pytest.fail(f"node_modules/katex is missing: {SETUP_HINT}")


MKDOCS = [sys.executable, "-m", "mkdocs"]


def _mkdocs_env() -> dict[str, str]:
    return dict(os.environ, NO_MKDOCS_2_WARNING="1")


def _mkdocs(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MKDOCS, *args], cwd=cwd, env=_mkdocs_env(), capture_output=True, text=True, timeout=900,
    )


def start_build() -> None:
    """Start the session's `mkdocs build --strict` in the background, once.

    ``conftest.py`` calls this as soon as the tests are collected when any of them needs
    the site, and runs those tests last, so the build (a process of its own) runs while
    the rest of the suite does."""
    if "process" in _build:
        return
    out = Path(tempfile.mkdtemp(prefix="nnbook-site-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    log = open(out / "build.log", "w+", encoding="utf-8")  # noqa: SIM115 (read in build_site)
    _build.update(
        site=out / "site", log=log, before=_docs_snapshot(), started=time.perf_counter(),
        process=subprocess.Popen(
            [*MKDOCS, "build", "--strict", "--site-dir", str(out / "site")],
            cwd=ROOT, env=_mkdocs_env(), stdout=log, stderr=subprocess.STDOUT, text=True,
        ),
    )


def stop_build() -> None:
    """End a background build that no test waited for (the session stopped early)."""
    process = _build.get("process")
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()


def build_site() -> Build:
    """The site, built once per test session (shared with test_browser.py)."""
    if "result" not in _build:
        _require_build_tools()
        start_build()
        try:
            code = _build["process"].wait(timeout=900)
        except subprocess.TimeoutExpired:
            stop_build()
            code = "killed after 900 s"
        seconds = time.perf_counter() - _build["started"]
        after = _docs_snapshot()
        before = _build["before"]
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        _build["log"].seek(0)
        output = _build["log"].read()
        _build["log"].close()
        if code != 0:
            _build["result"] = f"`mkdocs build --strict` failed (exit {code}):\n{output}"
        else:
            _build["result"] = Build(_build["site"], output, seconds, changed)
    built = _build["result"]
    if isinstance(built, str):
        pytest.fail(built, pytrace=False)
    return built


@pytest.fixture(scope="session")
def site() -> Build:
    return build_site()


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ------------------------------------------------------------------ reading the HTML

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr"}
# Text inside these is not prose: code, scripts, styles, and KaTeX's output (its
# MathML carries the TeX source as an annotation, which is meant to be there).
NOT_PROSE = {"pre", "code", "script", "style", "textarea", "svg", "math", "kbd", "samp",
             "title"}


class PageParser(HTMLParser):
    """Collects a page's prose text, its tags with attributes, and its images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, starts a non-prose region)
        self.skipping = 0
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in VOID:
            return
        classes = (attrs.get("class") or "").split()
        skip = tag in NOT_PROSE or "katex" in classes or "katex-display" in classes
        self.stack.append((tag, skip))
        self.skipping += skip

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            t, skip = self.stack.pop()
            self.skipping -= skip
            if t == tag:
                break

    def handle_data(self, data):
        if not self.skipping:
            self.text.append(data)


def parse(path: Path) -> PageParser:
    """The page parsed, once per session (several tests read every page; none changes one)."""
    return _parse(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=None)
def _parse(path: str, mtime_ns: int) -> PageParser:
    parser = PageParser()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser


RAW_TEX = [
    (re.compile(r"\$\$"), "$$"),
    (re.compile(r"\\[()\[\]]"), r"\( \) \[ \]"),
    (re.compile(r"\\(?:frac|nabla|partial|mathcal|sum|begin|end|underbrace|sigma|mathbb"
                r"|left|right|cdot|top|tilde|boxed|xrightarrow|text|quad)\b"), "a TeX command"),
    (re.compile(r"(?<![\w$])\$[^\s$][^$\n]{0,200}?(?<!\s)\$(?![\w$])"), "$…$"),
]


def raw_tex(text: str) -> list[str]:
    """Pieces of ``text`` that look like TeX left untypeset."""
    found = []
    for pattern, what in RAW_TEX:
        for m in pattern.finditer(text):
            found.append(f"{what}: …{text[max(m.start() - 40, 0):m.end() + 40]}…")
    return found


# ------------------------------------------------------------------------ the tests

pytestmark = pytest.mark.slow


def test_build_passes_strict_without_warnings(site):
    warnings = [line for line in site.output.splitlines() if re.match(r"(WARNING|ERROR)\b", line)]
    assert not warnings, "\n".join(warnings)
    assert (site.site / "index.html").is_file()
    print(f"site built in {site.seconds:.1f} s")


def test_every_nav_page_is_built(site):
    expected = [
        "index.html",
        "chapters/logistic-regression/index.html",
        "chapters/vector-chain-rule/index.html",
        "chapters/backprop-by-hand/index.html",
        "chapters/computation-graphs/index.html",
        "labs/index.html",
        "labs/first-gradients/index.html",
        "reference/index.html",
        *(f"reference/{m}/index.html" for m in
          ["autodiff", "functional", "numerics", "derivatives", "chain", "graph", "manual",
           "nn", "optim", "init", "train", "models", "basis", "landscape", "regularisation",
           "diagnostics", "counting", "data", "rng", "checks"]),
        "notation/index.html",
        "appendix/course-notes/index.html",
    ]
    missing = [p for p in expected if not (site.site / p).is_file()]
    assert not missing


def test_no_raw_tex_in_visible_text(site):
    problems = []
    for page in html_pages(site.site):
        text = " ".join(parse(page).text)
        problems += [f"{page.relative_to(site.site)}: {p}" for p in raw_tex(text)]
    assert not problems, "\n".join(problems[:30])


def test_math_is_typeset_on_every_page_that_has_math(site):
    pages_with_math = 0
    for page in html_pages(site.site):
        html = page.read_text(encoding="utf-8")
        # every arithmatex wrapper was filled by KaTeX
        wrappers = len(re.findall(r'class="arithmatex"', html))
        filled = len(re.findall(r'class="arithmatex"><span class="katex', html))
        assert wrappers == filled, f"{page}: {wrappers - filled} formulas left untypeset"
        if 'class="katex"' in html:
            pages_with_math += 1
            assert "assets/katex/katex.min.css" in html, f"{page} does not link KaTeX's CSS"
    assert pages_with_math >= 3


def test_katex_css_and_fonts_are_served_from_the_site(site):
    css = site.site / "assets" / "katex" / "katex.min.css"
    fonts = re.findall(r"url\((fonts/[^)]+)\)", css.read_text(encoding="utf-8"))
    assert fonts
    missing = [f for f in fonts if not (css.parent / f).is_file()]
    assert not missing


# Attributes through which a browser fetches something on its own. <a href> is
# navigation, not a fetch; <link href> is a fetch only for these relations.
FETCH_ATTRS = {"src", "srcset", "poster", "data", "xlink:href"}
FETCHING_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload",
                  "prefetch", "modulepreload", "manifest", "preconnect", "dns-prefetch"}
CSS_URL = re.compile(r"""(?:url\(\s*|@import\s+)["']?([^"')\s]+)""", re.IGNORECASE)
SAFE_HOSTS = {"127.0.0.1", "localhost"}


def _offsite(url: str) -> bool:
    url = url.strip()
    if url.startswith("//"):
        return True
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and parts.hostname not in SAFE_HOSTS


def test_no_request_to_another_origin_in_built_files(site):
    problems = []
    for path in sorted(site.site.rglob("*")):
        rel = path.relative_to(site.site)
        if path.suffix in {".html", ".svg"}:
            parser = parse(path)
            for tag, attrs in parser.tags:
                urls = [v for k, v in attrs.items() if k in FETCH_ATTRS and v]
                rels = set((attrs.get("rel") or "").lower().split())
                if tag == "link" and rels & FETCHING_LINKS and attrs.get("href"):
                    urls.append(attrs["href"])
                if tag in {"image", "use", "feimage"} and attrs.get("href"):  # SVG
                    urls.append(attrs["href"])
                for url in urls:
                    for candidate in re.split(r",\s*", url) if "srcset" in attrs else [url]:
                        if _offsite(candidate.split()[0] if candidate.split() else candidate):
                            problems.append(f"{rel}: <{tag}> fetches {candidate}")
                if "style" in attrs:
                    problems += [f"{rel}: style url({u})" for u in CSS_URL.findall(attrs["style"])
                                 if _offsite(u)]
            text = path.read_text(encoding="utf-8")
            for block in re.findall(r"<style[^>]*>(.*?)</style>", text, re.DOTALL):
                problems += [f"{rel}: <style> url({u})" for u in CSS_URL.findall(block) if _offsite(u)]
            for script in re.findall(r"<script[^>]*>(.*?)</script>", text, re.DOTALL):
                for m in re.finditer(r"""\bimport\s*\(\s*["']([^"']+)|\bfetch\(\s*["']([^"']+)""", script):
                    url = m.group(1) or m.group(2)
                    if _offsite(url):
                        problems.append(f"{rel}: inline script loads {url}")
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8")
            problems += [f"{rel}: url({u})" for u in CSS_URL.findall(text) if _offsite(u)]
    assert not problems, "\n".join(problems[:30])


def test_every_image_has_alt_text(site):
    problems = []
    for page in html_pages(site.site):
        for tag, attrs in parse(page).tags:
            alt = (attrs.get("alt") or "").strip()
            # nbconvert's stand-in says nothing about the plot: it does not count.
            if tag == "img" and (not alt or alt.startswith("No description has been provided")):
                problems.append(f"{page.relative_to(site.site)}: <img src={attrs.get('src', '')[:80]!r}>")
    assert not problems, "\n".join(problems)


def test_every_figure_has_a_light_and_a_dark_variant(site):
    figures = site.site / "figures"
    light = {p.stem for p in figures.glob("*.svg") if not p.stem.endswith("-dark")}
    dark = {p.stem[: -len("-dark")] for p in figures.glob("*-dark.svg")}
    assert light == dark
    for name in light:
        a = (figures / f"{name}.svg").read_text(encoding="utf-8")
        b = (figures / f"{name}-dark.svg").read_text(encoding="utf-8")
        assert "<svg" in a and "<svg" in b and a != b, name
    used = 0
    for page in html_pages(site.site):
        srcs = [attrs.get("src", "") for tag, attrs in parse(page).tags if tag == "img"]
        for src in srcs:
            m = re.search(r"figures/([\w-]+)\.svg#only-light$", src)
            if m:
                used += 1
                assert src.replace(".svg#only-light", "-dark.svg#only-dark") in srcs, (page, src)
            elif re.search(r"figures/[\w-]+\.svg", src):
                assert src.endswith("-dark.svg#only-dark"), f"{page}: figure {src} has no scheme"
    assert used == 0 or light


def test_search_index_holds_the_text_and_no_katex_markup(site):
    index = json.loads((site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = [doc["text"] + " " + doc["title"] for doc in index["docs"]]
    assert any("chain rule" in t.lower() for t in texts)
    assert not any("katex" in t for t in texts)


def test_lab_is_executed_with_math_and_a_download(site):
    lab = site.site / "labs" / "first-gradients" / "index.html"
    html = lab.read_text(encoding="utf-8")
    assert 'class="katex"' in html
    assert "jp-OutputArea-output" in html and "largest difference below 1e-6: True" in html
    assert "data:image/png;base64," in html  # the plot
    assert 'href="first-gradients.py"' in html
    script = lab.parent / "first-gradients.py"
    assert script.read_text(encoding="utf-8") == (DOCS / "labs" / "first-gradients.py").read_text(encoding="utf-8")
    assert "mathjax" not in html.lower() and "mermaid.esm" not in html


LABS = {  # each lab: a line its executed output must show, and how many plots it draws
    "logistic-regression-vs-sklearn": ("coefficients agree within 1e-3: True", 1),
    "digits-mlp-and-cnn": (None, 2),
    "autoencoder": (None, 2),
    "lstm-sequences": (None, 1),
    "optimisers": ("same start: True", 2),
}


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_is_executed_described_and_downloadable(site, lab):
    marker, plots = LABS[lab]
    html = (site.site / "labs" / lab / "index.html").read_text(encoding="utf-8")
    assert "jp-OutputArea-output" in html and "Traceback" not in html
    if marker:
        assert marker in html
    assert html.count("data:image/png;base64,") >= plots
    assert "No description has been provided" not in html
    assert f'href="{lab}.py"' in html
    copied = (site.site / "labs" / lab / f"{lab}.py").read_text(encoding="utf-8")
    assert copied == (DOCS / "labs" / f"{lab}.py").read_text(encoding="utf-8")


def test_the_whole_book_is_on_one_typeset_page(site):
    book = (site.site / "print_page" / "index.html").read_text(encoding="utf-8")
    chapters = sorted((DOCS / "chapters").glob("*.md"))
    total = 0
    for chapter in chapters:
        page = (site.site / "chapters" / chapter.stem / "index.html").read_text(encoding="utf-8")
        total += page.count('<span class="katex">')
        title = chapter.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
        assert title in book, f"{chapter.name} is missing from the one-page book"
    # every chapter's formulas are typeset there too (the page adds headings' own)
    assert book.count('<span class="katex">') >= total > 0
    sections = re.findall(r'<section class="print-page" id="([^"]+)"', book)
    assert "chapters-logistic-regression" in sections
    assert not [s for s in sections if s.startswith("reference")]  # the book, not the API
    # the labs' inline JupyterLab stylesheets, once each, not once per lab
    styles = re.findall(r"<style\b[^>]*>.*?</style>", book, re.DOTALL)
    assert len(styles) == len(set(styles)), "a stylesheet is repeated in the one-page book"
    assert any(".jp-OutputArea" in style for style in styles)


def test_every_chapter_is_offered_as_a_notebook(site):
    for chapter in sorted((DOCS / "chapters").glob("*.md")):
        notebook = json.loads((site.site / "chapters" / f"{chapter.stem}.ipynb").read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4 and notebook["cells"], chapter.name
        page = (site.site / "chapters" / chapter.stem / "index.html").read_text(encoding="utf-8")
        assert f'href="../{chapter.stem}.ipynb" download' in page, chapter.name


def test_figure_scripts_and_templates_are_not_published(site):
    assert not list((site.site / "figures").glob("*.py"))
    assert not (site.site / "overrides").exists()
    assert not site.docs_changed, f"the build wrote into docs/: {site.docs_changed}"


def test_doctest_lines_are_marked_for_the_copy_button(site):
    html = (site.site / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<div class="language-pycon highlight">.*?</code>', html, re.DOTALL).group(0)
    lines = re.findall(r'<span (class="nb-output" )?id="__span-[\d-]+">(.*?)\n</span>', block, re.DOTALL)
    assert lines
    for output_mark, body in lines:
        assert bool(output_mark) != body.startswith('<span class="gp">'), body


def test_api_reference_examples_render_as_code(site):
    """A `>>>` example outside a docstring's Examples section turns into nested quotes."""
    problems = []
    for page in sorted((site.site / "reference").rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        if re.search(r"<blockquote>\s*<blockquote>", html):
            problems.append(str(page.relative_to(site.site)))
    assert not problems, (
        "a docstring's >>> example is rendered as a quotation (put it under an "
        f"'Examples' section): {problems}"
    )


# ------------------------------------------------------ the build's own failure modes


def _tiny_project(tmp_path: Path, page: str, figures: str | None = None) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(textwrap.dedent(page), encoding="utf-8")
    if figures is not None:
        (tmp_path / "docs" / "figures").mkdir()
        (tmp_path / "docs" / "figures" / "demo.py").write_text(textwrap.dedent(figures), encoding="utf-8")
    hooks = "\n".join(f"  - {ROOT / 'hooks' / name}" for name in ("figures.py", "katex.py"))
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nstrict: true\nexclude_docs: |\n  /figures/*.py\n"
        "markdown_extensions:\n  - pymdownx.arithmatex:\n      generic: true\n"
        f"hooks:\n{hooks}\n",
        encoding="utf-8",
    )
    return tmp_path


FIGURE_SCRIPT = """
    import matplotlib.pyplot as plt

    def good(theme):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        return fig

    def bad(theme):
        raise RuntimeError("this figure cannot be drawn")

    FIGURES = {"demo-good": good%s}
"""


def test_bad_formula_missing_figure_and_empty_alt_fail_the_build(tmp_path):
    _require_build_tools()
    project = _tiny_project(tmp_path, r"""
        # T

        Fine: $\nabla_w \mathcal{L}$. Broken: $\frac{1}{$.

        ![A line falling from 1 to 0](figures/demo-good.svg)

        ![](figures/demo-good.svg)

        ![A figure nobody drew](figures/demo-nowhere.svg)
    """, FIGURE_SCRIPT % "")
    result = _mkdocs(["build", "--site-dir", str(tmp_path / "site")], cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "cannot typeset $\\frac{1}{$" in output
    assert "has no alt text" in output
    assert "'demo-nowhere', which no script" in output


def test_a_figure_that_raises_fails_the_build(tmp_path):
    _require_build_tools()
    project = _tiny_project(tmp_path, "# T\n", FIGURE_SCRIPT % ', "demo-bad": bad')
    result = _mkdocs(["build", "--site-dir", str(tmp_path / "site")], cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "FIGURES['demo-bad'](theme='light') raised" in output
    assert "this figure cannot be drawn" in output


def test_a_clean_tiny_build_passes_and_figures_are_deterministic(tmp_path):
    _require_build_tools()
    project = _tiny_project(tmp_path, r"""
        # T

        $$\underbrace{a}_{b} \boxed{\tilde w} \xrightarrow{f} \begin{aligned} x &= 1 \\ y &= 2 \end{aligned}$$

        ![A line falling from 1 to 0](figures/demo-good.svg)
    """, FIGURE_SCRIPT % "")
    sites = []
    for run in range(2):
        result = _mkdocs(["build", "--site-dir", str(tmp_path / f"site{run}")], cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        sites.append(tmp_path / f"site{run}")
    for name in ("demo-good.svg", "demo-good-dark.svg"):
        first, second = ((s / "figures" / name).read_bytes() for s in sites)
        assert first == second, f"{name} differs between two builds"
        assert b"<dc:date>" not in first
    page = (sites[0] / "index.html").read_text(encoding="utf-8")
    assert page.count('class="katex-display"') == 1 and "\\underbrace" not in " ".join(parse(sites[0] / "index.html").text)
    assert "demo-good.svg#only-light" in page and "demo-good-dark.svg#only-dark" in page


def test_scripts_drawn_in_parallel_give_their_figures_and_name_a_failure(tmp_path, monkeypatch):
    """Two uncached scripts are drawn in processes of their own; a failure in one names it."""
    _require_build_tools()
    monkeypatch.setenv("NNBOOK_FIGURE_CACHE", "0")
    other = textwrap.dedent(FIGURE_SCRIPT % ', "other-bad": bad').replace('"demo-good"', '"other-good"')
    page = "# T\n\n![A line](figures/demo-good.svg)\n\n![The same line](figures/other-good.svg)\n"
    project = _tiny_project(tmp_path, page, FIGURE_SCRIPT % "")
    (project / "docs" / "figures" / "other.py").write_text(other.replace(', "other-bad": bad', ""),
                                                           encoding="utf-8")
    result = _mkdocs(["build", "--site-dir", str(tmp_path / "site")], cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "figures: 2 scripts drawn" in result.stderr
    for name in ("demo-good.svg", "other-good-dark.svg"):
        assert (tmp_path / "site" / "figures" / name).read_text(encoding="utf-8").lstrip().startswith("<?xml")
    (project / "docs" / "figures" / "other.py").write_text(other, encoding="utf-8")
    result = _mkdocs(["build", "--site-dir", str(tmp_path / "site2")], cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "FIGURES['other-bad'](theme='light') raised" in output and "this figure cannot be drawn" in output
