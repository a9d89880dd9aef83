"""Markdown to HTML: prompt files are trusted content, anything a user typed is untrusted.

Two renderers, one look. Prompt files (written by whoever runs the server) go through Python-Markdown.
User text must render in bounded time, and Python-Markdown is quadratic on some inputs (runs of `[`,
upstream issue #798), so it goes through cmark-gfm (the C reference CommonMark parser, GitHub's fork,
via cmarkgfm): linear on the CommonMark pathological tests and about 30 times faster than a pure-Python
parser on ordinary text. Raw HTML is never parsed: a tag a user mentions is shown as text and cannot
swallow what follows. nh3 then sanitizes the output anyway. Both renderers produce the same elements
for the common constructs (`<pre><code class="language-x">` for fenced code, `<table>`, `<em>`,
`<strong>`, ...), so the same CSS styles both.

Even linear work has a cost per element (nh3 builds a tree of the whole output), so text with more
markup than fits a budget is shown as written, in a <pre>, instead of being formatted: nothing is lost.
"""

from __future__ import annotations

import html as html_lib
import operator
import re

import cmarkgfm
import markdown
import nh3
from cmarkgfm.cmark import Options

EXTENSIONS = ["fenced_code", "tables", "sane_lists"]

# What user Markdown may produce; everything else (scripts, event handlers, styles) is stripped.
ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# A fenced block's language, kept as the trusted renderer keeps it (`<code class="language-x">`).
CODE_LANGUAGES = {
    "bash",
    "c",
    "cpp",
    "csharp",
    "css",
    "diff",
    "go",
    "graphql",
    "html",
    "java",
    "javascript",
    "js",
    "json",
    "kotlin",
    "markdown",
    "md",
    "mermaid",  # drawn as a diagram in the browser (frontend/src/diagrams.js)
    "php",
    "plaintext",
    "proto",
    "python",
    "py",
    "ruby",
    "rust",
    "scala",
    "sh",
    "shell",
    "sql",
    "swift",
    "text",
    "toml",
    "ts",
    "typescript",
    "xml",
    "yaml",
    "yml",
}
ALLOWED_CLASSES = {"code": {f"language-{name}" for name in CODE_LANGUAGES}}

# cmark's safe default (no UNSAFE flag) also drops javascript:, vbscript:, file: and data: links.
CMARK_OPTIONS = Options.CMARK_OPT_DEFAULT | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
CMARK_EXTENSIONS = ["table", "strikethrough"]

# The budget. Rendering costs about a microsecond or two per markup character (cmark, then nh3), a
# few per table cell, and nh3's tree grows slow past a few thousand levels of nesting. Ordinary
# writing stays inside: 200,000 characters of the writing in this repository's prompt files (not their
# tests and reference solutions, which are code) hold about 11,000
# markup characters; a table of 500 rows of ten columns is 5,500 cells.
MARKUP = '\n!"#&()*+-:<=>[\\]_`|~'
MAX_MARKUP = 15_000
MAX_TABLE_CELLS = 6_000
MAX_PREFIX = 1000  # the longest run of container markers (> - * + 1. indentation) opening a line
PLAIN_NOTE = "This text holds more Markdown than can be formatted quickly, so it is shown as written."

_DEEP_LINE = re.compile(rf"^[ \t>*+\-.)0-9]{{{MAX_PREFIX}}}", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_PIPES = operator.methodcaller("count", "|")

# `<` is what starts raw HTML (and angle-bracket autolinks); the parser is given a stand-in instead,
# a punctuation character the text does not contain (so emphasis next to it parses as next to `<`),
# and the stand-in becomes `&lt;` in the output: in text, code and titles alike.
_STAND_INS = [chr(c) for c in range(0x2E00, 0x2E2F)]  # Supplemental Punctuation: all P* categories


def _url_escaped(char: str) -> str:
    return "".join(f"%{b:02X}" for b in char.encode())


def render_trusted(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS, output_format="html")


def _table_cells(text: str) -> int:
    """An upper bound on the cells GFM tables in the text can produce: a table ends at a blank line,
    and every row of it (even one without a pipe) is padded out to the header's width."""
    cells = 0
    for block in _BLANK_LINE.split(text):
        if "|" in block and "-" in block:  # no delimiter row, no table
            lines = block.split("\n")
            cells += len(lines) * (max(map(_PIPES, lines)) + 1)
    return cells


def fits_budget(text: str) -> bool:
    """Whether render_user formats the text as Markdown (True) or shows it as written."""
    return (
        sum(map(text.count, MARKUP)) <= MAX_MARKUP
        and not _DEEP_LINE.search(text)
        and ("|" not in text or _table_cells(text) <= MAX_TABLE_CELLS)
    )


def _plain(text: str) -> str:
    # Escaped text only, nothing a sanitizer could change (nh3 is slow on long runs of entities).
    return f'<p class="meta">{PLAIN_NOTE}</p>\n<pre class="as-written">{html_lib.escape(text)}</pre>\n'


def render_user(text: str) -> str:
    text = text or ""
    # In a link's href cmark percent-encodes the stand-in's UTF-8 bytes, as it would have `<`.
    stand_in = next((c for c in _STAND_INS if c not in text and _url_escaped(c) not in text), None)
    if stand_in is None or not fits_budget(text):
        return _plain(text)
    html = cmarkgfm.markdown_to_html_with_extensions(
        text.replace("<", stand_in), options=CMARK_OPTIONS, extensions=CMARK_EXTENSIONS
    )
    html = html.replace(stand_in, "&lt;").replace(_url_escaped(stand_in), "%3C")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
