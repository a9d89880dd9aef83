"""Mermaid blocks survive Markdown rendering as code the browser can find and draw (diagrams.js), with
their labels escaped like any other code: the sanitizer keeps the language class and nothing else."""

from mockloop.core.markup import render_trusted, render_user
from tests.xss_payloads import PAYLOADS

BLOCK = '```mermaid\nflowchart LR\n  a["{label}"] --> b\n```\n'


def test_user_and_prompt_markdown_keep_a_mermaid_block_as_code_with_its_class():
    for render in (render_user, render_trusted):
        html = render(BLOCK.format(label="Client"))
        assert html.startswith('<pre><code class="language-mermaid">flowchart LR'), html


def test_a_hostile_label_in_a_mermaid_block_stays_text():
    kept = 0
    for payload in PAYLOADS:
        html = render_user(BLOCK.format(label=payload))
        if 'class="language-mermaid"' not in html:
            continue  # a payload that ends the fence early: then it is ordinary Markdown, tested elsewhere
        code = html.split('<code class="language-mermaid">', 1)[1].split("</code>", 1)[0]
        assert "<" not in code and ">" not in code, payload  # every tag in it is escaped
        kept += 1
    assert kept > len(PAYLOADS) * 0.9
