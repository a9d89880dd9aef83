"""Every hostile payload through every field a user writes, rendered in Chromium: nothing runs.

The browser contexts bypass the Content-Security-Policy on purpose, so the sanitizer and the
templates' escaping are what is tested; the CSP is a second wall (tests/test_security.py checks it).
Payloads are batched: all of them in the scratchpad, the interviewer's notes, two scorecards and an
edit history, and one display name per payload, so a handful of page loads covers the whole list.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from mockloop.core import rubric as rubric_core
from mockloop.core.markup import render_user
from mockloop.db import db
from mockloop.db.models import Scorecard, ScorecardEdit, User
from tests.helpers import Api, Auth, answers, csrf_token, form_page, scorecard_path
from tests.xss_payloads import NAME_PAYLOADS, PAYLOADS

ADA_NAME = '"><img src=x onerror=alert(1)>Ada'
BOB_NAME = "</textarea><script>window.__xss=1</script>Bob"
PASSWORD = "correct horse battery"

# What the page must not contain, whatever the user typed: handlers, script URLs (read the way the
# browser resolves them), inline scripts, frames, plugins, foreign (SVG/MathML) elements, base/meta tricks.
DOM_PROBLEMS = """() => {
  const bad = [];
  const urlAttrs = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                            "srcset", "ping", "cite", "codebase", "srcdoc", "manifest", "icon"]);
  const scheme = (v) => v.replace(/^[\\u0000-\\u0020]+|[\\u0000-\\u0020]+$/g, "").replace(/[\\t\\n\\r]/g, "")
    .toLowerCase().match(/^([a-z][a-z0-9+.-]*):/);
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) bad.push(`<${el.localName} ${name}>`);
      const s = urlAttrs.has(name) && scheme(attr.value);
      if (s && ["javascript", "vbscript", "data", "livescript"].includes(s[1]))
        bad.push(`<${el.localName} ${name}=${attr.value}>`);
      if (name === "style") bad.push(`<${el.localName} style>`);
    }
    if (el.localName === "script" && !el.getAttribute("src")) bad.push("inline script");
    if (["iframe", "frame", "object", "embed", "base", "style"].includes(el.localName)) bad.push(`<${el.localName}>`);
    if (el.namespaceURI !== "http://www.w3.org/1999/xhtml") bad.push(`foreign <${el.localName}>`);
    if (el.localName === "meta" && el.hasAttribute("http-equiv")) bad.push("meta http-equiv");
  }
  for (const a of document.querySelectorAll("a[href], area[href]")) {
    if (!["http:", "https:", "mailto:"].includes(a.protocol)) bad.push(`link to ${a.protocol}`);
  }
  return bad;
}"""


def marked(n: int, payload: str) -> str:
    return f"{payload}\n\nmark-{n:03d}"


def renders_every_mark(items: list[tuple[int, str]]) -> bool:
    html = render_user("\n\n".join(marked(n, p) for n, p in items))
    return all(f"mark-{n:03d}" in html for n, _ in items)


def pack(payloads: list[str], limits: list[int]) -> tuple[list[str], set[int]]:
    """Spread the payloads over fields of the given sizes, each followed by a visible mark.

    Some payloads, rendered next to others, swallow what follows (an unclosed <style> or
    <noscript>), which would hide the payloads after them. So a field only takes payloads whose
    marks all survive rendering together, and a payload that swallows even its own mark goes last
    in a field. Returns the field texts and the marks that must be visible on the page.
    """
    swallowers = [(n, p) for n, p in enumerate(payloads) if not renders_every_mark([(n, p)])]
    rest = [(n, p) for n, p in enumerate(payloads) if (n, p) not in swallowers]
    fields: list[list[tuple[int, str]]] = [[] for _ in limits]
    size = lambda items: len("\n\n".join(marked(n, p) for n, p in items))  # noqa: E731
    k = 0
    for item in rest:
        while not (size(fields[k] + [item]) <= limits[k] and renders_every_mark(fields[k] + [item])):
            k += 1
            assert k < len(limits), "the payloads do not fit in the fields; add a field"
        fields[k].append(item)
    for item in swallowers:
        k = next(i for i, f in enumerate(fields) if size(f + [item]) <= limits[i])
        fields[k].append(item)
    return ["\n\n".join(marked(n, p) for n, p in f) or "-" for f in fields], {n for n, _ in rest}


TEXT_FIELDS = [
    ("evidence_clarity", rubric_core.EVIDENCE_LIMIT),
    ("evidence_depth", rubric_core.EVIDENCE_LIMIT),
    ("keep", rubric_core.SUMMARY_LIMIT),
    ("stop", rubric_core.SUMMARY_LIMIT),
    ("start", rubric_core.SUMMARY_LIMIT),
]


def two_cards(payloads: list[str]) -> tuple[dict, dict, set[int]]:
    """The text fields of two scorecards (self and interviewer) holding every payload between them."""
    texts, visible = pack(payloads, [limit for _, limit in TEXT_FIELDS] * 2)
    names = [name for name, _ in TEXT_FIELDS]
    return dict(zip(names, texts[:5])), dict(zip(names, texts[5:])), visible


def score(api: Api, url: str, fields: dict) -> str:
    _, token, revision = form_page(api.client, url)
    return scorecard_path(api.client.post(url, data=answers(token, revision, **fields)))


class Watched:
    """A page in a CSP-bypassing context that records dialogs; `check` asserts nothing ran."""

    def __init__(self, browser, base_url: str, email: str):
        self.context = browser.new_context(bypass_csp=True)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.base_url = base_url
        self.page.goto(base_url + "/account/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(base_url + "/")

    def visit(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")
        self.check(path)

    def check(self, where: str) -> None:
        self.page.wait_for_timeout(150)  # let failed image loads and timers fire their handlers
        assert self.page.evaluate("() => window.__xss") is None, f"a payload ran on {where}"
        assert self.dialogs == [], f"a payload opened a dialog on {where}: {self.dialogs}"
        assert self.page.evaluate(DOM_PROBLEMS) == [], where

    def marks_visible(self, marks: set[int], selector: str = "main") -> None:
        text = self.page.locator(selector).inner_text()
        missing = sorted(n for n in marks if f"mark-{n:03d}" not in text)
        assert missing == [], f"payloads {missing} were not rendered (swallowed by another?)"

    def close(self) -> None:
        self.context.close()


# The round page's preview, one payload at a time: the same request and the same innerHTML as
# round.js, into a box per payload, so no payload can hide another.
PREVIEW_EACH = """async (texts) => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const url = document.getElementById("round").dataset.previewUrl;
  const box = document.createElement("div");
  box.id = "preview-each";
  document.querySelector("main").append(box);
  for (const text of texts) {
    const res = await fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify({ text }),
                                   headers: { "Content-Type": "application/json", "X-CSRFToken": csrf } });
    const item = document.createElement("div");
    item.innerHTML = (await res.json()).html;
    box.append(item);
  }
}"""


def test_no_payload_runs_anywhere_a_user_writes(browser, small_loop_app, live_url):
    app = small_loop_app
    ada, bob = Api(app.test_client()), Api(app.test_client())
    Auth(ada.client).signup(email="ada@example.com", name=ADA_NAME)
    Auth(bob.client).signup(email="bob@example.com", name=BOB_NAME)
    created = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate", minutes=3).get_json()
    rid, invite = created["id"], created["invite_url"].replace("http://localhost", "")
    assert bob.client.post(invite, data={"csrf_token": csrf_token(bob.client, invite)}).status_code == 302
    assert bob.call("POST", f"/api/rounds/{rid}/start").status_code == 200

    scratchpad = "\n\n".join(PAYLOADS)  # all at once: the worst case a real scratchpad could be
    notes = "## Clarity\n\n" + "\n\n".join(PAYLOADS[::2]) + "\n\n## Depth\n\n" + "\n\n".join(PAYLOADS[1::2])
    assert ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": scratchpad, "revision": 0}).status_code == 200
    assert bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": notes, "revision": 0}).status_code == 200
    assert bob.call("POST", f"/api/rounds/{rid}/pause").status_code == 200  # "paused by <Bob's name>"
    bobs_invite = bob.start(stage="quick", role="interviewer").get_json()["invite_url"].replace("http://localhost", "")

    candidate = Watched(browser, live_url, "ada@example.com")
    interviewer = Watched(browser, live_url, "bob@example.com")
    try:
        # The round while it runs: the scratchpad and its preview, the notes, both names.
        candidate.visit(f"/rounds/{rid}")
        pad = candidate.page.get_by_role("textbox", name="Scratchpad")
        expect(pad).to_have_value(scratchpad.replace("\x00", ""))  # shown as text: nothing broke out
        expect(candidate.page.locator("#status")).to_contain_text("paused by")
        candidate.page.get_by_role("tab", name="Preview").click()
        expect(candidate.page.locator("#preview")).not_to_have_text("Rendering…")
        candidate.check("the scratchpad preview")
        candidate.page.evaluate(PREVIEW_EACH, [marked(n, p) for n, p in enumerate(PAYLOADS)])
        candidate.check("the preview of each payload")
        _, _, visible = two_cards(PAYLOADS)
        candidate.marks_visible(visible, "#preview-each")
        interviewer.visit(f"/rounds/{rid}")
        expect(interviewer.page.get_by_role("textbox", name="Your private notes")).to_have_value(
            notes.replace("\x00", "")
        )
        expect(interviewer.page.locator("#peer-names")).to_contain_text(ADA_NAME)
        candidate.visit(bobs_invite)  # the invitee sees who invited them
        expect(candidate.page.get_by_role("main")).to_contain_text(BOB_NAME)

        # After the round: the notes become draft evidence; both scorecards hold every payload.
        assert bob.call("POST", f"/api/rounds/{rid}/end").status_code == 200
        interviewer.visit(f"/rounds/{rid}/score")
        expect(interviewer.page.get_by_label("Evidence for Clarity")).to_have_value(
            re.compile("^" + re.escape(PAYLOADS[0]))
        )
        self_fields, interviewer_fields, visible = two_cards(PAYLOADS)
        bob_card = score(bob, f"/rounds/{rid}/score", interviewer_fields)
        ada_card = score(ada, f"/rounds/{rid}/score", {k: "first answer" for k in self_fields})
        ada_id = int(ada_card.rsplit("/", 1)[1])
        score(ada, f"/scorecards/{ada_id}/edit", self_fields)  # an edit: history shows before and after

        # Display names in bulk: one reviewer per payload in the edit history of Ada's card.
        with app.app_context():
            card = db.session.get(Scorecard, ada_id)
            for n, name in enumerate(NAME_PAYLOADS):
                user = User(email=f"name{n}@example.com", display_name=name, password_hash="!")
                db.session.add(user)
                db.session.flush()
                db.session.add(
                    ScorecardEdit(
                        scorecard_id=card.id,
                        editor_id=user.id,
                        at=card.submitted_at,
                        changes=[{"field": name, "before": name, "after": PAYLOADS[n]}],
                    )
                )
            db.session.commit()

        for watched, card_url in ((candidate, ada_card), (interviewer, bob_card)):
            watched.visit(card_url.replace("http://localhost", ""))
            expect(watched.page.get_by_role("heading", name="Scratchpad (locked)")).to_be_visible()
            watched.marks_visible(visible, "table.scores")  # every payload rendered, none hidden
        expect(candidate.page.locator(".edits > li")).to_have_count(len(NAME_PAYLOADS) + 1)
        expect(candidate.page.locator(".edits")).to_contain_text(NAME_PAYLOADS[-1])
        candidate.visit(f"/scorecards/{ada_id}/edit")  # every field back in its textarea, as text
        expect(candidate.page.get_by_label("Keep doing")).to_have_value(self_fields["keep"].replace("\x00", ""))
        candidate.visit(f"/rounds/{rid}")  # the locked round page
        candidate.visit("/rounds")
        candidate.visit("/")
    finally:
        candidate.close()
        interviewer.close()
