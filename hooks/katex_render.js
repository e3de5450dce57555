// Typesets TeX with KaTeX for the site build (hooks/katex.py drives it).
//
// One request per line on stdin, one answer per line on stdout, both JSON:
//   {"formulas": [{"tex": "a^2", "display": false}, ...]}
//   -> {"results": [{"html": "<span class=\"katex\">..."} | {"error": "..."}, ...]}
// Macros defined with \gdef or \newcommand in one formula hold for the later formulas
// of the same request (one request is one page), and no further.
"use strict";

const readline = require("readline");
const katex = require("katex");

function render(formula, macros) {
  const warnings = [];
  try {
    const html = katex.renderToString(formula.tex, {
      displayMode: Boolean(formula.display),
      throwOnError: true,
      output: "htmlAndMathml",
      macros,
      globalGroup: true,
      // A formula KaTeX would typeset only by guessing is reported, not silently kept.
      strict: (code, message) => {
        warnings.push(`${code}: ${message}`);
        return "ignore";
      },
    });
    return warnings.length ? { html, warnings } : { html };
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
}

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  let answer;
  try {
    const request = JSON.parse(line);
    const macros = {};
    answer = { results: request.formulas.map((f) => render(f, macros)) };
  } catch (err) {
    answer = { fatal: String(err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
