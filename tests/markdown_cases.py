"""Pathological Markdown, sized to fill any field: what the user-text renderer must survive quickly.

Most come from the CommonMark reference implementations' pathological tests (nested brackets, emphasis
runs, deep nesting, many link definitions, unclosed constructs); the rest probe the renderer's rules
one by one (tables, fences, entities, autolinks, headings). Each case ends with END_MARK after a blank
line: whatever the input, the mark must still be visible in the output (nothing after it is lost).
A case's `keeps` is text that must survive formatting too, where not every character of the input is
markup (a run of `*` is a rule, a run of backticks a fence).
Used by tests/core/test_markup.py (structure) and bench/render.py (time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from mockloop.core import rubric
from mockloop.core.vocabulary import WorkKind
from mockloop.core.work import RULES

END_MARK = "END-MARK"
TAIL = "\n\n" + END_MARK

# Every field a user writes, at its maximum length (notes are kept as written, but they become draft
# evidence, and the preview endpoint accepts as much as the scratchpad).
FIELDS = {
    "scratchpad": RULES[WorkKind.SCRATCHPAD].limit,
    "notes": RULES[WorkKind.NOTES].limit,
    "evidence": rubric.EVIDENCE_LIMIT,
    "keep/stop/start": rubric.SUMMARY_LIMIT,
}


def repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def nested(opener: str, middle: str, closer: str, n: int) -> str:
    k = max(1, (n - len(middle)) // (len(opener) + len(closer)))
    return opener * k + middle + closer * k


def increasing(make_line: Callable[[int], str], n: int) -> str:
    """Lines made by make_line(0), make_line(1), ... as many as fit in n characters (or until one is empty)."""
    out, size, i = [], 0, 0
    while (line := make_line(i)) and size + len(line) <= n:
        out.append(line)
        size += len(line)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Case:
    name: str
    body: Callable[[int], str]  # text of at most n characters
    keeps: str = ""  # a string the visible output must still contain (besides END_MARK)

    def text(self, limit: int) -> str:
        return self.body(limit - len(TAIL)) + TAIL


def run(unit: str, name: str | None = None, keeps: str = "") -> Case:
    return Case(name or f"run of {unit!r}", lambda n: repeat(unit, n), keeps)


CASES = [
    # brackets and links
    run("[", keeps="[" * 1000),
    run("]", keeps="]" * 1000),
    run("[a", "link openers without closers", keeps="[a[a[a"),
    run("a]", "link closers without openers", keeps="a]a]a]"),
    run("[a](", "unclosed inline links", keeps="[a]("),
    run("[a](<b", "unclosed links A", keeps="[a](<b"),
    run("[a](b", "unclosed links B", keeps="[a](b"),
    run('[a](b "', "unclosed link titles"),
    run("[ (](", "pattern [ (]("),
    run("![[]()", "pattern ![[]()"),
    run("![[", keeps="![["),
    run("](", keeps="]("),
    run("[]", keeps="[][]"),
    Case("nested brackets", lambda n: nested("[", "a", "]", n), keeps="[[[a]]]"),
    Case("nested inline links", lambda n: nested("[", "a", "](b)", n)),
    Case("nested images", lambda n: nested("![", "a", "](b)", n)),
    Case("link destination of parentheses", lambda n: "[a](" + repeat("(", n - 4)),
    Case("deep link destination", lambda n: nested("[a](", "b", ")", n)),
    run("[*"),
    run("*["),
    run("[`"),
    run("[ a_", "link openers and emph closers"),
    run("*[a](b)", "emphasis opener before each link"),
    run("[a](b)", "many links"),
    run("[a][b] ", "undefined full references", keeps="[a][b]"),
    run("[a] ", "undefined shortcut references", keeps="[a] [a]"),
    # link reference definitions
    Case(
        "many link definitions and uses",
        lambda n: (
            increasing(lambda i: f"[r{i}]: /u{i}\n", n // 2) + "\n" + increasing(lambda i: f"[r{i}] ", n // 2 - 1)
        ),
    ),
    run("[a]: /u\n", "one label defined again and again"),
    run("[a]:\n", "definitions without destination"),
    run("[\n", "labels spanning lines"),
    run("[a]: <", "definitions with an open <"),
    # emphasis
    Case("nested strong emphasis", lambda n: nested("*a **a ", "b", " a** a*", n)),
    run("*a **a ", "emphasis openers, single and double"),
    run("_a __a ", "underscore openers, single and double"),
    run("*"),
    run("_"),
    run("a_ ", "emphasis closers without openers", keeps="a_ a_"),
    run("_a ", "emphasis openers without closers", keeps="_a _a"),
    run("*a_ ", "mismatched openers and closers", keeps="*a_ *a_"),
    Case("openers and closers multiple of 3", lambda n: "a**b" + repeat("c* ", n - 4)),
    run("a***b ", "a***b pattern"),
    run("*_", keeps="*_*_"),
    Case("emphasis openers then closers", lambda n: nested("*a ", "b", " a*", n)),
    run("**x [a*b**c*](d) ", "hard link and emphasis case"),
    # strikethrough
    run("~"),
    run("~~a ", "strikethrough openers"),
    run("a~~b ", "strikethrough between words"),
    # code spans
    Case("backtick runs of growing length", lambda n: increasing(lambda i: "e" + "`" * (i + 1), n)),
    run("`"),
    run("a`"),
    # raw HTML, shown as text
    run("<", keeps="<" * 1000),
    run("<a", "unclosed tags", keeps="<a<a"),
    Case("unclosed comments", lambda n: "</" + repeat("<!--", n - 2), keeps="<!--<!--"),
    run("<?", "unclosed processing instructions", keeps="<?<?"),
    run("<![CDATA[", "unclosed CDATA", keeps="<![CDATA["),
    run("<!A", "unclosed declarations", keeps="<!A"),
    run("<http://", "unclosed autolinks", keeps="<http://"),
    run("<a@b", "unclosed email autolinks"),
    run("<https://example.com> ", "many autolinks"),
    # entities
    run("&", keeps="&" * 1000),
    run("&#", keeps="&#&#"),
    run("&#x", keeps="&#x&#x"),
    run("&amp;", "entity run", keeps="&&&"),
    run("&#123456789;", "numeric entities out of range"),
    run("&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "long unterminated entity names"),
    # block nesting
    Case("nested block quotes", lambda n: repeat("> ", n - 1) + "a"),
    Case("block quotes deepening line by line", lambda n: increasing(lambda i: "> " * i + "a\n", n)),
    Case("deeply nested lists", lambda n: increasing(lambda i: "  " * i + "* a\n", n)),
    Case("list markers on one line", lambda n: repeat("- ", n - 1) + "a"),
    Case("ordered markers on one line", lambda n: repeat("1. ", n - 1) + "a"),
    Case("quotes inside lists", lambda n: repeat("- > ", n - 1) + "a"),
    Case("list nested 300 deep", lambda n: increasing(lambda i: "  " * i + "- a\n" if i < 300 else "", n)),
    run("- a\n", "a long flat list"),
    run("1. a\n", "a long ordered list"),
    Case("list item with many continuation lines", lambda n: "- a\n" + repeat("  b\n", n - 4)),
    # tables
    Case(
        "table with many columns",
        lambda n: repeat("|a", n // 3) + "\n" + repeat("|-", n // 3) + "\n" + repeat("|b", n // 3 - 2),
    ),
    Case("table with many rows", lambda n: "|a|b|\n|-|-|\n" + repeat("|1|2|\n", n - 12)),
    Case(
        "wide table header over short rows",
        lambda n: repeat("|a", n // 8) + "|\n" + repeat("|-", n // 8) + "|\n" + repeat("x\n", n - 2 * (n // 8) - 4),
    ),
    run("|", keeps="|" * 1000),
    run("|-\n", "delimiter rows only"),
    run("a|b\n-|-\n", "many two-line tables"),
    # headings, rules, fences, code
    run("#", keeps="#" * 1000),
    run("# a\n", "many headings"),
    run("a\n=\n", "many setext headings"),
    run("=", keeps="=" * 1000),
    run("* * *\n", "many rules"),
    run("-"),
    run("```\n", "fences opening and closing"),
    Case("one unclosed fence", lambda n: "```python\n" + repeat("a\n", n - 10)),
    run("~~~a\n", "tilde fences with info"),
    run("```` ```\n", "mismatched fence lengths"),
    run("    a\n", "indented code lines"),
    # lines, spaces, escapes
    run("a\n", "many short lines"),
    run("\n", "only newlines"),
    run("a  \n", "many hard breaks"),
    run("a\\\n", "backslash hard breaks"),
    run(" ", "only spaces"),
    run("\t", "only tabs"),
    run("\\", keeps="\\" * 400),
    run("\\*", "escaped stars", keeps="*" * 400),
    run("abc\u0000de\u0000", "NUL characters"),
    run("\r", "bare carriage returns"),
    run("a", "one long word", keeps="a" * 1000),
    run("*a*", "many emphasised words"),
    run("`a`", "many code spans"),
]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees in rendered HTML (tags dropped, entities decoded)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
