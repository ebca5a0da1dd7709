"""WCAG 2.1 AA contrast (4.5:1 for body text) of every text/background pair style.css uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "web" / "static" / "style.css").read_text()
VARS = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", CSS))
# (text, background, where): the pairs the pages put together.
PAIRS = [
    ("fg", "bg", "body text"),
    ("muted", "bg", "secondary text"),
    ("muted", "soft", "secondary text in the status box"),
    ("accent", "bg", "links"),
    ("accent", "soft", "links in the status box"),
    ("ok", "bg", "passed steps"),
    ("bad", "bg", "failed steps"),
    ("warn", "bg", "warnings"),
    ("#ffffff", "accent", "button label"),
    ("fg", "#e8eef5", "badge"),
    ("ok", "#e3f1e6", "attested badge"),
    ("bad", "#f8e3e3", "overdue badge"),
    ("warn", "#fbefd9", "correction badge"),
    ("fg", "#fff1a8", "highlighted search term"),
]


def luminance(color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize(("text", "background", "where"), PAIRS, ids=[p[2] for p in PAIRS])
def test_text_contrast_meets_wcag_aa(text: str, background: str, where: str) -> None:
    fg, bg = (c if c.startswith("#") else VARS[c] for c in (text, background))
    assert ratio(fg, bg) >= 4.5, f"{where}: {fg} on {bg} is {ratio(fg, bg):.2f}:1"
