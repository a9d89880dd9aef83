"""Mermaid blocks in Markdown drawn as diagrams in Chromium: a prompt's, a scratchpad's (its preview and
the scorecard), a broken one showing its source and the error, hostile labels never running, and
Mermaid loaded only by pages that have a block, from the app itself."""

from __future__ import annotations

import re
from urllib.parse import unquote

from playwright.sync_api import expect

from tests.e2e.helpers import sign_up
from tests.e2e.test_board import nothing_ran, start_board_round, watched
from tests.e2e.test_code_round import watch_origin
from tests.helpers import Api, Auth, answers, form_page
from tests.xss_payloads import PAYLOADS

GOOD = "```mermaid\nflowchart LR\n  client[Client] -->|HTTPS| gateway[Gateway]\n  gateway --> db[(Usage store)]\n```"
BROKEN = "```mermaid\nflowchart LR\n  client --> \n```"


# Each picture's SVG, parsed into an inert document: scripts, foreign HTML, handlers, script URLs.
SVG_PROBLEMS = """imgs => imgs.flatMap((img) => {
  const text = decodeURIComponent(img.src.split(",", 2)[1]);
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const bad = [];
  for (const el of doc.querySelectorAll("*")) {
    if (["script", "foreignObject", "iframe", "a"].includes(el.localName)) bad.push(`<${el.localName}>`);
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) bad.push(`${el.localName} ${attr.name}`);
      if (/href$/i.test(attr.name) && !/^#/.test(attr.value)) bad.push(`${el.localName} ${attr.name}=${attr.value}`);
    }
  }
  return bad;
})"""


def test_a_prompts_diagram_is_drawn_as_a_picture_with_its_source_beside_it(context, live_url):
    page = context.new_page()
    elsewhere = watch_origin(context, live_url)
    sign_up(page, live_url)
    start_board_round(page, live_url)
    brief = page.get_by_role("article", name="Candidate brief")
    picture = brief.get_by_role("img", name=re.compile("diagram", re.I))
    expect(picture).to_be_visible(timeout=15_000)
    svg = unquote(picture.get_attribute("src").split(",", 1)[1])
    assert "Client" in svg and "Gateway" in svg and "<script" not in svg
    brief.get_by_text("Diagram source").click()
    expect(brief.locator("figure.diagram pre code")).to_contain_text("client[Client] -->|HTTPS| gateway[Gateway]")
    assert elsewhere == []


def test_a_scratchpad_diagram_in_the_preview_and_a_broken_one_showing_its_error(context, live_url):
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    sign_up(page, live_url)
    page.goto(live_url + "/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    body = page.request.post(
        live_url + "/api/rounds", headers={"X-CSRFToken": token}, data={"stage": "quick", "prompt": "quick-prompt-1"}
    ).json()
    page.goto(live_url + body["url"])
    assert not [u for u in requests if "/diagrams-" in u], "a page without a diagram loaded Mermaid's loader"

    page.get_by_role("textbox", name="Scratchpad").fill(f"Plan:\n\n{GOOD}\n\nThen:\n\n{BROKEN}\n")
    page.get_by_role("tab", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("img", name=re.compile("diagram", re.I))).to_be_visible(timeout=15_000)
    broken = preview.locator("figure.diagram-error")
    expect(broken).to_contain_text("This Mermaid diagram could not be drawn")
    expect(broken.locator("pre.diagram-message")).to_contain_text(re.compile("Parse error|Expecting"))
    expect(broken.locator("pre code")).to_have_text("flowchart LR\n  client --> \n")  # the source, as written
    assert [u for u in requests if "/diagrams-" in u], "the preview did not load the diagrams module"


def test_hostile_labels_in_a_diagram_never_run(browser, small_loop_app, live_url):
    ada = Api(small_loop_app.test_client())
    Auth(ada.client).signup(email="ada@example.com", name="Ada")
    rid = ada.start(stage="quick", prompt="quick-prompt-1").get_json()["id"]
    # Each payload as a node's label (quoted, as Mermaid takes markup-looking text), an edge label
    # and a note: a label Mermaid cannot parse leaves its block shown as text, which is fine too.
    blocks = []
    for n, payload in enumerate(PAYLOADS):
        label = payload.replace('"', "#quot;").replace("\n", " ")
        blocks.append(f'```mermaid\nflowchart LR\n  a{n}["{label}"] -->|"{label}"| b{n}("{label}")\n```')
    blocks.append("```mermaid\nsequenceDiagram\n  A->>B: " + PAYLOADS[0] + "\n  Note over A: " + PAYLOADS[1] + "\n```")
    pad = "\n\n".join(blocks)
    assert ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": pad, "revision": 0}).status_code == 200
    ada.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(ada.client, f"/rounds/{rid}/score")
    card = ada.client.post(f"/rounds/{rid}/score", data=answers(token, revision)).headers["Location"]

    context, page, dialogs = watched(browser, live_url, "ada@example.com")
    try:
        page.goto(live_url + card)
        expect(page.locator("figure.diagram")).to_have_count(len(blocks), timeout=20_000)
        expect(page.locator("figure.diagram[aria-busy]")).to_have_count(0, timeout=120_000)  # all answered
        assert page.locator("figure.diagram img").count() > len(PAYLOADS) // 2  # most are drawn, not refused
        nothing_ran(page, dialogs, "the scorecard's diagrams")
        # Inside the pictures too: labels are text, never elements or attributes that could act.
        assert page.locator("figure.diagram img").evaluate_all(SVG_PROBLEMS) == []
    finally:
        context.close()


def test_mermaid_is_loaded_only_where_a_block_is(context, live_url):
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    sign_up(page, live_url)
    page.goto(live_url + "/stages/quick/prompts/quick-prompt-1")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert not [u for u in requests if "/static/dist/" in u]  # no diagram, no bundle at all
    page.goto(live_url + "/stages/draw/prompts/draw-prompt-1")
    expect(page.get_by_role("img", name=re.compile("diagram", re.I)).first).to_be_visible(timeout=15_000)
    assert [u for u in requests if "/diagrams-" in u]
