"""The replay's cost: the work history's storage per hour of round, and how fast the replay of a
4-hour take-home opens in Chromium.

The real app with the shipped loop, on a throwaway instance folder (bench/round_page.py's way). A
user signs up in the browser and starts a take-home (the code workspace); its four hours are then
written through services/work.save, the one save path, with the time passed in (nothing waits):
typing in bursts (ACTIVE of the minutes), one autosave a second while typing (the page's maximum
wait), mostly code edited near a moving cursor, sometimes the scratchpad. The round is ended at 4 h.

- Storage: the history's stored bytes (core/revisions.py) per hour of round, the revisions kept,
  the final texts' size for scale; whether the cap (ROUND_CAP) had to thin it.
- Audio: RECORD_S seconds recorded for real in Chromium, from its fake microphone (a tone; Chromium's
  --use-fake-device-for-media-stream) through the app's recorder (recorder.js, chunks sent as in a
  round), on a recruiter-screen round; the bytes the instance folder holds afterwards, over the
  recording's own duration (the browser's decoder reads it), per hour; beside it the figure the
  configured bitrate (audio.BITS_PER_SECOND) gives.
- The replay page, LOADS times in a fresh browser context: from the navigation's start until its
  player is ready (the "replay-ready" mark), the page's own bytes; then a scrub to the
  middle of the round until the code saved by then is shown (one revision fetched and drawn).

Prints a table, then one JSON line (the last line); no targets. About a minute and a quarter; needs `make
assets` and Debian's chromium (bench/run.py runs it as its `replay` figure).

    .venv/bin/python bench/replay.py
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))  # for tests.e2e
sys.path.insert(0, str(BENCH))  # for round_page, a script beside this one

from browser import served_in_chromium  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from round_page import loadavg, ms, start_round, stats  # noqa: E402

from mockloop import clock  # noqa: E402
from mockloop.content import content  # noqa: E402
from mockloop.core import audio  # noqa: E402
from mockloop.core import revisions as history  # noqa: E402
from mockloop.core.vocabulary import WorkKind  # noqa: E402
from mockloop.db import db  # noqa: E402
from mockloop.db.models import Round, RoundAudio, User  # noqa: E402
from mockloop.services import lifecycle, revisions, rounds, work  # noqa: E402
from tests.e2e.helpers import sign_up  # noqa: E402

HOURS, ACTIVE = 4, 0.35  # the take-home's length; the share of its minutes spent typing
LOADS = 5
STAGE = "take-home"
AUDIO_STAGE = "recruiter-screen"  # a plain round page: the recorder and the scratchpad
RECORD_S = 10  # seconds of sound recorded for the audio figure (real time: MediaRecorder's own clock)
# Chromium's fake microphone, granted without a prompt (as tests/e2e/conftest.py launches it).
FAKE_MICROPHONE = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
WORDS = [
    "def",
    "return",
    "self",
    "queue",
    "retry",
    "backoff",
    "jitter",
    "limit",
    "token",
    "bucket",
    "await",
    "async",
    "for",
    "in",
    "if",
    "else",
]

READY = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const mark = performance.getEntriesByName("replay-ready")[0];
  return { ready: mark ? mark.startTime : null, html: nav.transferSize, decoded: nav.decodedBodySize };
}"""

# Moves the slider to `at` as a user's drag does and resolves with the milliseconds until the code
# saved by then is on the page (its revision attribute set to `revision`).
SCRUB = """async ([at, revision]) => {
  const code = document.getElementById("replay-code"), scrub = document.getElementById("scrub");
  const start = performance.now();
  const done = new Promise((resolve) => {
    const check = () => code.dataset.revision === String(revision) && (resolve(performance.now() - start), true);
    new MutationObserver(check).observe(code, { attributes: true });
  });
  scrub.value = String(at);
  scrub.dispatchEvent(new Event("input", { bubbles: true }));
  return done;
}"""


def write_round(app, email: str) -> tuple[int, dict]:
    """The take-home, typed through work.save with the time passed in; returns (round id, figures)."""
    rng = random.Random(19)
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        stage = content().loop.stage(STAGE)
        prompt = content().catalog.for_stage(STAGE)[0]
        start = clock.now() - timedelta(hours=HOURS + 1)
        rnd = rounds.create_round(user, stage, prompt, HOURS * 60, start)
        code, pad, cursor = "", "", 0
        revision = {WorkKind.CODE: 0, WorkKind.SCRATCHPAD: 0}
        saves, took = 0, time.perf_counter()
        for minute in range(HOURS * 60):
            if rng.random() > ACTIVE:
                continue
            for second in range(60):
                now = start + timedelta(minutes=minute, seconds=second, milliseconds=500)
                if rng.random() < 0.8:
                    if rng.random() < 0.05 and code:  # a line deleted
                        line = code.rfind("\n", 0, max(0, cursor - 1)) + 1
                        end = code.find("\n", cursor)
                        code = code[:line] + code[end + 1 if end >= 0 else len(code) :]
                    else:
                        typed = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2)))
                        typed += "\n" if rng.random() < 0.2 else " "
                        code = code[:cursor] + typed + code[cursor:]
                        cursor += len(typed)
                    cursor = max(0, min(len(code), cursor + rng.randint(-40, 10)))
                    kind, text = WorkKind.CODE, code
                else:
                    pad += " ".join(rng.choice(WORDS) for _ in range(3)) + ("\n" if rng.random() < 0.3 else " ")
                    kind, text = WorkKind.SCRATCHPAD, pad
                revision[kind] = work.save(rnd, kind, text, revision[kind], now)
                saves += 1
            db.session.commit()
        took = time.perf_counter() - took
        lifecycle.act(rnd, "end", user, start + timedelta(hours=HOURS, seconds=-1))
        db.session.commit()
        entries = revisions.index(rnd.id)
        middle = start + timedelta(hours=HOURS / 2)
        before = [e.revision for e in entries if e.kind == WorkKind.CODE and e.saved_at <= middle]
        figures = {
            "saves": saves,
            "save_ms": 1000 * took / saves,
            "stored": revisions.stored_bytes(rnd.id),
            "kept": len(entries),
            "final_chars": len(code) + len(pad),
            "middle_ms": round((middle - start).total_seconds() * 1000),
            "middle_revision": before[-1] if before else 0,
        }
        return rnd.id, figures


# The stored recording's duration in seconds, as the browser decodes it: MediaRecorder's WebM says
# none (Infinity) until a seek past the end makes the decoder read it through.
DURATION = """(src) => new Promise((resolve, reject) => {
  const a = new Audio();
  a.preload = "metadata";
  a.onerror = () => reject(new Error("the recording does not decode: " + (a.error && a.error.code)));
  a.ondurationchange = () => { if (Number.isFinite(a.duration) && a.duration > 0) resolve(a.duration); };
  a.onloadedmetadata = () => { if (!Number.isFinite(a.duration)) a.currentTime = 1e9; };
  a.src = src;
})"""


def record_audio(page, url: str, app, instance: Path) -> dict:
    """RECORD_S seconds of the fake microphone through the round page's recorder; the stored bytes."""
    with app.app_context():
        prompt = content().catalog.for_stage(AUDIO_STAGE)[0].slug
    page.goto(start_round(page, url, AUDIO_STAGE, prompt))
    status = page.locator("#rec-status")
    page.get_by_role("button", name="Record audio").click()
    expect(status).to_contain_text("microphone is on", timeout=10_000)
    chunks = RECORD_S // audio.CHUNK_SECONDS
    expect(status).to_contain_text(f"{chunks} chunks kept", timeout=(RECORD_S + 20) * 1000)
    page.get_by_role("button", name="Stop recording").click()
    expect(status).to_contain_text("Recording saved", timeout=20_000)
    rid = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        [recording] = db.session.execute(db.select(RoundAudio).filter_by(round_id=rid)).scalars().all()
        counted, chunks, mime, rec_id = recording.size, recording.chunks, recording.mime, recording.id
    stored = sum(f.stat().st_size for f in (instance / "audio" / str(rid)).iterdir())
    if stored != counted:
        raise RuntimeError(f"the database counts {counted} bytes of audio, the instance folder holds {stored}")
    duration_s = page.evaluate(DURATION, f"{url}/rounds/{rid}/recordings/{rec_id}")
    return {"bytes": stored, "chunks": chunks, "seconds": duration_s, "mime": mime}


def measure() -> dict:
    before = loadavg()
    with served_in_chromium("replay", FAKE_MICROPHONE) as served:
        app, url, browser = served.app, served.url, served.browser
        first = browser.new_context()
        page = first.new_page()
        sign_up(page, url, email="bench@example.com", name="Bench")
        sound = record_audio(page, url, app, served.instance)
        login = first.storage_state()
        first.close()
        rid, figures = write_round(app, "bench@example.com")
        with app.app_context():
            assert db.session.get(Round, rid).status == "locked"
        address = f"{url}/rounds/{rid}/replay"
        loads, scrubs = [], []
        for _ in range(LOADS):
            context = browser.new_context(storage_state=login)
            page = context.new_page()
            page.goto(address, wait_until="load")
            deadline = time.monotonic() + 30
            while page.evaluate(READY)["ready"] is None:  # polled: the page's CSP refuses wait_for_function
                if time.monotonic() > deadline:
                    raise RuntimeError("the replay was not ready within 30 s")
                page.wait_for_timeout(20)
            loads.append(page.evaluate(READY))
            scrubs.append({"ms": page.evaluate(SCRUB, [figures["middle_ms"], figures["middle_revision"]])})
            context.close()
    return {**figures, "audio": sound, "loads": loads, "scrubs": scrubs, "before": before, "after": loadavg()}


def audio_mb_per_hour(f: dict) -> float:
    return f["audio"]["bytes"] / f["audio"]["seconds"] * 3600 / 1e6


def rows(f: dict) -> list[tuple[str, str, str | None]]:
    per_hour = f["stored"] / HOURS
    ready, scrub, sound = stats(f["loads"], "ready"), stats(f["scrubs"], "ms"), f["audio"]
    return [
        ("load average (/proc/loadavg) before / after", f"{f['before']} / {f['after']}", None),
        (
            f"a {HOURS}-hour take-home: saves (typing {ACTIVE:.0%} of the minutes, one a second)",
            f"{f['saves']:,} saves, {f['save_ms']:.1f} ms each through work.save",
            None,
        ),
        (
            "work history stored per hour of round",
            f"{per_hour / 1000:,.0f} KB ({f['stored'] / 1000:,.0f} KB in all, {f['kept']:,} revisions kept; "
            f"final texts {f['final_chars'] / 1000:,.0f} K characters; cap {history.ROUND_CAP / 1e6:.1f} MB"
            f"{', thinned' if f['kept'] < f['saves'] else ''})",
            "replay_history_kb_per_hour",
        ),
        (
            "audio per hour of round (one participant), measured",
            f"{audio_mb_per_hour(f):.1f} MB: {sound['bytes'] / 1000:,.1f} KB stored for {sound['seconds']:.1f} s"
            f" of Chromium's fake microphone ({sound['chunks']} chunks, {sound['mime']},"
            f" {sound['bytes'] * 8 / sound['seconds'] / 1000:.1f} kbit/s)",
            "replay_audio_mb_per_hour",
        ),
        (
            "  at the configured bitrate, for comparison",
            f"{audio.BITS_PER_SECOND * 3600 / 8 / 1e6:.1f} MB at the {audio.BITS_PER_SECOND // 1000} kbit/s"
            " the recorder asks for (the browser's encoder decides)",
            None,
        ),
        (f"replay page ready to play, cold, median / worst of {len(f['loads'])}", ms(ready), "replay_ready_ms"),
        (
            "  the page's HTML (timeline and revision index embedded)",
            f"{f['loads'][0]['decoded'] / 1000:,.0f} KB",
            "replay_html_kb",
        ),
        ("  scrub to the middle until the code of then is shown", ms(scrub), "replay_scrub_ms"),
    ]


def json_values(f: dict) -> dict[str, float]:
    return {
        "replay_history_kb_per_hour": round(f["stored"] / HOURS / 1000),
        "replay_audio_mb_per_hour": round(audio_mb_per_hour(f), 1),
        "replay_ready_ms": round(stats(f["loads"], "ready")[0]),
        "replay_html_kb": round(f["loads"][0]["decoded"] / 1000),
        "replay_scrub_ms": round(stats(f["scrubs"], "ms")[0]),
    }


def main() -> int:
    figures = measure()
    table = [(label, shown) for label, shown, _ in rows(figures)]
    width = max(len(label) for label, _ in table)
    for label, shown in table:
        print(f"{label.ljust(width)}  {shown}")
    print(json.dumps(json_values(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
