"""Flask's JSON (jsonify and the templates' tojson) written by orjson.

The state poll answers a kilobyte of JSON every second or three for each open round page, and the
standard library's encoder, through Flask's provider, took 11 µs of the poll's 110 µs in its view;
orjson takes under 1. The output means the same: keys sorted, Flask's own conversions for dates,
dataclasses and Markup (orjson hands those to it), UTF-8 instead of \\u escapes. An integer beyond
64 bits, which orjson refuses, goes to the standard library as before. Reading JSON stays with the
standard library: the request's depth limit (web/pages.py) is built on how its parser fails.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS  # as json.dumps does: an int key becomes its string
    | orjson.OPT_PASSTHROUGH_DATETIME  # to Flask's default: the HTTP date it has always written
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


class JSONProvider(DefaultJSONProvider):
    def _encode(self, obj: Any, indent: bool) -> bytes:
        try:
            return orjson.dumps(obj, default=self.default, option=OPTIONS | (orjson.OPT_INDENT_2 if indent else 0))
        except orjson.JSONEncodeError:
            # Raised for an integer beyond 64 bits, and for what default refuses, which raises again here.
            separators = None if indent else (",", ":")
            return super().dumps(obj, indent=2 if indent else None, separators=separators).encode()

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        # Jinja's tojson passes sort_keys, which OPTIONS holds; nothing here asks for anything else.
        return self._encode(obj, bool(kwargs.get("indent"))).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        app = cast(Flask, self._app)
        pretty = (self.compact is None and app.debug) or self.compact is False
        return app.response_class(self._encode(obj, pretty) + b"\n", mimetype=self.mimetype)
