"""A cheap sentence splitter for Chinese and English text (no segmentation needed).

Splits after 。！？!?； and line breaks, and after an English full stop followed by space and a
capital (not after an initial or a common abbreviation: "U.S.", "J. Smith", "Inc."), keeping
closing quotes and brackets with their sentence. Returns character offsets.
"""
from __future__ import annotations

import re

# A sentence ends at a line break, or after terminal punctuation plus any closing quotes/brackets.
_END = re.compile(r"\n+|[。！？!?；;…]+[”’」』\"')）]*"
                  r"|(?=\.)(?<!\b[A-Z])(?<!\bInc)(?<!\bCorp)(?<!\bLtd)(?<!\bCo)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bvs)"
                  r"(?<!\bNo)(?<!\bSt)\.[”’\"')）]*(?=\s+[A-Z\"“(]|\s*$)")


def pieces(separator: re.Pattern, text: str, keep: bool = False) -> list[tuple[int, int]]:
    """(start, end) of the stretches between matches of `separator` (`keep`: a piece ends with its separator)."""
    spans, start = [], 0
    for m in separator.finditer(text):
        spans.append((start, m.end() if keep else m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence, with surrounding whitespace trimmed."""
    out = []
    for s, e in pieces(_END, text, keep=True):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out
