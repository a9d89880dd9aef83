"""The AI interviewer of a solo round, as pure functions: its conversation (stored as round work,
JSON), the guide's hints given one at a time on request and counted, and the request sent with each
message, which carries only the guide parts the interviewer may use (core/ai_disclosure.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mockloop.core.ai_disclosure import BRIEF, CLARIFYING, FOLLOW_UPS, INTERVIEWER, PHASES
from mockloop.core.errors import Invalid

MESSAGE_LIMIT = 2_000  # characters a candidate's message may have
NOT_COVERED = "The guide does not cover that. State your assumption and go on."
HINT_REQUEST = "(I pressed the hint button.)"
_ITEM = re.compile(r"^\d+[.)]\s+")
SENT_LABELS = frozenset(label for label, _ in INTERVIEWER.sent)

SYSTEM = """You are the interviewer in a timed mock interview, the {stage} stage. The candidate reads the
brief below and talks to you in writing. Your rules:
- Answer a clarifying question only from the "Clarifying answers" below. When they do not cover it,
  reply exactly: "{not_covered}"
- Never solve the problem, suggest a design, write code or hint at an approach: the candidate has a
  hint button for that.
- Keep to the phase plan, and keep replies to three sentences at most.
{follow_ups}"""
FOLLOW_UP_RULE = (
    '- The round is in its later phases: after answering, ask one of the "Follow-ups" below that has '
    "not been asked yet, in your own words."
)


@dataclass(frozen=True)
class Message:
    role: str  # user | assistant
    text: str
    at: str  # ISO UTC time it was saved
    hint: int | None = None  # the guide's hint number, for a hint the candidate asked for


def parse(body: str) -> list[Message]:
    """The stored conversation ('' is an empty one)."""
    if not body:
        return []
    return [Message(m["role"], m["text"], m["at"], m.get("hint")) for m in json.loads(body)["messages"]]


def dump(messages: list[Message]) -> str:
    return json.dumps(
        {"messages": [{k: v for k, v in vars(m).items() if v is not None} for m in messages]}, ensure_ascii=False
    )


def check_question(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise Invalid("Write a message for the interviewer.", field="text")
    if len(text) > MESSAGE_LIMIT:
        raise Invalid(f"A message can hold at most {MESSAGE_LIMIT:,} characters.", field="text")
    return text.strip()


def items(markdown: str) -> list[str]:
    """The numbered items of a guide section (an item's continuation lines joined to it)."""
    out: list[list[str]] = []
    for line in markdown.splitlines():
        if _ITEM.match(line):
            out.append([_ITEM.sub("", line, count=1).strip()])
        elif out and line.strip():
            out[-1].append(line.strip())
    return [" ".join(item) for item in out]


def hints_used(messages: list[Message]) -> int:
    return sum(1 for m in messages if m.hint is not None)


def next_hint(messages: list[Message], hints: list[str], now: datetime) -> list[Message]:
    """The candidate's request and the guide's next hint, as two turns of the conversation; Invalid
    once every hint has been given."""
    used = hints_used(messages)
    if used >= len(hints):
        raise Invalid(f"The guide has no more hints: you have had all {len(hints)}.")
    at = now.isoformat()
    return [
        Message("user", HINT_REQUEST, at),
        Message("assistant", f"Hint {used + 1} of {len(hints)}: {hints[used]}", at, used + 1),
    ]


def later_phase(phase_index: int | None, phases: int) -> bool:
    """The second half of the plan, where the guide's follow-ups come in."""
    return phase_index is not None and phases > 1 and phase_index >= phases / 2


def system_prompt(
    stage_title: str,
    plan: list[tuple[str, float]],
    phase_index: int | None,
    title: str,
    brief_md: str,
    clarifying_md: str,
    follow_ups_md: str,
) -> str:
    later = later_phase(phase_index, len(plan))
    now = plan[phase_index][0] if phase_index is not None else "not started"
    parts = [
        (
            PHASES,
            "\n".join(f"{i + 1}. {name}: {minutes:g} min" for i, (name, minutes) in enumerate(plan)) + f"\nNow: {now}",
        ),
        (BRIEF, f"{title}\n\n{brief_md}"),
        (CLARIFYING, clarifying_md or "(none)"),
    ]
    if later and follow_ups_md:
        parts.append((FOLLOW_UPS, follow_ups_md))
    if not {label for label, _ in parts} <= SENT_LABELS:  # a part the disclosure page does not list is never sent
        raise ValueError(f"not disclosed: {parts}")
    head = SYSTEM.format(stage=stage_title, not_covered=NOT_COVERED, follow_ups=FOLLOW_UP_RULE if later else "")
    return head.rstrip() + "\n\n" + "\n\n".join(f"## {label}\n{text.strip()}" for label, text in parts)


def conversation(messages: list[Message]) -> list[dict[str, str]]:
    """The conversation as the APIs take it: alternating turns, the candidate's first (a question
    whose reply failed is joined to the next one)."""
    out: list[dict[str, str]] = []
    for m in messages:
        if out and out[-1]["role"] == m.role:
            out[-1] = {"role": m.role, "content": out[-1]["content"] + "\n\n" + m.text}
        else:
            out.append({"role": m.role, "content": m.text})
    return out


def transcript(messages: list[Message]) -> str:
    """The conversation as the reviewer reads it."""
    names = {"user": "Candidate", "assistant": "Interviewer"}
    return "\n".join(f"{names[m.role]}{' (hint)' if m.hint else ''}: {m.text}" for m in messages)
