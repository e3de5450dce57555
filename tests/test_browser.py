"""The built site in headless Chromium: math, no off-site request, copy, search, palette.

The site is the one `test_site.build_site` builds once per session, served from
127.0.0.1 by a thread of this process. One browser serves every test. Chromium is the
system's (``/usr/bin/chromium``); without it these tests are skipped, saying so.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from test_site import DOCS, build_site, html_pages

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} "
                       "(Debian/Ubuntu: apt-get install chromium)"),
]


# ------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def site_url():
    """The built site, served on a free port of 127.0.0.1 for the whole session."""
    site = build_site().site

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Recorder:
    """Every request a page makes, and every answer that was an error."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.failures: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.failures.append(f"{r.status}: {r.url}"))

    def _failed(self, request) -> None:
        # Leaving a page cancels what it was still loading (the search worker, say).
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failures.append(f"failed ({request.failure}): {request.url}")

    def offsite(self) -> list[str]:
        return [u for u in self.requests
                if urlsplit(u).scheme not in {"data", "blob", "about"}
                and urlsplit(u).hostname != "127.0.0.1"]


@pytest.fixture
def page(browser):
    context = browser.new_context(
        color_scheme="light",
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.recorder = Recorder(page)
    yield page
    context.close()


def _pages(site_url: str, site: Path) -> list[tuple[str, str]]:
    """(URL, HTML) of every page of the built site."""
    pages = []
    for path in html_pages(site):
        rel = path.relative_to(site).as_posix()
        url = site_url + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        pages.append((url, path.read_text(encoding="utf-8")))
    return pages


# --------------------------------------------------------------- math and requests

# Visible prose of the page: the article without code, KaTeX output and scripts.
PROSE_JS = """() => {
  const root = document.querySelector('article') || document.body;
  const copy = root.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, .katex, .katex-display, svg')
      .forEach(e => e.remove());
  return copy.textContent;
}"""

MATH_STATE_JS = """async () => {
  await document.fonts.ready;
  const katex = document.querySelectorAll('.katex');
  const wrappers = document.querySelectorAll('.arithmatex');
  const empty = [...wrappers].filter(w => !w.querySelector('.katex')).length;
  const first = document.querySelector('.katex .katex-html .mord, .katex .katex-html');
  return {
    katex: katex.length,
    untypeset: empty,
    font: first ? getComputedStyle(first).fontFamily : '',
    fontLoaded: katex.length ? document.fonts.check('16px KaTeX_Main') : true,
  };
}"""


def _source_has_math(url_path: str) -> bool | None:
    """Whether the page's own source holds math (None: a generated page)."""
    rel = url_path.strip("/")
    candidates = [DOCS / f"{rel}.md", DOCS / rel / "index.md", DOCS / f"{rel}.py"]
    if rel == "":
        candidates = [DOCS / "index.md"]
    for source in candidates:
        if source.is_file():
            text = source.read_text(encoding="utf-8")
            text = re.sub(r"^(\s*)(`{3,}|~{3,}).*?^\1\2", "", text, flags=re.S | re.M)
            text = re.sub(r"`[^`\n]*`", "", text)
            if source.suffix == ".py":  # a lab: only its Markdown cells (comments)
                text = "\n".join(line for line in text.splitlines() if line.startswith("#"))
            return bool(re.search(r"\$[^$\s][^$]*\$", text))
    return None


def test_every_page_has_typeset_math_and_fetches_only_from_the_site(every_page):
    visits, recorder = every_page
    problems = []
    assert len(visits) >= 13
    for visit in visits:
        state, prose = visit["math"], visit["prose"]
        where = urlsplit(visit["url"]).path
        if state["untypeset"]:
            problems.append(f"{where}: {state['untypeset']} formulas not typeset")
        if _source_has_math(where) and not state["katex"]:
            problems.append(f"{where}: the source has math but the page shows none")
        if state["katex"] and ("KaTeX_Main" not in state["font"] or not state["fontLoaded"]):
            problems.append(f"{where}: KaTeX's CSS or fonts did not load ({state})")
        for raw in ("$$", "\\frac", "\\nabla", "\\(", "\\["):
            if raw in prose:
                i = prose.index(raw)
                problems.append(f"{where}: raw TeX {raw!r} in the text: …{prose[max(i - 60, 0):i + 60]}…")
    offsite = recorder.offsite()
    assert not offsite, "requests to another origin:\n" + "\n".join(sorted(set(offsite)))
    assert not recorder.failures, "\n".join(sorted(set(recorder.failures)))
    assert not problems, "\n".join(problems)
    assert any("/assets/katex/fonts/" in u for u in recorder.requests)


# ----------------------------------------------------------------------- copy button

# The text a pycon block should copy: its input lines, prompts removed.
EXPECTED_COPY_JS = """(code) => {
  const lines = code.innerText.replace(/\\n$/, '').split('\\n');
  return lines.filter(l => l.startsWith('>>> ') || l.startsWith('... ') || l === '...' || l === '>>>')
              .map(l => l.slice(4)).join('\\n');
}"""


# Open the collapsed block or the other tab that holds a code block, so it is shown.
REVEAL_JS = """(block) => {
  for (let e = block; e; e = e.parentElement) {
    if (e.tagName === 'DETAILS') e.open = true;
    const content = e.parentElement;
    if (content && content.classList.contains('tabbed-content')) {
      const i = [...content.children].indexOf(e);
      content.parentElement.querySelectorAll(':scope > input')[i].checked = true;
    }
  }
}"""


def _copy(page, block) -> str:
    page.evaluate("navigator.clipboard.writeText('')")
    block.evaluate(REVEAL_JS)
    block.hover()
    block.locator("button[data-md-type='copy'], button.md-clipboard").first.click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()).length > 0")
    return page.evaluate("navigator.clipboard.readText()")


def test_copy_button_on_a_doctest_copies_runnable_python(page, site_url):
    page.goto(site_url)
    block = page.locator("div.language-pycon").first
    copied = _copy(page, block)
    assert ">>>" not in copied and "..." not in copied
    assert "[2. 4. 6.]" not in copied and "14.0" not in copied  # the output lines
    assert "def loss_of(x):\n    return (x * x).sum()" in copied  # a `...` continuation
    expected = block.locator("code").evaluate(EXPECTED_COPY_JS)
    assert copied.rstrip("\n") == expected.rstrip("\n")
    ran = subprocess.run([sys.executable, "-c", copied], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    # The output that was left out of the copy is what the code prints.
    output = [line for line in block.locator("code").inner_text().splitlines()
              if line and not line.startswith((">>>", "..."))]
    ran = subprocess.run([sys.executable, "-c", copied + "\n"], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and output and output[-1] in ran.stdout


# Every pycon block of the page in turn: show it, press its copy button, and return
# what the copy handed to the clipboard beside what should have. The text is taken in
# the page's `copy` event (the selection the copy command copies, as a rule the hidden
# text area that Material's clipboard code fills), which is immediate; reading the
# clipboard back after each click costs ~0.1 s a block, and the test above does that
# for one block.
COPY_ALL_JS = """async () => {
  const reveal = %s;
  const expected = %s;
  const found = [];
  let copied = null;
  const grab = e => {
    const t = e.target;
    copied = t && typeof t.selectionStart === 'number'
      ? t.value.substring(t.selectionStart, t.selectionEnd)
      : document.getSelection().toString();
  };
  document.addEventListener('copy', grab, true);
  for (const block of document.querySelectorAll('div.language-pycon')) {
    reveal(block);
    copied = null;
    block.querySelector("button[data-md-type='copy'], button.md-clipboard").click();
    for (let i = 0; i < 200 && copied === null; i++) await new Promise(r => setTimeout(r, 5));
    found.push([copied, expected(block.querySelector('code'))]);
  }
  document.removeEventListener('copy', grab, true);
  return found;
}""" % (REVEAL_JS, EXPECTED_COPY_JS)


@pytest.fixture(scope="module")
def every_page(browser, site_url):
    """Every page of the site loaded once, and what the tests read from it: its math, its
    prose, and what each copy button copied beside what it should have; with the
    recorder of every request the walk made."""
    site = build_site().site
    context = browser.new_context(color_scheme="light", viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    recorder = Recorder(page)
    visits = []
    for url, html in _pages(site_url, site):
        page.goto(url, wait_until="load", timeout=120_000)  # the one-page book takes seconds
        visit = {"url": url, "math": page.evaluate(MATH_STATE_JS), "prose": page.evaluate(PROSE_JS),
                 "copies": None}
        # The one-page book repeats the chapters' blocks, checked on the chapters' pages.
        if "language-pycon" in html and "/print_page/" not in url:
            visit["copies"] = page.evaluate(COPY_ALL_JS)
        visits.append(visit)
    context.close()
    return visits, recorder


def test_copy_buttons_copy_only_the_code_on_every_page(every_page):
    checked = 0
    for visit in every_page[0]:
        for i, (copied, expected) in enumerate(visit["copies"] or []):
            assert copied is not None, f"{visit['url']}: block {i}: its copy button copied nothing"
            assert copied.rstrip("\n") == expected.rstrip("\n"), (visit["url"], i, copied, expected)
            assert ">>>" not in copied
            checked += 1
    assert checked >= 1


# ------------------------------------------------------------------ search, palette


def test_search_finds_the_chain_rule(page, site_url):
    page.goto(site_url)
    page.locator("input.md-search__input").click()
    # The search index loads in a web worker; a query typed before it is ready is lost.
    meta = ".md-search-result__meta"
    page.wait_for_function(
        f"!document.querySelector('{meta}').textContent.includes('Initializing')", timeout=60_000
    )
    # Typed key by key, as a reader types: the search box reacts to key events.
    page.locator("input.md-search__input").press_sequentially("chain rule", delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible", timeout=30_000)
    assert results.count() > 0
    assert "chain rule" in page.locator(".md-search-result").inner_text().lower()
    assert not page.recorder.offsite()


def test_palette_toggle_switches_to_dark_and_the_figures_follow(page, site_url):
    site = build_site().site
    with_figure = [url for url, html in _pages(site_url, site) if "#only-dark" in html]
    page.goto(with_figure[0] if with_figure else site_url)
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"{scheme} === 'slate'")
    assert page.evaluate(scheme) == "slate"
    if with_figure:
        shown = page.evaluate("""() => [...document.querySelectorAll('article img')]
            .filter(i => i.src.includes('/figures/') && i.offsetParent !== null)
            .map(i => i.getAttribute('src'))""")
        assert shown and all(src.endswith("-dark.svg#only-dark") for src in shown), shown
