"""The work of a round: what each piece is, who writes and reads it, how big it may grow, and
whether the deadline closes it. One table of rules, so the scratchpad, the interviewer's notes and
the code (and the pieces later issues add) share one life instead of a code path each."""

from __future__ import annotations

from dataclasses import dataclass

from mockloop.core.errors import Invalid
from mockloop.core.vocabulary import Seat, WorkKind


@dataclass(frozen=True)
class WorkRule:
    kind: WorkKind
    label: str  # as a message names it: "the scratchpad can hold at most ..."
    writer: Seat
    readers: frozenset[Seat]
    limit: int  # characters
    closes_at_deadline: bool  # refused once the round is locked (the interviewer's notes are not)
    lends_pen: bool = False  # the writer may hand the pen to the other seat for a while (the board)
    typed: bool = True  # saved through the work routes as typed; False: only the server writes it (the AI chat)


RULES: dict[WorkKind, WorkRule] = {
    rule.kind: rule
    for rule in (
        # 200,000 characters: a long take-home write-up fits many times over.
        WorkRule(WorkKind.SCRATCHPAD, "the scratchpad", Seat.CANDIDATE, frozenset(Seat), 200_000, True),
        WorkRule(WorkKind.NOTES, "your notes", Seat.INTERVIEWER, frozenset({Seat.INTERVIEWER}), 50_000, False),
        # A take-home's whole solution in one file stays well under this.
        WorkRule(WorkKind.CODE, "the code", Seat.CANDIDATE, frozenset(Seat), 100_000, True),
        # Excalidraw's JSON: a busy design of a few hundred shapes is about 200,000 characters, pasted
        # images may take 400,000 of it (core/board.py), and a save fits the 1 MiB request limit.
        WorkRule(WorkKind.BOARD, "the board", Seat.CANDIDATE, frozenset(Seat), 750_000, True, lends_pen=True),
        # Questions and replies with their times: a long round's conversation fits many times over.
        WorkRule(
            WorkKind.CHAT,
            "the AI interviewer conversation",
            Seat.CANDIDATE,
            frozenset({Seat.CANDIDATE}),
            200_000,
            True,
            typed=False,
        ),
    )
}

# The stage workspaces a loop file can turn on, and the work each adds beside the scratchpad.
WORKSPACES: dict[str, WorkKind] = {"code": WorkKind.CODE, "board": WorkKind.BOARD}


@dataclass(frozen=True)
class Language:
    id: str
    label: str
    runs_in_browser: bool  # Python (Pyodide) and JavaScript run in a Web Worker; the rest highlight only


LANGUAGES: tuple[Language, ...] = (
    Language("python", "Python", True),
    Language("javascript", "JavaScript", True),
    Language("typescript", "TypeScript", False),
    Language("go", "Go", False),
    Language("java", "Java", False),
    Language("cpp", "C++", False),
    Language("rust", "Rust", False),
)
LANGUAGE_IDS = frozenset(lang.id for lang in LANGUAGES)
DEFAULT_LANGUAGE = "python"

# A run's wall-clock limit: the prompt may set its own (run_seconds in the front matter) within these.
RUN_SECONDS_DEFAULT = 10
RUN_SECONDS_MAX = 120

# What a recorded run keeps of its output: enough for the interviewer to follow, bounded per run.
RUN_OUTPUT_LIMIT = 8_000
RUN_OUTCOMES = frozenset({"ok", "error", "timeout", "crashed", "unsupported"})
RUNS_PER_ROUND = 2_000  # a runaway script cannot grow a round's history without bound
# A run of the code (with the example tests, if any), a submit of the hidden tests, or a move to the
# next level without passing the current one.
RUN, SUBMIT, MOVE_ON = "run", "submit", "move_on"
RUN_KINDS = frozenset({RUN, SUBMIT, MOVE_ON})


def kinds_for(workspace: tuple[str, ...]) -> tuple[WorkKind, ...]:
    """The work a round of a stage with this workspace holds."""
    return (WorkKind.SCRATCHPAD, WorkKind.NOTES, *(WORKSPACES[w] for w in workspace))


@dataclass(frozen=True)
class RunReport:
    """A run as the candidate's browser reports it; checked, with the output cut to what is kept."""

    language: str
    outcome: str
    duration_ms: int
    stdout: str
    stderr: str
    truncated: bool
    code_revision: int
    tests_passed: int | None = None
    tests_total: int | None = None


def parse_run_report(data: object) -> RunReport:
    """Check a reported run; Invalid names the field at fault. Output beyond RUN_OUTPUT_LIMIT is cut."""
    if not isinstance(data, dict):
        raise Invalid("Send a JSON object describing the run.")
    language, outcome = data.get("language"), data.get("outcome")
    if language not in LANGUAGE_IDS:
        raise Invalid(f"language: one of {', '.join(sorted(LANGUAGE_IDS))}.", field="language")
    if outcome not in RUN_OUTCOMES:
        raise Invalid(f"outcome: one of {', '.join(sorted(RUN_OUTCOMES))}.", field="outcome")
    numbers: dict[str, int | None] = {}
    for key, top, default in (
        ("duration_ms", 3_600_000, 0),
        ("code_revision", 2**31 - 1, 0),
        ("tests_passed", 10_000, None),
        ("tests_total", 10_000, None),
    ):
        value = data.get(key, default)
        if value is None and default is None:
            numbers[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise Invalid(f"{key}: a whole number from 0 to {top}.", field=key)
        numbers[key] = value
    if (numbers["tests_passed"] is None) != (numbers["tests_total"] is None) or (
        numbers["tests_total"] is not None and numbers["tests_passed"] > numbers["tests_total"]  # type: ignore[operator]
    ):
        raise Invalid(
            "tests_passed and tests_total: both or neither, at most as many passed as run.", field="tests_passed"
        )
    texts = {}
    cut = bool(data.get("truncated") is True)
    for key in ("stdout", "stderr"):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise Invalid(f"{key}: a string.", field=key)
        cut = cut or len(value) > RUN_OUTPUT_LIMIT
        texts[key] = value[:RUN_OUTPUT_LIMIT]
    return RunReport(
        str(language),
        str(outcome),
        numbers["duration_ms"] or 0,
        texts["stdout"],
        texts["stderr"],
        cut,
        numbers["code_revision"] or 0,
        numbers["tests_passed"],
        numbers["tests_total"],
    )
