"""User Markdown: bounded time on hostile input, tags a user mentions shown as text, one look with the
prompt files' renderer. Timing itself is measured by bench/render.py; here only a generous guard."""

from __future__ import annotations

import re
import signal
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest

from mockloop.core.markup import PLAIN_NOTE, fits_budget, render_trusted, render_user
from tests.markdown_cases import CASES, END_MARK, FIELDS, repeat, visible_text


class Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tag_names(html: str) -> list[str]:
    return [tag for tag, _ in Tags(html).tags]


@contextmanager
def finishes_within(seconds: float):
    """Fail instead of hanging: the old renderer took 5-7 s for 6,000 `[` and grew with the square."""

    def too_slow(*_):
        raise AssertionError(f"rendering took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------- pathological input, at every field's maximum length ----------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_pathological_case_renders_whole_in_every_field(case):
    for field, limit in FIELDS.items():
        text = case.text(limit)
        assert len(text) <= limit
        with finishes_within(5):
            html = render_user(text)
        shown = visible_text(html)
        assert END_MARK in shown, (field, "the text after the case was lost")
        if fits_budget(text):
            assert PLAIN_NOTE not in shown and (not case.keeps or case.keeps in shown), (field, case.keeps)
        else:  # shown as written: all of it, with a word on why
            assert PLAIN_NOTE in shown and text in shown, field


def test_the_longest_run_of_brackets_still_formatted_finishes():
    """The input that made the site unresponsive, as long as it can be while still formatted."""
    n = 1
    while fits_budget("[" * (n * 2)):
        n *= 2
    assert n >= 8_000  # well past the 6,000 that took the old renderer 5-7 s
    with finishes_within(3):
        html = render_user("[" * n + "\n\nafter")
        render_user("[" * 200_000)
    assert html == f"<p>{'[' * n}</p>\n<p>after</p>\n"


def prose(prompt_file: str) -> str:
    """A prompt file's writing: without its executable tests and reference solutions, which are
    code (denser in markup characters than anything a person writes in a scratchpad)."""
    text = re.sub(r"(?ms)^```tests .*?^```\n", "", prompt_file)
    return re.sub(r"(?ms)^## Reference solution\n.*?(?=^## |\Z)", "", text)


def test_ordinary_writing_at_the_scratchpad_limit_is_formatted():
    from pathlib import Path

    prompts = sorted((Path(__file__).resolve().parents[2] / "prompts").rglob("*.md"))
    text = repeat("\n\n".join(prose(p.read_text()) for p in prompts), FIELDS["scratchpad"])
    assert fits_budget(text)
    with finishes_within(3):
        assert "<h2>" in render_user(text)


def test_a_list_nested_300_deep_renders_nested():
    text = "".join("  " * i + f"- item {i}\n" for i in range(300)) + "\nafter"
    html = render_user(text)
    assert html.count("<ul>") == 300 and html.count("</ul>") == 300
    shown = visible_text(html)
    assert all(f"item {i}" in shown for i in range(300)) and "after" in shown


def test_deeper_nesting_than_the_budget_is_shown_as_written():
    text = "> " * 20_000 + "deep\n\nafter"
    html = render_user(text)
    assert "<blockquote>" not in html and PLAIN_NOTE in html
    assert visible_text(html).endswith(text + "\n")


def test_text_shown_as_written_is_escaped():
    text = '<script>alert(1)</script> & "quotes" ' + "[" * 20_000
    html = render_user(text)
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    assert tag_names(html) == ["p", "pre"]


# ---------- a tag a user mentions is text, and nothing after it is lost ----------


@pytest.mark.parametrize(
    "tag",
    [
        "style",
        "script",
        "textarea",
        "title",
        "iframe",
        "noscript",
        "xmp",
        "plaintext",
        "noembed",
        "noframes",
        "template",
        "div",
        "b",
        "img",
    ],
)
def test_a_mentioned_tag_is_shown_and_keeps_what_follows(tag):
    text = (
        f"The widget injects a <{tag}> element, then closes it with </{tag}>.\n\n"
        "SECOND-PARAGRAPH stays *formatted*.\n\n- and the list after it"
    )
    html = render_user(text)
    shown = visible_text(html)
    assert f"The widget injects a <{tag}> element, then closes it with </{tag}>." in shown
    assert "SECOND-PARAGRAPH stays formatted." in shown and "and the list after it" in shown
    assert tag_names(html) == ["p", "p", "em", "ul", "li"]


def test_no_hostile_payload_swallows_the_text_after_it():
    """Every payload in the XSS list, followed by more text: the text is still shown, formatted."""
    from tests.xss_payloads import PAYLOADS

    swallowed = []
    for n, payload in enumerate(PAYLOADS):
        html = render_user(f"{payload}\n\nAFTER-IT **still** here")
        if "AFTER-IT still here" not in visible_text(html) or "<strong>still</strong>" not in html:
            swallowed.append(n)
    assert swallowed == []


def test_a_tag_alone_on_a_line_is_text_too():
    html = render_user("<textarea>\n\n<p>SECOND-PARAGRAPH</p>\n\n<!-- a comment -->\n\n<?php echo 1; ?>")
    assert tag_names(html) == ["p", "p", "p", "p"]
    assert visible_text(html) == ("<textarea>\n<p>SECOND-PARAGRAPH</p>\n<!-- a comment -->\n<?php echo 1; ?>\n")


def test_angle_brackets_in_code_and_links_read_as_typed():
    html = render_user('`a<b>` and [x](https://example.com/?q=a<b "a <b> title")\n\n```\nif a<b:\n```')
    assert "<code>a&lt;b&gt;</code>" in html
    assert 'href="https://example.com/?q=a%3Cb"' in html and 'title="a &lt;b&gt; title"' in html
    assert "<pre><code>if a&lt;b:\n</code></pre>" in html


def test_scripts_cannot_come_back_through_links():
    html = render_user(
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x) "
        "[d](vbscript:x) ![e](x.png) [f](https://ok.example)"
    )
    hrefs = [attrs.get("href") for tag, attrs in Tags(html).tags if tag == "a"]
    assert hrefs == ["", "", "", "", "https://ok.example"]
    assert "img" not in tag_names(html)


# ---------- one look: both renderers give the same elements ----------

SAME_LOOK = """# Plan

Some *emphasis*, **strong**, `code` and a [link](https://example.com "title").

## Steps

1. first
2. second

- a point
    - a nested point

> a quote

```python
print("hi")
```

    indented code

| a | b |
|---|---|
| 1 | 2 |

---
"""


def test_user_text_and_prompt_files_render_with_the_same_elements():
    trusted, user = Tags(render_trusted(SAME_LOOK)).tags, Tags(render_user(SAME_LOOK)).tags
    assert [t for t, _ in user] == [t for t, _ in trusted]
    code_classes = lambda tags: [a.get("class") for t, a in tags if t == "code" and a.get("class")]  # noqa: E731
    assert code_classes(user) == code_classes(trusted) == ["language-python"]


def test_user_text_strikes_through_with_two_tildes_only():
    assert render_user("~~gone~~ and ~5 minutes~") == "<p><del>gone</del> and ~5 minutes~</p>\n"
