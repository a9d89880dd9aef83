"""The rubric form, built from a scorecard's rubric snapshot (not from the current loop file)."""

import json
from functools import lru_cache

from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from mockloop.core import rubric as rubric_core
from mockloop.web.extensions import PostedForm


def scorecard_form(rubric: dict):
    """A FlaskForm class with a level and an evidence field per dimension, overall and Keep/Stop/Start."""
    # Built once per distinct rubric: a class with ~15 fields costs more than validating a submit.
    return _form_class(json.dumps(rubric, sort_keys=True))


@lru_cache(maxsize=64)
def _form_class(rubric_json: str):
    rubric = json.loads(rubric_json)
    # validate_choice=False: a level or recommendation outside the choices is a forged post, refused
    # with 400 before the form is validated (rubric.forged), never a message to the user.

    class ScorecardForm(PostedForm):
        revision = HiddenField()

    for d in rubric["dimensions"]:
        choices = [SelectChoice(str(i), f"{i}: {text}") for i, text in enumerate(d["levels"], start=1)]
        setattr(
            ScorecardForm,
            rubric_core.level_field(d["key"]),
            RadioField(
                d["name"],
                choices=choices,
                validate_choice=False,
                validators=[InputRequired(f"Pick a level for {d['name']}.")],
            ),
        )
        setattr(
            ScorecardForm,
            rubric_core.evidence_field(d["key"]),
            TextAreaField(
                f"Evidence for {d['name']}",
                validators=[
                    DataRequired("Write what you saw that supports this level."),
                    Length(max=rubric_core.EVIDENCE_LIMIT),
                ],
            ),
        )
    ScorecardForm.overall = RadioField(
        "Overall recommendation",
        choices=[SelectChoice(r["key"], r["label"]) for r in rubric["recommendation"]],
        validate_choice=False,
        validators=[InputRequired("Pick an overall recommendation.")],
    )
    for name, label in (("keep", "Keep doing"), ("stop", "Stop doing"), ("start", "Start doing")):
        setattr(
            ScorecardForm,
            name,
            TextAreaField(
                label,
                validators=[
                    DataRequired(f"Write one line for {label.lower()}."),
                    Length(max=rubric_core.SUMMARY_LIMIT),
                ],
            ),
        )
    return ScorecardForm
