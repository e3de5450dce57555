"""The concept index, docs/concepts.md: every concept of the course notes, the section
of the book that teaches it, and the nnbook names that implement it.

The page is checked for what can silently go stale as the chapters change:

* every link reaches a page under docs/, and every ``#anchor`` a heading of that page,
  with the anchors computed as the site's ``toc`` extension computes them;
* every fully qualified name in inline code (```nnbook.x.y```) exists;
* every concept of the notes, from a fixed list of keywords, is still on the page.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

# Python-Markdown comes with the docs tools; the examples-only run (old numpy) lacks it.
pytest.importorskip("markdown", reason="the concept index's anchors need the docs tools")
from markdown.extensions.toc import slugify, unique  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGE = DOCS / "concepts.md"

# mkdocs.yml configures `toc` with `permalink` only, so the slugs are Python-Markdown's
# defaults: `slugify` with the separator "-" and unicode=False (accents and symbols such
# as "¹" are folded to ASCII by NFKD; "×" and "–" disappear).
SEPARATOR = "-"

FENCE = re.compile(r"^(`{3,}|~{3,})")
ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
ATTR_LIST = re.compile(r"\s*\{:?\s*([^}]*)\}\s*$")
ATTR_ID = re.compile(r"(?:^|\s)#([\w:.-]+)")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
TAG = re.compile(r"<[^>]+>")


def slug(text: str) -> str:
    """The id the `toc` extension gives a heading with this Markdown text.

    Links keep their text, HTML tags go; the rest (inline code, math, emphasis) is
    passed to `slugify` as written, which drops every character that is not a word
    character, a space or a hyphen: ``$f_n$`` becomes ``f_n``, ```no_grad``` becomes
    ``no_grad``.
    """
    text = TAG.sub("", LINK.sub(r"\1", text))
    return slugify(text, SEPARATOR)


def headings(markdown: str) -> list[tuple[str, str | None]]:
    """(text, explicit id or None) of every ATX heading outside fenced code."""
    found, fence = [], None
    for line in markdown.splitlines():
        stripped = line.strip()
        opener = FENCE.match(stripped)
        if fence is None and opener:
            fence = opener.group(1)
            continue
        if fence is not None:
            if stripped.startswith(fence) and stripped.rstrip(fence[0]) == "":
                fence = None
            continue
        match = ATX.match(line)
        if not match:
            continue
        text, explicit = match.group(2), None
        attrs = ATTR_LIST.search(text)
        if attrs:
            text = text[: attrs.start()]
            ident = ATTR_ID.search(attrs.group(1))
            explicit = ident.group(1) if ident else None
        found.append((text, explicit))
    return found


def anchors(path: Path) -> list[str]:
    """The heading ids of a Markdown page, in order, as the built site has them.

    As in `toc`, the explicit ids are taken first; a slug that repeats one already
    taken gets ``_1``, ``_2``, ... appended.
    """
    found = headings(path.read_text(encoding="utf-8"))
    taken = {explicit for _, explicit in found if explicit}
    ids = []
    for text, explicit in found:
        ids.append(explicit if explicit else unique(slug(text), taken))
    return ids


def page_links(markdown: str) -> list[tuple[str, str]]:
    """(target page, anchor) of every relative link in the page's Markdown."""
    links = []
    for target in re.findall(r"\]\(([^)\s]+)\)", markdown):
        if re.match(r"[a-z]+:", target):  # http:, mailto: ...
            continue
        page, _, anchor = target.partition("#")
        links.append((page, anchor))
    return links


def inline_names(markdown: str) -> list[str]:
    """The dotted names in inline code that start with ``nnbook.``."""
    return re.findall(r"`(nnbook(?:\.\w+)+)`", markdown)


def resolve(name: str):
    """Import the longest importable module prefix of `name`, then getattr the rest."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(name)


# The concepts of the course notes, in their order; each must be named on the page.
CONCEPTS = [
    "logistic regression", "p(y=1", "p(y=0", "in terms of $f_n$", "link",
    "\\partial\\mathcal{L}/\\partial f_n", "chain rule", "basis regression",
    "shallow network", "sigmoid", "logit", "ReLU", "hinge", "tanh", "deep network",
    "non-convex", "random restart", "momentum", "stochastic", "SGD", "mini-batch",
    "over-parameterisation", "regression loss", "scalar chain rule", "vector chain rule",
    "gradient", "Jacobian", "shape", "forward pass", "backward pass", "J \\times JD",
    "flattened", "L layers", "intermediate", "product of Jacobians",
    "parameter gradients", "computation graph", "why now", "more data", "GPU",
    "autodiff", "practicalities", "overfitting", "L1", "L2", "perturbation", "dropout",
    "activation", "saturation", "variance reduction", "subgradient", "Adam",
    "feed-forward", "multi-layer perceptron", "convolutional", "parameter tying",
    "autoencoder", "recurrent", "LSTM", "GRU", "concept exercise", "fully connected",
    "conv net", "RNN", "parameter count",
]


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


# Ids read off a build of the site (`mkdocs build`), for headings that exercise each
# rule: math, a superscript, "×", an apostrophe, inline code, an explicit `{ #id }`.
BUILT = [
    ("The loss, written in terms of $f_n$", None, "the-loss-written-in-terms-of-f_n"),
    ("Other links: only $\\partial\\mathcal{L}/\\partial f_n$ changes", None,
     "other-links-only-partialmathcallpartial-f_n-changes"),
    ("The gradient with respect to W¹: the J × JD Jacobian", None,
     "the-gradient-with-respect-to-w1-the-j-jd-jacobian"),
    ("Why the first layer's gradient is small", None,
     "why-the-first-layers-gradient-is-small"),
    ("`no_grad`: computing without recording", None,
     "no_grad-computing-without-recording"),
    ("Numbers: a 28 × 28 and a 256 × 256 image", None,
     "numbers-a-28-28-and-a-256-256-image"),
    ("The gradient with respect to $h_0$: a product of $T$ Jacobians", None,
     "the-gradient-with-respect-to-h_0-a-product-of-t-jacobians"),
    ("The vector–Jacobian product { #vector-jacobian-product }",
     "vector-jacobian-product", "vector-jacobian-product"),
]


@pytest.mark.parametrize("line, explicit, built", BUILT)
def test_anchors_are_computed_as_the_site_computes_them(line, explicit, built):
    [(text, found)] = headings(f"## {line}\n")
    assert found == explicit
    assert (explicit or slug(text)) == built


def test_repeated_headings_are_numbered_and_fenced_code_is_not_a_heading():
    markdown = (
        "# A\n\n## Summary\n\n```python\n# Summary\n```\n\n"
        "## Summary\n\n## B { #summary_1 }\n"
    )
    found = headings(markdown)
    assert found == [("A", None), ("Summary", None), ("Summary", None), ("B", "summary_1")]
    taken = {explicit for _, explicit in found if explicit}
    ids = [explicit or unique(slug(text), taken) for text, explicit in found]
    assert ids == ["a", "summary", "summary_2", "summary_1"]


def test_every_link_reaches_a_page_and_a_section(page):
    links = page_links(page)
    assert len(links) >= 60, "the index links each concept to its section"
    problems = []
    for target, anchor in links:
        path = (PAGE.parent / target).resolve() if target else PAGE
        if not path.is_file() or DOCS not in path.parents:
            problems.append(f"{target}: no such page under docs/")
        elif anchor and anchor not in anchors(path):
            problems.append(
                f"{target}#{anchor}: no heading with this anchor; the page has "
                + ", ".join(anchors(path))
            )
    assert not problems, "\n".join(problems)


def test_every_nnbook_name_exists(page):
    names = inline_names(page)
    assert len(names) >= 60, "the index names the code of each concept"
    problems = []
    for name in sorted(set(names)):
        try:
            resolve(name)
        except (ImportError, AttributeError) as error:
            problems.append(f"{name}: {type(error).__name__}: {error}")
    assert not problems, "\n".join(problems)


def test_every_concept_of_the_notes_is_on_the_page(page):
    text = page.casefold()
    missing = [concept for concept in CONCEPTS if concept.casefold() not in text]
    assert not missing, f"concepts of the course notes missing from the index: {missing}"


def test_every_row_links_a_section_and_names_code_or_says_why_not(page):
    """Each concept row: a concept, a link into a chapter, nnbook names or a dash."""
    rows = [line for line in page.splitlines()
            if line.startswith("|") and not re.match(r"\|(\s*:?-+:?\s*\|)+\s*$", line)
            and not line.startswith("| Concept")]
    assert len(rows) >= 40
    bad = []
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        if len(cells) != 3:
            bad.append(f"not three cells: {row}")
            continue
        concept, where, code = cells
        if not concept:
            bad.append(f"no concept: {row}")
        if "](chapters/" not in where:
            bad.append(f"no chapter link: {row}")
        if not (inline_names(code) or code.startswith("—")):
            bad.append(f"no nnbook name and no dash: {row}")
    assert not bad, "\n".join(bad)


def test_the_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - Notation: notation.md\n  - Concept index: concepts.md\n" in nav
