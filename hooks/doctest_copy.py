"""Let the copy button of a doctest snippet copy runnable Python.

Material's copy button copies the text of the code block, so a ``pycon`` snippet would
arrive with its ``>>>``/``...`` prompts and its output. Pygments marks the prompts
(``.gp``); this hook marks each line of a ``pycon`` block that is not a prompt line —
output, tracebacks, blank lines — with the class ``nb-output``. While Material copies
(``code[data-md-copying]``), ``docs/assets/css/book.css`` hides both, and what reaches
the clipboard is the code alone, ready to paste into Python.

Needs ``pymdownx.highlight`` with ``line_spans: __span`` (one span per line).
"""

from __future__ import annotations

import re

from mkdocs.plugins import event_priority

BLOCK = re.compile(
    r'(<div class="language-pycon highlight">.*?<code>)(?P<code>.*?)(</code>)', re.DOTALL
)
LINE = re.compile(r'<span id="__span-\d+-\d+">')
# What may come before a line's first token: the anchor of `anchor_linenums`.
LINE_ANCHOR = re.compile(r"(?:<a [^>]*></a>)*")


def _mark_lines(code: str) -> str:
    starts = [m.start() for m in LINE.finditer(code)]
    pieces = [code[: starts[0]] if starts else code]
    for start, end in zip(starts, starts[1:] + [len(code)]):
        line = code[start:end]
        opening = LINE.match(line).group(0)
        body = line[len(opening):]
        body = body[LINE_ANCHOR.match(body).end():]
        if not body.startswith('<span class="gp">'):
            line = opening.replace("<span ", '<span class="nb-output" ', 1) + body
        pieces.append(line)
    return "".join(pieces)


# Before print-site copies the page into the one-page book (plugins run before hooks).
@event_priority(50)
def on_page_content(html, page, config, files):
    return BLOCK.sub(lambda m: m.group(1) + _mark_lines(m.group("code")) + m.group(3), html)
