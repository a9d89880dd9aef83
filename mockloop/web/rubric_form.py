"""The rubric form, built from a scorecard's rubric snapshot (not from the current loop file)."""

import json
from functools import lru_cache

from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice

from mockloop.core import rubric as rubric_core
from mockloop.web.extensions import PostedForm


def scorecard_form(rubric: dict):
    """A FlaskForm class with a level and an evidence field per dimension, overall and Keep/Stop/Start."""
    # Built once per distinct rubric: a class with ~15 fields costs more than validating a submit.
    return _form_class(json.dumps(rubric, sort_keys=True))


@lru_cache(maxsize=64)
def _form_class(rubric_json: str):
    rubric = json.loads(rubric_json)
    # The fields carry no validators: rubric.problems states the rules once, for this form and the AI
    # reviewer, and a submit that passes them never builds the form. validate_choice=False: a level or
    # recommendation outside the choices is a forged post, refused with 400 (rubric.forged).
    # `required` and `maxlength` are only told to assistive technology (the form is `novalidate`).

    class ScorecardForm(PostedForm):
        revision = HiddenField()

    def box(label: str, limit: int) -> TextAreaField:
        return TextAreaField(label, render_kw={"required": True, "maxlength": limit})

    for d in rubric["dimensions"]:
        choices = [SelectChoice(str(i), f"{i}: {words}") for i, words in enumerate(d["levels"], start=1)]
        radio = RadioField(d["name"], choices=choices, validate_choice=False, render_kw={"required": True})
        setattr(ScorecardForm, rubric_core.level_field(d["key"]), radio)
        setattr(
            ScorecardForm,
            rubric_core.evidence_field(d["key"]),
            box(f"Evidence for {d['name']}", rubric_core.EVIDENCE_LIMIT),
        )
    ScorecardForm.overall = RadioField(
        "Overall recommendation",
        choices=[SelectChoice(r["key"], r["label"]) for r in rubric["recommendation"]],
        validate_choice=False,
        render_kw={"required": True},
    )
    for name, label in zip(rubric_core.SUMMARY_FIELDS, rubric_core.SUMMARY_LABELS):
        setattr(ScorecardForm, name, box(label, rubric_core.SUMMARY_LIMIT))
    return ScorecardForm
