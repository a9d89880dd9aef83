"""The whiteboard of a round: what a saved drawing may hold, who holds the pen, and starter drawings.

A drawing is Excalidraw's scene as JSON text (elements, a background colour, pasted images). The
server never draws it; it keeps it as sent, once it has checked the parts that could reach a viewer
as something other than pixels: links (clicked by the other seat: http, https or mailto only, as in
Markdown), web embeds (frames to other sites: never kept) and pasted images (PNG, JPEG, GIF or WebP
as data URLs, within a total; an SVG image could carry script, so it is refused). Text labels are
drawn on a canvas or as SVG text shown as an image, never parsed as markup.

The pen: the candidate draws; in a peer round they may hand the pen to the interviewer for a moment
("draw on my board") and take it back. Each hand-over is a round event, so the replay shows it; the
timer ignores these kinds (core/timer.py derives time from its own kinds only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from mockloop.core.errors import Invalid
from mockloop.core.vocabulary import Seat

# The drawing's own size limit is its row in core/work.py RULES (a save must fit one request, which
# the server caps at 1 MiB). Pasted images are limited, not refused: up to this many characters of
# data URLs in all, about 300 KB of image (base64 is 4/3 of the bytes): a screenshot or two.
IMAGES_LIMIT = 400_000
MAX_IMAGES = 20
MAX_ELEMENTS = 20_000
IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP"}
# Excalidraw's element types, less the two that frame other sites (embeddable, iframe).
ELEMENT_TYPES = frozenset(
    {"rectangle", "diamond", "ellipse", "arrow", "line", "freedraw", "text", "image", "frame", "magicframe"}
)
# No whitespace or control character anywhere, so no browser can read a different scheme into it.
_SAFE_LINK = re.compile(r"(?i)(?:https?://|mailto:)[^\x00-\x20\x7f]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")

PEN_GIVEN, PEN_BACK = "pen-given", "pen-back"  # RoundEvent.kind: to the interviewer, back to the candidate
PEN_KINDS = (PEN_GIVEN, PEN_BACK)


def pen_holder(kinds: Iterable[str]) -> Seat:
    """Who draws now, from the kinds of a round's events in order: the candidate unless the last
    hand-over gave the pen to the interviewer."""
    holder = Seat.CANDIDATE
    for kind in kinds:
        if kind == PEN_GIVEN:
            holder = Seat.INTERVIEWER
        elif kind == PEN_BACK:
            holder = Seat.CANDIDATE
    return holder


def _shown(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def check_scene(text: str) -> None:
    """Refuse a drawing the board must not keep, with a message saying what to change. "" is an
    empty board. Raises Invalid (field "text")."""
    if not text:
        return
    try:
        scene = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than any drawing is
        raise Invalid("The board's drawing is not valid JSON, so it was not saved.", field="text") from None
    if not isinstance(scene, dict):
        raise Invalid("The board's drawing must be a JSON object with a list of elements.", field="text")
    elements = scene.get("elements", [])
    files = scene.get("files", {})
    if not isinstance(elements, list) or not isinstance(files, dict) or not isinstance(scene.get("appState", {}), dict):
        raise Invalid("The board's drawing needs elements as a list, files and appState as objects.", field="text")
    if len(elements) > MAX_ELEMENTS:
        raise Invalid(
            f"The board can hold at most {MAX_ELEMENTS:,} shapes; this drawing has {len(elements):,}.", field="text"
        )
    for i, element in enumerate(elements):
        _check_element(element, i)
    _check_images(files)


def labels(text: str) -> list[str]:
    """The words on a drawing: every text element (a shape's label is one too), in drawing order."""
    try:
        scene = json.loads(text) if text else {}
    except (ValueError, RecursionError):
        return []
    elements = scene.get("elements") if isinstance(scene, dict) else None
    return [
        e["text"].strip()
        for e in elements or ()
        if isinstance(e, dict)
        and e.get("type") == "text"
        and not e.get("isDeleted")
        and isinstance(e.get("text"), str)
        and e["text"].strip()
    ]


def _check_element(element: Any, i: int) -> None:
    if not isinstance(element, dict):
        raise Invalid(f"Element {i + 1} of the drawing is not an object.", field="text")
    kind = element.get("type")
    if kind not in ELEMENT_TYPES:
        why = (
            "web embeds show other sites, so they are not kept" if kind in ("embeddable", "iframe") else "unknown type"
        )
        raise Invalid(f"The board cannot keep a {kind!r} element ({why}). Remove it to save again.", field="text")
    link = element.get("link")
    if link is not None and not (isinstance(link, str) and _SAFE_LINK.fullmatch(link)):
        shown = _shown(link) if isinstance(link, str) else "not text"
        raise Invalid(
            f"A link on the board must start with http://, https:// or mailto: ({shown}). "
            "Edit or remove it to save again.",
            field="text",
        )
    for key in ("text", "originalText", "fileId", "id", "name"):
        if element.get(key) is not None and not isinstance(element[key], str):
            raise Invalid(f"Element {i + 1} of the drawing has a {key} that is not text.", field="text")


def _check_images(files: dict[str, Any]) -> None:
    if len(files) > MAX_IMAGES:
        raise Invalid(
            f"The board can keep at most {MAX_IMAGES} pasted images; this one has {len(files)}.", field="text"
        )
    total = 0
    kinds = ", ".join(IMAGE_TYPES.values())
    for file in files.values():
        if not isinstance(file, dict):
            raise Invalid("A pasted image of the drawing is not an object.", field="text")
        mime, data = file.get("mimeType"), file.get("dataURL")
        if mime not in IMAGE_TYPES:
            shown = _shown(mime) if isinstance(mime, str) else "unknown"
            raise Invalid(
                f"The board keeps {kinds} images only, not {shown}. Delete that image to save again.", field="text"
            )
        prefix = f"data:{mime};base64,"
        if not (isinstance(data, str) and data.startswith(prefix) and _BASE64.fullmatch(data, len(prefix))):
            raise Invalid("A pasted image of the drawing is not a base64 data URL.", field="text")
        total += len(data)
    if total > IMAGES_LIMIT:
        raise Invalid(
            f"Pasted images on the board may take {IMAGES_LIMIT:,} characters in all (about "
            f"{IMAGES_LIMIT * 3 // 4 // 1000} KB of image); these take {total:,}. "
            "Delete or shrink an image to save again.",
            field="text",
        )


# ---------- starter drawings: a prompt's skeleton (client -> gateway -> ?) for the candidate to build on ----------

SHAPES = {"box": "rectangle", "ellipse": "ellipse", "diamond": "diamond"}
STARTER_KEYS = (*SHAPES, "text", "arrow")
DEFAULT_SIZE = (160.0, 80.0)
MAX_STARTER_ITEMS = 60
COORD_LIMIT = 5_000
SIZE_RANGE = (20, 1_000)
LABEL_LIMIT = 200


class StarterError(ValueError):
    """A starter drawing item is wrong; `index` is the item (0-based) or None for the whole list."""

    def __init__(self, index: int | None, message: str):
        super().__init__(message)
        self.index, self.message = index, message


def _pair(item: dict[str, Any], key: str, index: int, low: float, high: float) -> tuple[float, float]:
    value = item.get(key)
    if not (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= high for v in value)
    ):
        raise StarterError(index, f"{key}: expected [a, b], two numbers from {low:g} to {high:g}")
    return float(value[0]), float(value[1])


def _label(value: Any, index: int, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > LABEL_LIMIT:
        raise StarterError(index, f"{what}: expected text of 1 to {LABEL_LIMIT} characters")
    return value.strip()


def parse_starter(value: Any) -> tuple[dict[str, Any], ...]:
    """A prompt's `board:` list as Excalidraw element skeletons (convertToExcalidrawElements makes
    the elements in the browser). Shapes are `box`, `ellipse` or `diamond` with a label, `at:
    [x, y]` and an optional `size: [w, h]`; `text` is a free label at a point; `arrow: [from, to]`
    joins two shapes by their labels, with an optional `label`. Raises StarterError."""
    if not isinstance(value, list) or not value or len(value) > MAX_STARTER_ITEMS:
        raise StarterError(None, f"expected a list of 1 to {MAX_STARTER_ITEMS} items")
    out: list[dict[str, Any]] = []
    shapes: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise StarterError(index, f"expected a mapping with one of {', '.join(STARTER_KEYS)}")
        kinds = [k for k in STARTER_KEYS if k in item]
        allowed = {"arrow": {"arrow", "label"}, "text": {"text", "at"}}.get(kinds[0] if kinds else "", {"at", "size"})
        extra = set(item) - allowed - set(kinds)
        if len(kinds) != 1 or extra:
            found = f" (also {', '.join(sorted(map(str, extra)))})" if extra and len(kinds) == 1 else ""
            raise StarterError(index, f"expected exactly one of {', '.join(STARTER_KEYS)}{found}")
        kind, element_id = kinds[0], f"starter-{index + 1}"
        if kind == "arrow":
            ends = item["arrow"]
            if not (isinstance(ends, list) and len(ends) == 2 and all(isinstance(e, str) for e in ends)):
                raise StarterError(index, "arrow: expected [from, to], the labels of two shapes above it")
            missing = [e for e in ends if e not in shapes]
            if missing:
                raise StarterError(index, f"arrow: no shape labelled {missing[0]!r} above it")
            out.append(_arrow(element_id, shapes[ends[0]], shapes[ends[1]], item.get("label"), index))
            continue
        x, y = _pair(item, "at", index, -COORD_LIMIT, COORD_LIMIT)
        if kind == "text":
            out.append({"type": "text", "id": element_id, "x": x, "y": y, "text": _label(item["text"], index, "text")})
            continue
        label = _label(item[kind], index, kind)
        if label in shapes:
            raise StarterError(index, f"{kind}: the label {label!r} is already used (arrows find shapes by label)")
        w, h = _pair(item, "size", index, *SIZE_RANGE) if "size" in item else DEFAULT_SIZE
        shape = {
            "type": SHAPES[kind],
            "id": element_id,
            "x": x,
            "y": y,
            "width": w,
            "height": h,
            "label": {"text": label},
        }
        shapes[label] = shape
        out.append(shape)
    return tuple(out)


def _centre(box: dict[str, Any]) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _edge_point(box: dict[str, Any], toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre to `toward` leaves the box."""
    cx, cy = _centre(box)
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == dy == 0:
        return cx, cy
    scale = min(
        (box["width"] / 2) / abs(dx) if dx else float("inf"),
        (box["height"] / 2) / abs(dy) if dy else float("inf"),
    )
    return cx + dx * scale, cy + dy * scale


def _arrow(element_id: str, start: dict[str, Any], end: dict[str, Any], label: Any, index: int) -> dict[str, Any]:
    if start is end:
        raise StarterError(index, "arrow: expected two different shapes")
    x0, y0 = _edge_point(start, _centre(end))
    x1, y1 = _edge_point(end, _centre(start))
    arrow: dict[str, Any] = {
        "type": "arrow",
        "id": element_id,
        "x": x0,
        "y": y0,
        "width": abs(x1 - x0),
        "height": abs(y1 - y0),
        "points": [[0.0, 0.0], [x1 - x0, y1 - y0]],
        "start": {"id": start["id"]},
        "end": {"id": end["id"]},
    }
    if label is not None:
        arrow["label"] = {"text": _label(label, index, "label")}
    return arrow


def starter_json(skeletons: tuple[dict[str, Any], ...]) -> str:
    return json.dumps(list(skeletons), separators=(",", ":"))
