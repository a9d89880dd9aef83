"""The AI reviewer's request and the checking of its answer, as pure functions: the parts of a round
it is shown (labelled as the "AI: what is sent" page lists them), the structure it must fill in, and
the answer turned into scorecard answers by the rubric's own rules, each quote checked against the
round's material and dropped if it is not there."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mockloop.core import rubric as rubric_core
from mockloop.core.ai_disclosure import (
    BOARD,
    CHAT,
    CODE,
    REVIEWER,
    RUNS,
    SCRATCHPAD,
    TIMINGS,
)
from mockloop.core.errors import Invalid
from mockloop.core.loop import LEVELS

TOOL_NAME = "submit_scorecard"
TOOL_DESCRIPTION = "Submit the scorecard for the round: a level and quoted evidence per dimension, a recommendation."
# The candidate's own material: the only parts a quote may come from (not the brief, rubric or guide).
QUOTABLE = (SCRATCHPAD, CODE, BOARD, CHAT, RUNS, TIMINGS)
SENT_LABELS = frozenset(label for label, _ in REVIEWER.sent)
MIN_QUOTE = 4  # characters, once whitespace is collapsed: shorter ones match anything
DROPPED_NOTE = "quote the model gave was not found in the round's material and was dropped"

Parts = Sequence[tuple[str, str]]  # (label, text), in the order sent

SYSTEM = """You review one round of a mock technical interview, as a fair, strict interviewer would.
Score each rubric dimension from 1 to 4 against the rubric's level descriptions, using only what the
candidate did in this round: the material below. Back each level with short quotes copied exactly,
character for character, from the candidate's material (the parts {quotable}); quotes that are not
found there are discarded. Where the material shows nothing for a dimension, say so and score it low.
Then give the overall recommendation and one line each for what to keep doing, stop doing and start
doing. Answer only by calling the tool {tool}."""


def system_prompt() -> str:
    return SYSTEM.format(quotable=", ".join(QUOTABLE), tool=TOOL_NAME)


def schema(rubric: rubric_core.Rubric) -> dict[str, Any]:
    """The JSON schema of the answer: every dimension of the rubric, a recommendation from its scale."""
    dimension = {
        "type": "object",
        "properties": {
            "level": {"type": "integer", "minimum": 1, "maximum": LEVELS},
            "quotes": {"type": "array", "items": {"type": "string"}},
            "reasoning": {"type": "string"},
        },
        "required": ["level", "quotes", "reasoning"],
    }
    keys = [d["key"] for d in rubric["dimensions"]]
    return {
        "type": "object",
        "properties": {
            "dimensions": {
                "type": "object",
                "properties": {key: dimension for key in keys},
                "required": keys,
            },
            "overall": {"type": "string", "enum": [r["key"] for r in rubric["recommendation"]]},
            **{f: {"type": "string"} for f in rubric_core.SUMMARY_FIELDS},
        },
        "required": ["dimensions", "overall", *rubric_core.SUMMARY_FIELDS],
    }


def rubric_text(rubric: rubric_core.Rubric) -> str:
    lines = [f"Stage: {rubric['stage_title']}"]
    for d in rubric["dimensions"]:
        lines.append(f"- {d['key']} ({d['name']}):")
        lines.extend(f"  {n}. {text}" for n, text in enumerate(d["levels"], start=1))
    lines.append("Recommendation, one of: " + ", ".join(f"{r['key']} ({r['label']})" for r in rubric["recommendation"]))
    return "\n".join(lines)


def request_text(parts: Parts) -> str:
    """The user message: each part under its label, an empty one said to be empty."""
    unknown = [label for label, _ in parts if label not in SENT_LABELS]
    if unknown:  # a part the disclosure page does not list must never be sent
        raise ValueError(f"not disclosed: {unknown}")
    return "\n\n".join(f"## {label}\n{text.strip() or '(empty)'}" for label, text in parts)


def retry_text(parts: Parts, problem: str) -> str:
    return request_text(parts) + (
        f"\n\n## Your previous answer\nIt was rejected: {problem}. Call the tool again with every field filled in."
    )


_CURLY: dict[str, str | int | None] = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}
_STRAIGHT = str.maketrans(_CURLY)


def _normal(text: str) -> str:
    """For matching quotes: whitespace collapsed, typographic quotes and case ignored."""
    text = text.translate(_STRAIGHT)
    return re.sub(r"\s+", " ", text).strip().casefold()


def source_of(quote: str, parts: Parts) -> str | None:
    """The label of the candidate's material the quote was copied from, if any."""
    needle = _normal(quote).strip("\"' ")
    if len(needle) < MIN_QUOTE:
        return None
    for label, text in parts:
        if label in QUOTABLE and needle in _normal(text):
            return label
    return None


def _evidence(reasoning: str, quotes: list[str], parts: Parts) -> tuple[str, int]:
    """The evidence field: the reasoning, then the quotes found (with where), and how many were dropped."""
    found = []
    for quote in quotes:
        where = source_of(quote, parts)
        if where:
            found.append(f'- "{" ".join(quote.split())}" ({where.lower()})')
    dropped = len(quotes) - len(found)
    text = reasoning.strip()
    if found:
        text += "\n\nQuoted from the round:\n" + "\n".join(found)
    if dropped:
        text += f"\n\n({dropped} {DROPPED_NOTE if dropped == 1 else DROPPED_NOTE.replace('quote', 'quotes', 1)})"
    return text[: rubric_core.EVIDENCE_LIMIT], dropped


def _field(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise Invalid(f"{where}{key}: expected {kind.__name__}", field=key)
    return value


def answers_from_output(rubric: rubric_core.Rubric, output: Any, parts: Parts) -> tuple[rubric_core.Answers, int]:
    """The model's answer as scorecard answers, checked by the rules a human card obeys; the quotes
    not found in the round's material are dropped (their count returned). Invalid says what is wrong."""
    if not isinstance(output, dict):
        raise Invalid("the answer was not an object")
    dims = _field(output, "dimensions", dict, "")
    fields: dict[str, str] = {}
    dropped = 0
    for d in rubric["dimensions"]:
        key = d["key"]
        given = dims.get(key)
        if not isinstance(given, dict):
            raise Invalid(f"dimensions.{key}: missing", field=key)
        level = _field(given, "level", int, f"dimensions.{key}.")
        quotes = given.get("quotes") or []
        if not isinstance(quotes, list) or not all(isinstance(q, str) for q in quotes):
            raise Invalid(f"dimensions.{key}.quotes: expected a list of strings", field=key)
        reasoning = _field(given, "reasoning", str, f"dimensions.{key}.")
        fields[rubric_core.level_field(key)] = str(level)
        fields[rubric_core.evidence_field(key)], lost = _evidence(reasoning, quotes, parts)
        dropped += lost
    fields["overall"] = str(output.get("overall") or "")
    for f in rubric_core.SUMMARY_FIELDS:  # cut to the limit, as the evidence is: a wordy model is not wrong
        fields[f] = str(_field(output, f, str, "")).strip()[: rubric_core.SUMMARY_LIMIT]
    forged = rubric_core.forged(rubric, fields)
    if forged:
        raise Invalid(f"not part of this rubric: {', '.join(sorted(forged))}")
    problems = rubric_core.problems(rubric, fields)
    if problems:
        raise Invalid(" ".join(problems.values()))
    return rubric_core.answers_from_fields(rubric, fields), dropped
