"""How long a voice prompt takes to say: its words at a pace, plus SSML `<break>`s."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<break\b[^>]*\btime\s*=\s*[\"'](\d+(?:\.\d+)?)\s*(ms|s)[\"'][^>]*>", re.I)


def ssml_to_text(ssml: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", ssml)).split())


def speech_seconds(text: str, *, words_per_minute: float, ssml: bool = False) -> float:
    """How long a prompt takes to say: its words at the given pace, plus SSML breaks."""
    pauses = 0.0
    if ssml:
        for amount, unit in _BREAK.findall(text):
            pauses += float(amount) / (1000.0 if unit.lower() == "ms" else 1.0)
        text = ssml_to_text(text)
    words = len(text.split())
    return words * 60.0 / words_per_minute + pauses
