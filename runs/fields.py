"""Typed page settings <-> URL query values, with hostile input clamped or dropped and a note saying so.

Pure (no Streamlit): a page declares its fields once; :func:`parse` turns whatever arrived in the
URL into valid values plus human-readable notes, :func:`encode` turns values back into the query
string. Values equal to a field's default are left out of the URL. A field also carries what its
widget needs (bounds, step, help), so ``ui.state.field_input`` builds the widget from it and no
bound is written twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

MAX_RAW = 200  # longer query values are not even looked at


@dataclass(frozen=True)
class Field:
    key: str  # the query parameter and the widget's session-state key
    label: str  # how notes name it
    kind: str  # "float" | "int" | "choice" | "multi" | "flag" | "text"
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    log: bool = False  # floats: a 1-2-5 slider over decades beside an exact number box
    step: float | None = None  # the widget's +/- step (None: the widget's own)
    help: str = ""  # the widget's tooltip

    def parse(self, raw: Any) -> tuple[Any, str | None]:
        """``(value, note)``: a valid value, and a note when ``raw`` was changed or ignored."""
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        text = str(raw).strip()
        if len(text) > MAX_RAW:
            return self.default, f"{self.label}: the value was too long and was ignored"
        return _PARSERS[self.kind](self, text)

    def encode(self, value: Any) -> str:
        if self.kind == "flag":
            return "1" if value else "0"
        if self.kind == "multi":
            return ",".join(value)
        if self.kind == "float":
            return f"{float(value):.6g}"
        return str(value)


class Note(str):
    """A note on a link value, readable as text, that also knows which field (``key``) it is about."""

    key: str

    def __new__(cls, text: str, key: str = ""):
        note = super().__new__(cls, text)
        note.key = key
        return note


def _fallback(field: Field) -> str:
    if field.default is None:
        return "the default"
    return f"{field.default:g}" if isinstance(field.default, float) else repr(field.default)


def _finite(field: Field, text: str, not_a_number: str, not_finite: str):
    """``(value, None)`` for a finite number, else ``(None, note)``."""
    try:
        value = float(text)
    except ValueError:
        return None, f"{field.label}: {text[:40]!r} is not {not_a_number}; using {_fallback(field)}"
    if not math.isfinite(value):
        return None, f"{field.label}: {text[:40]!r} is not {not_finite}; using {_fallback(field)}"
    return value, None


def _parse_float(field: Field, text: str):
    value, note = _finite(field, text, "a number", "a finite number")
    return (field.default, note) if note else _clamp(field, value)


def _parse_int(field: Field, text: str):
    value, note = _finite(field, text, "a whole number", "a whole number")
    if note:
        return field.default, note
    clamped, note = _clamp(field, value)
    rounded = int(round(clamped))
    if note is None and rounded != value:
        note = f"{field.label}: {text} rounded to {rounded}"
    return rounded, note


def _clamp(field: Field, value: float):
    lo = -math.inf if field.low is None else field.low
    hi = math.inf if field.high is None else field.high
    if value < lo or value > hi:
        clamped = min(max(value, lo), hi)
        return clamped, f"{field.label}: {value:g} is outside [{lo:g}, {hi:g}]; clamped to {clamped:g}"
    return value, None


def _parse_choice(field: Field, text: str):
    if text in field.choices:
        return text, None
    return field.default, f"{field.label}: unknown value {text[:40]!r}; using {field.default!r}"


def _parse_multi(field: Field, text: str):
    items = [t.strip() for t in text.split(",") if t.strip()]
    known = list(dict.fromkeys(t for t in items if t in field.choices))
    unknown = [t for t in items if t not in field.choices]
    note = None
    if unknown:
        shown = ", ".join(repr(u[:30]) for u in unknown[:5])
        note = f"{field.label}: ignored unknown {shown}"
    if not known:
        tail = "; nothing valid was left, so the defaults are used"
        return list(field.default), (note or f"{field.label}: empty") + tail
    return known, note


def _parse_flag(field: Field, text: str):
    low = text.lower()
    if low in ("1", "true", "yes", "on"):
        return True, None
    if low in ("0", "false", "no", "off"):
        return False, None
    return field.default, f"{field.label}: {text[:40]!r} is not on/off; using {'on' if field.default else 'off'}"


def _parse_text(field: Field, text: str):
    """Any text up to MAX_RAW characters: what it means (a formula) is for its page to check."""
    return text, None


_PARSERS: dict[str, Callable] = {"float": _parse_float, "int": _parse_int, "choice": _parse_choice,
                                 "multi": _parse_multi, "flag": _parse_flag, "text": _parse_text}


def parse(fields: Sequence[Field], query: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Values for the fields present in ``query`` (absent ones are not returned) and the notes."""
    values, notes = {}, []
    for f in fields:
        if f.key in query:
            value, note = f.parse(query[f.key])
            values[f.key] = value
            if note:
                notes.append(Note(note, f.key))
    return values, notes


def encode(fields: Sequence[Field], values: Mapping[str, Any]) -> dict[str, str]:
    """The query parameters for ``values``, leaving out defaults and fields without a value."""
    out = {}
    for f in fields:
        if f.key in values and values[f.key] is not None and not _equal(values[f.key], f.default):
            out[f.key] = f.encode(values[f.key])
    return out


def _equal(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=0.0)
        except (TypeError, ValueError):
            return False
    return a == b


def unknown_keys(fields: Sequence[Field], query: Mapping[str, Any], allowed_prefixes=()) -> list[str]:
    known = {f.key for f in fields}
    return [k for k in query if k not in known and not k.startswith(tuple(allowed_prefixes))]


MAX_SEED = 2**31 - 1  # numpy's seeds, and what a link may carry


def round_sig(values, digits: int):
    """``values`` (a float or an array) rounded to ``digits`` significant digits, each the float
    nearest its short decimal form, so that a link carries it exactly in a few characters."""
    arr = np.asarray(values, dtype=np.float64)
    out = np.array([float(f"{v:.{digits}g}") for v in arr.ravel()]).reshape(arr.shape)
    return float(out) if out.ndim == 0 else out
