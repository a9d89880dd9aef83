"""Markdown to HTML: prompt files are trusted content, anything a user typed is sanitized with nh3."""
from __future__ import annotations

import markdown
import nh3

EXTENSIONS = ["fenced_code", "tables", "sane_lists"]

# What user Markdown may produce; everything else (scripts, event handlers, styles) is stripped.
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_trusted(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS, output_format="html")


def render_user(text: str) -> str:
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
