"""Rubric snapshots and scorecard answers: what may be submitted, and what an edit changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockloop.core.loop import LEVELS, Loop, Stage

# Both shapes are stored as JSON and read back untyped, so they stay plain dicts:
# Rubric: {"stage", "stage_title", "dimensions": [{"key", "name", "levels"}], "recommendation": [{"key", "label"}]}
# Answers: {"levels": {key: int | None}, "evidence": {key: str}, "overall": str | None, "keep", "stop", "start"}
Rubric = dict[str, Any]
Answers = dict[str, Any]

EVIDENCE_LIMIT = 5_000
SUMMARY_LIMIT = 2_000
SUMMARY_FIELDS = ("keep", "stop", "start")
SUMMARY_LABELS = ("Keep doing", "Stop doing", "Start doing")


def snapshot(loop: Loop, stage: Stage) -> Rubric:
    """A copy of the rubric a scorecard is scored against; later loop edits never touch it."""
    return {
        "stage": stage.slug,
        "stage_title": stage.title,
        "dimensions": [{"key": d.key, "name": d.name, "levels": list(d.levels)} for d in stage.rubric],
        "recommendation": [{"key": r.key, "label": r.label} for r in loop.recommendation],
    }


def level_field(key: str) -> str:
    return f"level_{key}"


def evidence_field(key: str) -> str:
    return f"evidence_{key}"


def answer_fields(rubric: Rubric) -> set[str]:
    keys = [d["key"] for d in rubric["dimensions"]]
    return {*(level_field(k) for k in keys), *(evidence_field(k) for k in keys), "overall", *SUMMARY_FIELDS}


def forged(rubric: Rubric, submitted: Mapping[str, str]) -> list[str]:
    """Fields no honest form can send: unknown dimensions, levels outside 1-4, unknown recommendations.

    Missing or over-long answers are not forged: the form re-renders with a message for those.
    """
    allowed = answer_fields(rubric)
    bad = [name for name in submitted if name.startswith(("level_", "evidence_")) and name not in allowed]
    levels = {str(n) for n in range(1, LEVELS + 1)}
    for d in rubric["dimensions"]:
        value = submitted.get(level_field(d["key"]), "")
        if value and value not in levels:
            bad.append(level_field(d["key"]))
    overall = submitted.get("overall", "")
    if overall and overall not in {r["key"] for r in rubric["recommendation"]}:
        bad.append("overall")
    return bad


def empty_answers(rubric: Rubric) -> Answers:
    return {
        "levels": {d["key"]: None for d in rubric["dimensions"]},
        "evidence": {d["key"]: "" for d in rubric["dimensions"]},
        "overall": None,
        **{f: "" for f in SUMMARY_FIELDS},
    }


def answers_from_fields(rubric: Rubric, values: Mapping[str, str]) -> Answers:
    """Form fields (strings, possibly partial) to the answers shape; unknown fields are dropped."""
    answers = empty_answers(rubric)
    for d in rubric["dimensions"]:
        level = str(values.get(level_field(d["key"])) or "")
        answers["levels"][d["key"]] = int(level) if level.isdigit() and 1 <= int(level) <= LEVELS else None
        answers["evidence"][d["key"]] = str(values.get(evidence_field(d["key"])) or "")[:EVIDENCE_LIMIT]
    overall = values.get("overall") or None
    answers["overall"] = overall if overall in {r["key"] for r in rubric["recommendation"]} else None
    for f in SUMMARY_FIELDS:
        answers[f] = str(values.get(f) or "")[:SUMMARY_LIMIT]
    return answers


def problems(rubric: Rubric, fields: Mapping[str, str]) -> dict[str, str]:
    """What keeps submitted fields from being a complete card: a message per field, in form order.

    The one statement of these rules: the rubric form shows each message at its field, and the AI
    reviewer's answer is refused with them. (Forged values are `forged`'s, checked before.)
    """
    out = {}

    def text(name: str, limit: int, missing: str) -> None:
        value = str(fields.get(name) or "")
        if not value.strip():
            out[name] = missing
        elif len(value) > limit:
            out[name] = f"Keep this to {limit:,} characters; it has {len(value):,}."

    for d in rubric["dimensions"]:
        if not fields.get(level_field(d["key"])):
            out[level_field(d["key"])] = f"Pick a level for {d['name']}."
        text(evidence_field(d["key"]), EVIDENCE_LIMIT, f"Write what you saw that supports the level for {d['name']}.")
    if not fields.get("overall"):
        out["overall"] = "Pick an overall recommendation."
    for f, label in zip(SUMMARY_FIELDS, SUMMARY_LABELS):
        text(f, SUMMARY_LIMIT, f"Write one line for {label.lower()}.")
    return out


def fields_from_answers(rubric: Rubric, answers: Answers) -> dict[str, str]:
    out = {}
    for d in rubric["dimensions"]:
        level = answers["levels"].get(d["key"])
        out[level_field(d["key"])] = str(level) if level else ""
        out[evidence_field(d["key"])] = answers["evidence"].get(d["key"], "")
    out["overall"] = answers.get("overall") or ""
    out.update({f: answers.get(f, "") for f in SUMMARY_FIELDS})
    return out


def changes(rubric: Rubric, before: Answers, after: Answers) -> list[dict[str, Any]]:
    """What an edit changed, field by field, for the scorecard's edit history."""
    names = {d["key"]: d["name"] for d in rubric["dimensions"]}
    out = []
    for key, name in names.items():
        if before["levels"].get(key) != after["levels"].get(key):
            out.append(
                {"field": f"{name} level", "before": before["levels"].get(key), "after": after["levels"].get(key)}
            )
        if before["evidence"].get(key, "") != after["evidence"].get(key, ""):
            out.append(
                {
                    "field": f"{name} evidence",
                    "before": before["evidence"].get(key, ""),
                    "after": after["evidence"].get(key, ""),
                }
            )
    labels = {r["key"]: r["label"] for r in rubric["recommendation"]}
    if before.get("overall") != after.get("overall"):
        out.append(
            {
                "field": "Overall recommendation",
                "before": labels.get(before.get("overall")),
                "after": labels.get(after.get("overall")),
            }
        )
    for f in SUMMARY_FIELDS:
        if before.get(f, "") != after.get(f, ""):
            out.append({"field": f.capitalize(), "before": before.get(f, ""), "after": after.get(f, "")})
    return out


def evidence_from_notes(rubric: Rubric, notes: str) -> dict[str, str]:
    """Split interviewer notes at '## <dimension>' headings (name or key) into evidence fields."""
    by_heading = {}
    for d in rubric["dimensions"]:
        by_heading[d["name"].strip().lower()] = d["key"]
        by_heading[d["key"]] = d["key"]
    found: dict[str, list[str]] = {}
    current = None
    for line in notes.splitlines():
        if line.startswith("## "):
            current = by_heading.get(line[3:].strip().lower())
            continue
        if current is not None:
            found.setdefault(current, []).append(line)
    return {evidence_field(key): "\n".join(lines).strip() for key, lines in found.items() if "\n".join(lines).strip()}
