"""Claims and signals of one sentence, from its entity mentions and the openness rules.

Subject resolution, in order: a mention in the cue's clause before the cue (or inside a signal
span), a name right after the cue ("开源模型 Gemma", "open-sourced Large 2"), the first mention
earlier in the sentence, and for pronouns/该模型 the previous sentence. Models win over
organizations at each step: the guidelines take the most specific subject.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.rules import Rules

_CLAUSE = re.compile(r"[,，;；:：]")
_SPEAKER_TRIM = re.compile(r"^(?:据|而|则|但|但是|此外|另外|同时|and|but|as)\s*|[「“\"”」]+", re.I)


@dataclass
class Cue:
    start: int
    end: int
    generic: bool = False


def _clause(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _CLAUSE.finditer(text):
        if m.end() <= pos:
            start = m.end()
        else:
            return start, m.start()
    return start, len(text)


def _prefer_models(cands: list[dict], nearest_to: int | None = None) -> dict | None:
    if not cands:
        return None
    models = [m for m in cands if m["label"] == "MODEL"] or cands
    if nearest_to is None:
        return models[0]
    return min(models, key=lambda m: abs(nearest_to - m["start"]))


def resolve_subject(rules: Rules, text: str, cue: Cue, mentions: list[dict],
                    previous: list[dict]) -> tuple[dict | None, float]:
    """The mention a cue is about, and how sure the resolution is."""
    cs, ce = _clause(text, cue.start)
    before = [m for m in mentions if cs <= m["start"] < cue.start]
    inside = [m for m in mentions if cue.start <= m["start"] < cue.end]
    gap_end = cue.end
    if cue.generic:
        g = rules.generic_after.match(text, cue.end)
        gap_end = g.end() if g else cue.end
    after = [m for m in mentions if gap_end <= m["start"] <= gap_end + (4 if cue.generic else 8) and m["start"] < ce]
    near = _prefer_models(before + inside + after, nearest_to=cue.start)
    if near is not None:
        return near, 0.9
    if cue.generic:
        return None, 0.0
    earlier = [m for m in mentions if m["start"] < cs]
    first = _prefer_models(earlier)
    if first is not None:
        return first, 0.75
    if rules.anaphora.search(text, 0, ce) and previous:
        return _prefer_models(list(reversed(previous))), 0.6
    return None, 0.0


def find_speaker(rules: Rules, text: str, mentions: list[dict]) -> str | None:
    """Who the sentence attributes its content to ("X 表示", "X said", "according to X")."""
    m = rules.speech.search(text)
    if not m:
        return None
    cs, _ = _clause(text, m.start())
    if m.group().lower().startswith("according"):
        _, ce = _clause(text, m.end())
        after = [x for x in mentions if m.end() <= x["start"] < ce]
        return after[0]["canonical"] if after else (text[m.end():ce].strip() or None)
    orgs = [x for x in mentions if cs <= x["start"] < m.start() and x["label"] == "ORG"]
    if orgs:
        return orgs[-1]["canonical"]
    chunk = _SPEAKER_TRIM.sub("", text[cs:m.start()].strip()).strip()
    if 1 < len(chunk) <= 25:
        return chunk
    return None


def _masked(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(s < b and a < e for a, b in spans)


def _concessions(rules: Rules, text: str) -> list[tuple[int, int]]:
    out = []
    for m in rules.concession_start.finditer(text):
        end = rules.concession_end.search(text, m.end())
        if end:
            out.append((m.start(), end.start()))
    return out


def _subject_fields(subject: dict) -> dict:
    org = subject["canonical"] if subject["label"] == "ORG" else subject.get("org")
    out = {"subject": subject["canonical"], "subject_type": "org" if subject["label"] == "ORG" else "model",
           "organization": org}
    if not subject.get("known", True):
        out["known"] = False
    return out


def sentence_claims(rules: Rules, text: str, mentions: list[dict], previous: list[dict]) -> list[dict]:
    """Claims (subject, stance, speaker, confidence) asserted in one sentence; offsets are the caller's."""
    if rules.hypothetical.search(text) and re.search(r"[?？]\s*$", text):
        return []
    taken: list[tuple[int, int]] = []
    concessions = _concessions(rules, text)
    hedge = 0.15 if rules.hedge.search(text) else 0.0
    speaker = None
    out, seen = [], set()
    for stance, pattern in rules.stances:
        for m in pattern.finditer(text):
            if _masked(taken, m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            if stance == "open" and _masked(concessions, m.start(), m.end()):
                continue
            cs, ce = _clause(text, m.start())
            if rules.hypothetical.search(text, cs, ce):
                continue
            cue = Cue(m.start(), m.end(), generic=bool(rules.generic_after.match(text, m.end())))
            subject, conf = resolve_subject(rules, text, cue, mentions, previous)
            if subject is None or (subject["canonical"], stance) in seen:
                continue
            seen.add((subject["canonical"], stance))
            if speaker is None:
                speaker = find_speaker(rules, text, mentions) or ""
            out.append({**_subject_fields(subject), "stance": stance, "speaker": speaker or None,
                        "cue": m.group(), "confidence": round(max(0.1, conf - hedge), 2)})
    return out


def sentence_signals(rules: Rules, text: str, mentions: list[dict], previous: list[dict]) -> list[dict]:
    """Open-washing signals in one sentence, each tied to its subject."""
    out, seen = [], set()
    for rule in rules.signals:
        if rule.requires is not None and not rule.requires.search(text):
            continue
        for m in rule.pattern.finditer(text):
            subject, _ = resolve_subject(rules, text, Cue(m.start(), m.end()), mentions, previous)
            if subject is None or (rule.subject is not None and not rule.subject.search(subject["canonical"])):
                continue
            if (subject["canonical"], rule.signal) in seen:
                continue
            seen.add((subject["canonical"], rule.signal))
            out.append({**_subject_fields(subject), "signal": rule.signal, "cue": m.group()})
    return out
