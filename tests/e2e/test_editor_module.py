"""The code editor (frontend/src/editor.js) and the static highlighter (code-view.js) in Chromium, as
built by `make assets` and served by the app, on a test-only page under the app's strict page CSP
(tests/e2e/module_page.py). One browser page serves the module; each test makes a fresh editor."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from mockloop import create_app
from tests.e2e.module_page import ROOT, SHOWN, ModulePage, serve

# One snippet per language, and a keyword in it that must be coloured unlike the plain text.
SNIPPETS = {
    "python": ("def total(xs):\n    return sum(xs)\n", "def"),
    "javascript": ("function total(xs) {\n  return xs.length;\n}\n", "function"),
    "typescript": ("interface Box { size: number }\nconst b: Box = { size: 1 };\n", "interface"),
    "go": ("package main\n\nfunc main() {}\n", "func"),
    "java": ("class Main {\n    public static void main(String[] a) {}\n}\n", "class"),
    "cpp": ("#include <vector>\nint main() { return 0; }\n", "return"),
    "rust": ("fn main() {\n    let x = 1;\n}\n", "let"),
}

# Creates a fresh editor in #host with the given options; every onChange text and onRun call is kept.
CREATE = """async (options) => {
  window.editor?.destroy();
  window.events = { changes: [], runs: 0 };
  window.editor = window.modules.editor.createEditor(document.getElementById("host"), {
    ...options,
    onChange: (text) => window.events.changes.push(text),
    onRun: () => { window.events.runs += 1; },
  });
  await window.editor.ready;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "test", "DATABASE_URL": "sqlite://"})
    wsgi = ModulePage(app, {"editor": "editor.js", "codeView": "code-view.js"})
    server, url = serve(wsgi)
    wsgi.url = url
    yield wsgi
    server.shutdown()


@pytest.fixture(scope="module")
def module_page(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.requested = []
    page.problems = []
    context.on("request", lambda request: page.requested.append(request.url))
    # A CSP refusal, a failed chunk or a script error shows up here.
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto(site.url + ROOT)
    page.wait_for_function("window.modulesReady === true")
    yield page
    context.close()


@pytest.fixture
def tab(module_page):
    """The module's page, in light mode, checked after each test for console errors."""
    module_page.emulate_media(color_scheme="light")
    yield module_page
    assert module_page.problems == []


def editor(page, **options):
    page.evaluate(CREATE, options)
    return page.get_by_role("textbox", name=options.get("label", "Code editor"))


def value(page) -> str:
    return page.evaluate("window.editor.getValue()")


def colour_of(locator) -> str:
    return locator.evaluate("(el) => getComputedStyle(el).color")


def test_typing_reports_each_change_and_keeps_indentation(tab):
    box = editor(tab, label="Your code")
    box.click()
    tab.keyboard.type("def f():\nreturn 1")
    assert value(tab) == "def f():\n    return 1"  # Enter after the colon indents by Python's four spaces
    assert tab.evaluate("window.events.changes.at(-1)") == value(tab)


@pytest.mark.parametrize("language", list(SNIPPETS))
def test_each_language_is_highlighted(tab, language):
    code, keyword = SNIPPETS[language]
    editor(tab, doc=code, language=language)
    line = tab.locator(".cm-line").first
    expect(line).to_be_visible()
    token = tab.locator(".cm-content span", has_text=re.compile(f"^{keyword}$")).first
    expect(token).to_be_visible()
    assert colour_of(token) != colour_of(tab.locator(".cm-content"))


def test_switching_language_rehighlights_and_fails_clearly_on_an_unknown_one(tab):
    editor(tab, doc="fn main() {}\n", language="python")
    fn = tab.locator(".cm-content span", has_text=re.compile("^fn$"))
    expect(fn).to_have_count(0)  # not a Python keyword
    tab.evaluate("window.editor.setLanguage('rust')")
    expect(fn).to_have_count(1)
    error = tab.evaluate("() => { try { window.editor.setLanguage('cobol'); } catch (e) { return e.message; } }")
    assert 'Unknown language "cobol"' in error and "python" in error
    labels = tab.evaluate("window.modules.editor.LANGUAGES.map((l) => l.label)")
    assert labels == ["Python", "JavaScript", "TypeScript", "Go", "Java", "C++", "Rust"]


def test_ctrl_enter_runs_instead_of_inserting_a_line(tab):
    box = editor(tab, doc="print(1)")
    box.click()
    tab.keyboard.press("Control+Enter")
    assert tab.evaluate("window.events.runs") == 1
    assert value(tab) == "print(1)"


def test_tab_indents_and_escape_then_tab_leaves_the_editor(tab):
    box = editor(tab, doc="x = 1")
    box.click()
    tab.keyboard.press("Home")
    tab.keyboard.press("Tab")
    assert value(tab) == "    x = 1"
    expect(box).to_be_focused()  # Tab alone stays: it indents
    tab.keyboard.press("Escape")
    tab.keyboard.press("Tab")
    expect(tab.get_by_role("button", name="After the editor")).to_be_focused()
    tab.keyboard.press("Shift+Tab")  # and back in, where Tab indents again
    expect(box).to_be_focused()
    assert value(tab) == "    x = 1"


def test_undo_takes_back_typing_and_survives_a_value_that_did_not_change(tab):
    box = editor(tab, doc="a = 1\n")
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type("b = 2")
    tab.evaluate("window.editor.setValue(window.editor.getValue())")  # what a save that changed nothing does
    tab.keyboard.press("Control+z")
    assert value(tab) == "a = 1\n"
    tab.keyboard.press("Control+Shift+z")
    assert value(tab) == "a = 1\nb = 2"


def test_set_value_keeps_the_cursor_and_is_not_reported_as_typing(tab):
    box = editor(tab, doc="first\nsecond\n")
    box.click()
    tab.keyboard.press("Control+Home")
    tab.keyboard.press("ArrowDown")  # at the start of "second"
    changes = tab.evaluate("window.events.changes.length")
    tab.evaluate("window.editor.setValue('zeroth\\nfirst\\nsecond\\n')")  # a line arrives above
    assert tab.evaluate("window.events.changes.length") == changes
    tab.keyboard.type(">")
    assert value(tab) == "zeroth\nfirst\n>second\n"  # the cursor moved with its line
    tab.evaluate("window.editor.setValue('zeroth\\nfirst\\n>second\\nthird\\n')")  # and one below
    tab.keyboard.type(">")
    assert value(tab) == "zeroth\nfirst\n>>second\nthird\n"


def test_read_only_refuses_typing_until_it_is_lifted(tab):
    box = editor(tab, doc="locked", readOnly=True)
    expect(box).to_have_attribute("aria-readonly", "true")
    box.click()
    tab.keyboard.type("xyz")
    tab.keyboard.press("Backspace")
    assert value(tab) == "locked"
    assert tab.evaluate("window.events.changes") == []
    tab.evaluate("window.editor.setReadOnly(false)")
    expect(box).to_have_attribute("aria-readonly", "false")
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type("!")
    assert value(tab) == "locked!"


def test_search_opens_with_ctrl_f_and_finds(tab):
    box = editor(tab, doc="alpha\nbeta\nalphabet\n")
    box.click()
    tab.keyboard.press("Control+f")
    find = tab.get_by_role("textbox", name="Find")
    expect(find).to_be_focused()
    tab.keyboard.type("alpha")
    expect(tab.locator(".cm-searchMatch")).to_have_count(2)


def test_brackets_match_and_font_size_and_dark_mode_apply_live(tab):
    box = editor(tab, doc="f(x)")
    box.click()
    tab.keyboard.press("End")
    expect(tab.locator(".cm-matchingBracket")).to_have_count(2)
    tab.evaluate("window.editor.setFontSize(22)")
    assert box.evaluate("(el) => getComputedStyle(el).fontSize") == "22px"
    background = tab.locator(".cm-editor")
    light = background.evaluate("(el) => getComputedStyle(el).backgroundColor")
    tab.emulate_media(color_scheme="dark")  # the system switches while the tab is open
    expect(background).to_have_css("background-color", "rgb(40, 44, 52)")  # One Dark
    tab.emulate_media(color_scheme="light")
    expect(background).to_have_css("background-color", light)
    with pytest.raises(Exception, match="Font size must be"):
        tab.evaluate("window.editor.setFontSize(400)")


def test_the_static_view_highlights_with_spans_and_never_makes_markup(tab):
    shown = tab.locator("#shown code")
    keyword = shown.locator("span.tok-keyword", has_text="def")
    expect(keyword).to_have_count(1)  # highlighted on load, as on the scorecard
    assert shown.text_content() == SHOWN  # the text is unchanged, tag-like text included
    expect(shown.locator("b")).to_have_count(0)
    assert colour_of(keyword) != colour_of(shown.locator("span.tok-string").first)
    scratch = tab.locator("#scratch")
    tab.evaluate("window.modules.codeView.renderStatic(document.getElementById('scratch'), 'fn main() {}', 'rust')")
    expect(scratch.locator("span.tok-keyword", has_text="fn")).to_have_count(1)
    tab.evaluate("window.modules.codeView.renderStatic(document.getElementById('scratch'), '<i>x</i>', 'cobol')")
    expect(scratch).to_have_text("<i>x</i>")  # an unknown language is plain text
    expect(scratch.locator("span, i")).to_have_count(0)


def test_every_request_went_to_the_app(module_page, site):
    # Last in the module, after every language has loaded its chunk.
    assert module_page.requested and all(url.startswith(site.url + "/") for url in module_page.requested)
    assert any("/static/dist/editor-" in path for path in site.paths)
