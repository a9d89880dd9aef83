"""The app's JSON is written by orjson (web/json_provider.py) and must say what Flask's own provider
said: what pages and scripts read from it does not change with the encoder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from flask import jsonify, render_template_string
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup


@dataclass
class Point:
    x: int
    label: str


VALUES = [
    {"b": 1, "a": [1, 2.5, None, True], "c": (1, "tuple")},
    {"when": datetime(2026, 12, 4, 20, 30, tzinfo=timezone.utc), "point": Point(1, "é")},
    {"html": Markup("<b>bold</b>"), "text": "naïve — “quoted”", "nested": {"z": {}, "y": []}},
    {"huge": 2**70, "negative": -(2**64)},  # beyond 64 bits: orjson refuses, the fallback writes it
]


@pytest.mark.parametrize("value", VALUES)
def test_a_json_response_reads_back_as_flasks_own_provider_wrote_it(app, value):
    with app.app_context():
        body = jsonify(value).get_data()
        expected = DefaultJSONProvider(app).dumps(value)
    assert json.loads(body) == json.loads(expected)


def test_keys_come_sorted_as_before(app):
    with app.app_context():
        assert jsonify({"b": 1, "a": {"d": 2, "c": 3}}).get_data() == b'{"a":{"c":3,"d":2},"b":1}\n'


def test_what_json_cannot_hold_is_still_refused(app):
    with app.app_context(), pytest.raises(TypeError):
        jsonify({"x": object()})


def test_tojson_in_a_page_still_escapes_what_could_close_its_script(app):
    with app.app_context():
        out = render_template_string("{{ v|tojson }}", v={"s": "</script><b>&'"})
    assert "<" not in out and ">" not in out and "&" not in out and "'" not in out
    assert json.loads(out) == {"s": "</script><b>&'"}


def test_text_beyond_ascii_is_sent_as_utf8_not_escaped(app):
    with app.app_context():
        response = jsonify({"name": "Zoë"})
    assert response.get_data() == '{"name":"Zoë"}\n'.encode()
    assert response.mimetype == "application/json"
