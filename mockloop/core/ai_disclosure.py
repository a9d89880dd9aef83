"""What each AI feature sends to the provider, in the words the "AI: what is sent" page uses. The
request builders (ai_review.py, ai_interviewer.py) label every part they send with one of these
names, and the tests hold them to it: a part not listed here cannot be sent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Disclosure:
    feature: str
    when: str
    sent: tuple[tuple[str, str], ...]  # (the part's label in the request, what it holds)
    never: tuple[str, ...]


# Labels of the parts, as they head each part of a request.
RUBRIC, BRIEF, GUIDE_FOR_SCORING = "Rubric", "Candidate brief", "Interviewer guide (scoring)"
SCRATCHPAD, CODE, BOARD, CHAT, RUNS, TIMINGS = (
    "Scratchpad",
    "Code",
    "Whiteboard labels",
    "AI interviewer conversation",
    "Test runs",
    "Phase timings",
)
PHASES, CLARIFYING, FOLLOW_UPS, CONVERSATION = "Phase plan", "Clarifying answers", "Follow-ups", "Conversation"

NEVER_ANYWHERE = (
    "your name, email address or account details",
    "anything from another round, or from another user",
    "the API key (only the provider's own client sends it, to the provider)",
)

REVIEWER = Disclosure(
    feature="AI reviewer",
    when="When you ask for an AI review of a locked round you were the candidate of (once, or twice "
    "if the first answer did not fit the rubric).",
    sent=(
        (
            RUBRIC,
            "the round's rubric as it was scored against: dimensions, their four levels, the recommendation scale",
        ),
        (BRIEF, "the prompt's title and candidate brief"),
        (GUIDE_FOR_SCORING, "the prompt guide's level descriptions, pitfalls and reference outline"),
        (SCRATCHPAD, "your scratchpad, as locked"),
        (CODE, "your code and its language, as locked"),
        (BOARD, "the text of your whiteboard's shapes and labels (not the drawing itself)"),
        (CHAT, "your conversation with the AI interviewer, if the round had one"),
        (RUNS, "each run of your code: when, its outcome, tests passed, and the start of its output"),
        (TIMINGS, "planned and actual minutes per phase, pauses and extensions"),
    ),
    never=(
        "the interviewer's private notes",
        "any scorecard: your self-assessment, your interviewer's card",
        *NEVER_ANYWHERE,
    ),
)

INTERVIEWER = Disclosure(
    feature="AI interviewer",
    when="With every message you send in a solo round where you turned the AI interviewer on.",
    sent=(
        (PHASES, "the stage, the round's phase plan and the phase you are in now"),
        (BRIEF, "the prompt's title and candidate brief"),
        (CLARIFYING, "the interviewer guide's clarifying answers (what it may tell you when you ask)"),
        (FOLLOW_UPS, "the guide's follow-up questions, only in the later half of the phase plan"),
        (CONVERSATION, "this round's conversation so far, hints it gave you included"),
    ),
    never=(
        "the guide's hints you have not asked for: a hint comes from the guide when you press the hint "
        "button, counted, without a call to the provider",
        "the guide's reference outline, pitfalls and levels, reference solutions and hidden tests",
        "your scratchpad, code and whiteboard",
        *NEVER_ANYWHERE,
    ),
)

CALIBRATION = Disclosure(
    feature="Calibration (mockloop ai calibrate)",
    when="When whoever runs this instance runs the command: once per round that has a human scorecard.",
    sent=REVIEWER.sent,
    never=("the human scorecards: they are compared on this machine, never sent", *REVIEWER.never),
)

FEATURES = (REVIEWER, INTERVIEWER, CALIBRATION)
