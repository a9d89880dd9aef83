"""The work history's storage (core/revisions.py): edits between saves, full copies that start
chains, the text at a time, and thinning that keeps the final state."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from mockloop.core import revisions
from mockloop.core.revisions import Corrupt, Entry, Step, apply, common_ends, encode, rewrite, text_at, thinning

T0 = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)


def history(texts: list[str], every_s: int = 10) -> list[Step]:
    """The steps a piece saved `texts` in, one save every `every_s` seconds from T0."""
    steps, previous = [], None
    for n, text in enumerate(texts, 1):
        steps.append(Step(n, T0 + timedelta(seconds=every_s * (n - 1)), encode(previous, text)))
        previous = text
    return steps


@pytest.mark.parametrize(
    "old, new, ends",
    [
        ("", "", (0, 0)),
        ("abc", "abc", (3, 0)),
        ("abc", "abXc", (2, 1)),
        ("hello world", "hello, world", (5, 6)),
        ("aaaa", "aa", (2, 0)),  # the suffix never overlaps the prefix
        ("x" * 1000 + "A" + "y" * 1000, "x" * 1000 + "B" + "y" * 1000, (1000, 1000)),
        ("naïve 🎉 text", "naïve 🎈 text", (6, 5)),
    ],
)
def test_common_ends(old, new, ends):
    assert common_ends(old, new) == ends


def test_an_edit_stores_only_what_changed():
    base = "def add(a, b):\n" + "    # a comment line that repeats\n" * 300
    typed = base.replace("add(a, b)", "add(a, b, c)")
    body = encode(base, typed)
    assert apply(base, body) == typed
    assert len(body) < 20  # the span ", c" and its place, not the 10 KB around it
    assert body == b"E12,12,, c"


def test_a_full_copy_is_compressed_when_that_pays():
    text = "retry with backoff and jitter\n" * 200
    body = encode(None, text)
    assert body[:1] == revisions.FULL_ZIPPED and len(body) < len(text) / 10
    assert apply(None, body) == text
    assert encode(None, "hi") == b"Fhi"  # a few bytes: zlib's header would outweigh the gain


def test_random_edits_round_trip():
    rng = random.Random(19)
    text, previous = "", None
    for _ in range(300):
        at = rng.randint(0, len(text))
        cut = rng.randint(at, min(len(text), at + rng.randint(0, 8)))
        text = text[:at] + "".join(rng.choice("ab é🎉\n") for _ in range(rng.randint(0, 6))) + text[cut:]
        body = encode(previous, text)
        assert apply(previous, body) == text
        previous = text


def test_text_at_a_time_is_the_last_save_by_then():
    steps = history(["T", "The", "The plan", "The plan: cache"])
    assert text_at(steps, T0 - timedelta(seconds=1)) == ""  # before the first save
    assert text_at(steps, T0) == "T"
    assert text_at(steps, T0 + timedelta(seconds=15)) == "The"
    assert text_at(steps, T0 + timedelta(seconds=20)) == "The plan"
    assert text_at(steps, T0 + timedelta(hours=1)) == "The plan: cache"


def test_text_at_starts_from_the_last_full_copy():
    steps = history(["one", "one two"])
    steps.append(Step(3, T0 + timedelta(seconds=20), encode(None, "fresh start")))
    steps.append(Step(4, T0 + timedelta(seconds=30), encode("fresh start", "fresh start!")))
    assert text_at(steps[2:], T0 + timedelta(seconds=30)) == "fresh start!"  # the chain alone suffices
    assert text_at(steps, T0 + timedelta(seconds=10)) == "one two"


@pytest.mark.parametrize(
    "previous, body",
    [
        (None, b"E0,0,x"),  # an edit with nothing before it
        ("abc", b"E2,9,x"),  # beyond the text
        ("abc", b"E3,1,x"),  # an end before the start
        ("abc", b"Ex,y,z"),
        ("abc", b"e" + b"not zlib at all"),
        ("abc", b"Q"),
        (None, b"F\xff"),
    ],
)
def test_a_broken_body_is_reported_not_guessed(previous, body):
    with pytest.raises(Corrupt):
        apply(previous, body)


def test_needs_full_bounds_the_chain():
    assert revisions.needs_full(revisions.CHAIN_LIMIT, 10, 10_000)
    assert revisions.needs_full(3, 10_000, 9_000)
    assert not revisions.needs_full(3, 100, 9_000)


def test_rewrite_merges_the_dropped_edits_and_keeps_the_last():
    words = ["a", "ab", "abc", "abcd", "abcde"]
    steps = history(words)
    kept = rewrite(steps, {2, 3, 5})
    assert [s.revision for s in kept] == [1, 4, 5]  # 5 is the final state: never dropped
    assert [t for _, t in revisions.texts(kept)] == ["a", "abcd", "abcde"]
    assert kept[1].body == b"E1,1,bcd"  # one edit spans what 2 and 3 changed
    assert [s.saved_at for s in kept] == [steps[0].saved_at, steps[3].saved_at, steps[4].saved_at]


def test_rewrite_cuts_chains_as_saving_does():
    rng = random.Random(7)
    base = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(20_000))  # compresses little
    texts = [base + "x" * n for n in range(revisions.CHAIN_LIMIT + 5)]
    kept = rewrite(history(texts), set())
    assert [s.revision for s in kept if s.full] == [1, revisions.CHAIN_LIMIT + 2]


def entry(kind, revision, minute):
    return Entry(kind, revision, T0 + timedelta(minutes=minute))


def test_thinning_drops_every_second_revision_of_the_older_half():
    entries = [entry("scratchpad", n, n) for n in range(1, 9)] + [entry("code", 1, 0.5), entry("code", 2, 7.5)]
    plan = thinning(entries)
    # The older half (by time) ends at minute 4: the pad's 2 and 4 go, 1 and 3 stay; code's 1 is its first.
    assert plan == {"scratchpad": {2, 4}}


def test_thinning_never_drops_a_final_state():
    entries = [entry("board", 1, 1), entry("board", 2, 2), entry("notes", 1, 3)]
    plan = thinning(entries)
    assert plan == {}  # the board's first and last, the notes' only: nothing can go
    many = [entry("board", n, n) for n in range(1, 6)]
    assert 5 not in thinning(many).get("board", set())


def test_thinning_reaches_the_newer_half_when_the_older_is_down_to_its_bones():
    entries = [entry("code", 1, 1), entry("code", 2, 2)] + [entry("scratchpad", n, n + 2) for n in range(1, 5)]
    assert thinning(entries) == {"scratchpad": {2}}


def test_a_typed_hour_stays_small():
    """An hour of typing saved every second (the autosave's maximum wait) stays a few hundred KB."""
    rng = random.Random(4)
    text, texts = "", []
    for _ in range(3600):
        text += "".join(rng.choice("etaoin shrdlu\n") for _ in range(4))
        texts.append(text)
    steps = rewrite(history(texts, every_s=1), set())
    stored = sum(len(s.body) for s in steps)
    assert stored < 200_000, stored  # the text itself is 14,400 characters; 3,600 revisions
    assert text_at(steps, T0 + timedelta(seconds=1800)) == texts[1800]
