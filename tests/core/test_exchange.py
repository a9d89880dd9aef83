"""The import-file decoder: nesting is measured on the text, before Python's parser could recurse."""

import pytest

from mockloop.core.errors import Invalid
from mockloop.core.export_format import MAX_DEPTH, decode


def nested(depth: int) -> bytes:
    return (
        b'{"a":' * (depth // 2) + b"[" * (depth - depth // 2) + b"1" + b"]" * (depth - depth // 2) + b"}" * (depth // 2)
    )


@pytest.mark.parametrize("depth", [1, 2, MAX_DEPTH - 1, MAX_DEPTH])
def test_nesting_up_to_the_limit_parses(depth):
    assert decode(nested(depth)) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 990, 1000, 100_000])
def test_deeper_nesting_is_refused_with_a_message(depth):
    with pytest.raises(Invalid, match=f"nested at most {MAX_DEPTH} levels"):
        decode(nested(depth))


def test_brackets_inside_strings_do_not_count():
    text = b'{"a": "' + b"[" * 5000 + b'\\"' + b"{" * 5000 + b'", "b": ["\\\\", "]]]]"]}'
    assert decode(text)["a"].startswith("[[[")


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"[" * 100_000, "nested at most"),  # unbalanced and deep: the parser's RecursionError
        (b'["' + b"[" * 100_000, "expected JSON"),  # an unterminated string
        (b"[1, NaN]", "not NaN"),
        (b'{"a": -Infinity}', "not -Infinity"),
        (b"\xff\xfe", "expected JSON"),
        (b"x" * 11, "at most 0 MB"),
    ],
)
def test_files_that_are_not_sane_json_are_refused(raw, message):
    with pytest.raises(Invalid, match=message):
        decode(raw, limit=10 if message.startswith("at most") else None)
