"""Draw the book's figures from nnbook's own code when the site is built.

A figure script is ``docs/figures/<module>.py`` (names starting with ``_`` are
helpers, not scripts) defining ``FIGURES = {"<name>": function}``. Each function takes
``theme`` (``"light"`` or ``"dark"``) and returns a matplotlib ``Figure`` or an SVG
string. The build calls it once per theme, inside matplotlib settings for that theme
(`theme_rc`: transparent background, text and axes readable on Material's white or
slate page), and adds the results to the site as ``figures/<name>.svg`` and
``figures/<name>-dark.svg``. Nothing is written into ``docs/``.

A chapter embeds a figure once, ``![What the figure shows](../figures/<name>.svg)``;
`on_page_markdown` turns that into the two images, marked ``#only-light`` and
``#only-dark`` so that Material shows the one matching the palette. The build fails
with a message naming the page or script when a figure function raises, returns
something else, when a page refers to a figure no script defines, or when an image has
no alt text.

A script's figures are cached in ``.cache/figures/`` under a hash of everything that
could change them: the script's source, the source of every module of ``nnbook``, this
hook, and the versions of numpy and matplotlib. A build after an edit to one chapter
redraws nothing; an edit to the library or to a script redraws what depends on it (all
scripts, for the library). Never a time stamp: a cached figure is one the present
sources would draw. ``NNBOOK_FIGURE_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import logging
import posixpath
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

log = logging.getLogger("mkdocs.hooks.figures")

FIGURES_DIR = "figures"
THEMES = ("light", "dark")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# Colours of Material's default palettes: the page background, body text, secondary
# text, and a rule colour, for the light ("default") and dark ("slate") schemes.
PALETTE = {
    "light": {"bg": "#ffffff", "fg": "#1f2328", "muted": "#57606a", "grid": "#d8dee4"},
    "dark": {"bg": "#1e2129", "fg": "#dde1e8", "muted": "#a7afbd", "grid": "#3b4252"},
}
# matplotlib's tab10 for the light page; on the dark page, the same hues lightened so
# that each line keeps its colour's meaning and stands out against slate.
SERIES = {
    "light": ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
              "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"],
    "dark": ["#6cb4f0", "#ffa54d", "#6fd16f", "#ff7b7b", "#c3a2e8",
             "#d2a293", "#f5a6dc", "#bdbdbd", "#e0e05a", "#5fe0ee"],
}


def theme_rc(theme: str) -> dict:
    """matplotlib settings for a figure shown on Material's ``theme`` page."""
    c = PALETTE[theme]
    return {
        # Deterministic SVG: same code, same bytes (no date, fixed id salt).
        "svg.hashsalt": "nnbook",
        "svg.fonttype": "path",
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 100,
        "font.size": 11,
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.edgecolor": "none",
        "savefig.transparent": True,
        "savefig.bbox": "tight",
        "text.color": c["fg"],
        "axes.labelcolor": c["fg"],
        "axes.titlecolor": c["fg"],
        "axes.edgecolor": c["muted"],
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=SERIES[theme]),
        "xtick.color": c["muted"],
        "ytick.color": c["muted"],
        "xtick.labelcolor": c["fg"],
        "ytick.labelcolor": c["fg"],
        "grid.color": c["grid"],
        "grid.linewidth": 0.7,
        "lines.linewidth": 2.0,
        "patch.edgecolor": c["fg"],
        "hatch.color": c["muted"],
        "boxplot.boxprops.color": c["fg"],
        "boxplot.whiskerprops.color": c["fg"],
        "boxplot.capprops.color": c["fg"],
        "boxplot.medianprops.color": SERIES[theme][1],
        "boxplot.flierprops.markeredgecolor": c["fg"],
        "legend.facecolor": c["bg"],
        "legend.edgecolor": c["grid"],
        "legend.framealpha": 0.85,
        "legend.labelcolor": c["fg"],
        "scatter.edgecolors": "face",
    }


def _load_script(path: Path):
    """Import a figure script afresh (never a module left from an earlier build)."""
    name = f"_nnbook_figures_{path.stem.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # No __pycache__ in docs/: the build writes nothing into the sources.
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        raise PluginError(
            f"figures: importing {path} failed:\n{_traceback(err)}"
        ) from err
    finally:
        sys.dont_write_bytecode = dont_write
        sys.modules.pop(name, None)
    figures = getattr(module, "FIGURES", None)
    if not isinstance(figures, dict):
        raise PluginError(f"figures: {path} must define FIGURES = {{'<name>': function}}")
    return figures


def _traceback(err: BaseException) -> str:
    return "".join(traceback.format_exception(err)).rstrip()


def render(function, theme: str, where: str) -> str:
    """The SVG text of ``function(theme=theme)``, drawn under `theme_rc`."""
    with plt.rc_context(theme_rc(theme)):
        try:
            result = function(theme=theme)
        except Exception as err:
            plt.close("all")
            raise PluginError(
                f"figures: {where}(theme={theme!r}) raised:\n{_traceback(err)}"
            ) from err
        if isinstance(result, Figure):
            buffer = io.StringIO()
            result.savefig(buffer, format="svg", metadata={"Date": None})
            plt.close(result)
            svg = buffer.getvalue()
        elif isinstance(result, str) and "<svg" in result[:1000]:
            svg = result
        else:
            plt.close("all")
            raise PluginError(
                f"figures: {where}(theme={theme!r}) must return a matplotlib Figure or "
                f"an SVG string, got {type(result).__name__}"
            )
    plt.close("all")
    return svg


ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "figures"


def source_key(script: Path) -> str:
    """A hash of everything a script's figures depend on (see the module's docstring)."""
    import numpy

    digest = hashlib.sha256()
    for path in [script, Path(__file__).resolve(), *sorted((ROOT / "nnbook").rglob("*.py"))]:
        digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode())
        digest.update(path.read_bytes())
    digest.update(f"numpy {numpy.__version__} matplotlib {matplotlib.__version__}".encode())
    return digest.hexdigest()[:20]


def _cached(path: Path) -> tuple[Path | None, dict | None]:
    if os.environ.get("NNBOOK_FIGURE_CACHE", "1") == "0":
        return None, None
    entry = CACHE_DIR / f"{path.stem}-{source_key(path)}.json"
    try:
        return entry, json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return entry, None


def draw_script(path: Path, figures_dir: Path) -> dict[str, dict[str, str]]:
    """Every figure of one script: ``{name: {theme: svg}}``, its names checked."""
    mine: dict[str, dict[str, str]] = {}
    for name, function in _load_script(path).items():
        if not isinstance(name, str) or not NAME.match(name) or name.endswith("-dark"):
            raise PluginError(
                f"figures: {path}: figure name {name!r} must be lower-case letters, "
                "digits, '-' or '_', and must not end in '-dark'"
            )
        if not callable(function):
            raise PluginError(f"figures: {path}: FIGURES[{name!r}] is not a function")
        where = f"{path.relative_to(figures_dir.parent.parent)}: FIGURES[{name!r}]"
        mine[name] = {theme: render(function, theme, where) for theme in THEMES}
    return mine


def _draw_in_parallel(paths: list[Path], figures_dir: Path) -> dict[Path, dict]:
    """`draw_script` of each path in a process of its own, as many at once as there are cores."""
    results: dict[Path, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pending = list(paths)
        running: list[tuple[Path, Path, subprocess.Popen]] = []
        while pending or running:
            while pending and len(running) < (os.cpu_count() or 1):
                path = pending.pop(0)
                out = Path(tmp) / f"{path.stem}.json"
                proc = subprocess.Popen(
                    [sys.executable, __file__, str(path), str(figures_dir), str(out)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                running.append((path, out, proc))
            path, out, proc = running.pop(0)
            _, err = proc.communicate()
            if proc.returncode != 0:
                for _, _, other in running:
                    other.kill()
                raise PluginError(err.strip() or f"figures: drawing {path} failed")
            results[path] = json.loads(out.read_text(encoding="utf-8"))
    return results


def draw_all(figures_dir: Path) -> dict[str, dict[str, str]]:
    """Every figure of every script in ``figures_dir``: ``{name: {theme: svg}}``.

    Scripts whose figures are not cached are drawn in processes of their own, in
    parallel, each with the library as it is now.
    """
    # A fresh nnbook for every build: `mkdocs serve` must draw with the library as it is now.
    for module in [m for m in sys.modules if m == "nnbook" or m.startswith("nnbook.")]:
        del sys.modules[module]
    started = time.perf_counter()
    scripts = [p for p in sorted(figures_dir.glob("*.py")) if not p.name.startswith("_")]
    entries, found = {}, {}
    for path in scripts:
        entries[path], cached = _cached(path)
        if cached is not None:
            found[path] = cached
            log.info("figures: %s unchanged since it was last drawn (cached)", path.name)
    missing = [p for p in scripts if p not in found]
    if len(missing) == 1:  # one script changed, as when editing under `mkdocs serve`: no new process
        found[missing[0]] = draw_script(missing[0], figures_dir)
    elif missing:
        found |= _draw_in_parallel(missing, figures_dir)
    drawn: dict[str, dict[str, str]] = {}
    owner: dict[str, Path] = {}
    for path in scripts:
        for name in found[path]:
            if name in owner:
                raise PluginError(f"figures: {name!r} is defined by both {owner[name]} and {path}")
            owner[name] = path
        drawn.update(found[path])
        entry = entries[path]
        if path in missing and entry is not None:
            entry.parent.mkdir(parents=True, exist_ok=True)
            for stale in entry.parent.glob(f"{path.stem}-*.json"):
                stale.unlink()
            entry.write_text(json.dumps(found[path]), encoding="utf-8")
    if missing:
        log.info("figures: %d scripts drawn in %.2f s", len(missing), time.perf_counter() - started)
    return drawn


# Figures drawn by the current build, for on_page_markdown to check references against.
_drawn: dict[str, dict[str, str]] = {}


def on_files(files, config):
    global _drawn
    figures_dir = Path(config.docs_dir) / FIGURES_DIR
    started = time.perf_counter()
    _drawn = draw_all(figures_dir) if figures_dir.is_dir() else {}
    for name, svgs in _drawn.items():
        for theme, svg in svgs.items():
            suffix = "" if theme == "light" else f"-{theme}"
            files.append(
                File.generated(config, f"{FIGURES_DIR}/{name}{suffix}.svg", content=svg)
            )
    log.info(
        "figures: %d figures (x%d themes) drawn in %.2f s",
        len(_drawn), len(THEMES), time.perf_counter() - started,
    )
    return files


# ![alt](src "title"){attrs}; alt may hold escaped brackets and run over several
# lines of one paragraph.
IMAGE = re.compile(
    r"!\[(?P<alt>(?:(?!\n[ \t]*\n)[^\]\\]|\\.)*)\]"
    r"\((?P<src><[^>\n]*>|[^)\s]+)(?P<title>\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
    r"(?P<attrs>\{[^}\n]*\})?"
)
# A figure reference left over once the images are expanded (no #only-… fragment).
LOOSE_REFERENCE = re.compile(rf"[\w./-]*\b{FIGURES_DIR}/[\w-]+\.svg(?![\w#-])")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}).*?^(?P=indent)(?P=fence)[ \t]*$",
                   re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)", re.DOTALL)


def on_page_markdown(markdown, page, config, files):
    if Path(page.file.src_uri).suffix != ".md":
        return markdown  # notebooks are rendered from their own source
    page_dir = posixpath.dirname(page.file.src_uri)
    errors = []

    def expand(m: re.Match) -> str:
        alt, src = m.group("alt"), m.group("src").strip("<>")
        if not alt.strip():
            errors.append(f"the image {m.group(0)!r} has no alt text: say what it shows")
            return m.group(0)
        path, _, fragment = src.partition("#")
        if "://" in path or path.startswith("/"):
            return m.group(0)
        target = posixpath.normpath(posixpath.join(page_dir, path))
        if not target.startswith(f"{FIGURES_DIR}/") or not target.endswith(".svg"):
            return m.group(0)
        name = target[len(FIGURES_DIR) + 1 : -len(".svg")]
        if name not in _drawn:
            known = ", ".join(sorted(_drawn)) or "none"
            errors.append(
                f"the image {m.group(0)!r} refers to figure {name!r}, which no script in "
                f"docs/{FIGURES_DIR}/ defines (defined: {known})"
            )
            return m.group(0)
        if fragment:
            return m.group(0)  # already placed by hand for one scheme
        title, attrs = m.group("title") or "", m.group("attrs") or ""
        dark = f"{path[: -len('.svg')]}-dark.svg"
        return (f"![{alt}]({path}#only-light{title}){attrs}"
                f"![{alt}]({dark}#only-dark{title}){attrs}")

    def expand_all(text: str) -> str:
        # A figure named anywhere but in an image (or in an image reported above).
        for m in LOOSE_REFERENCE.finditer(IMAGE.sub("", text)):
            errors.append(
                f"{m.group(0)!r} is not in the form ![alt text](…/{FIGURES_DIR}/<name>.svg), "
                "so it cannot be given its light and dark variants"
            )
        return IMAGE.sub(expand, text)

    def outside_code(text: str) -> str:
        pieces, pos = [], 0
        for code in INLINE_CODE.finditer(text):
            pieces += [expand_all(text[pos:code.start()]), code.group(0)]
            pos = code.end()
        pieces.append(expand_all(text[pos:]))
        return "".join(pieces)

    pieces, pos = [], 0
    for fence in FENCE.finditer(markdown):
        pieces += [outside_code(markdown[pos:fence.start()]), fence.group(0)]
        pos = fence.end()
    pieces.append(outside_code(markdown[pos:]))
    for error in errors:
        log.error("figures: %s: %s", page.file.src_uri, error)
    return "".join(pieces)



if __name__ == "__main__":  # one script's figures, for `_draw_in_parallel`: SCRIPT FIGURES_DIR OUT.json
    script, where, out = (Path(arg) for arg in sys.argv[1:4])
    try:
        figures = draw_script(script, where)
    except PluginError as err:
        print(err, file=sys.stderr)
        sys.exit(1)
    out.write_text(json.dumps(figures), encoding="utf-8")
