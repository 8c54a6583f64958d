"""Publication dates written in text: visible datelines such as `2024-03-09 16:19:03`,
`每日經濟新聞 2024-03-09 16:19:03`, `2023年8月28日 14:33` or `March 9, 2024`.

Only a short line made mostly of a full date counts as a dateline: a date inside a sentence
("3月7日", "2024 年 7 月", "在2023年10月31日...") is content, not the publication date.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_TIME = r"(?:(?:\s+|\s*[T,]\s*)(?P<H>\d{1,2})[:時时](?P<M>\d{2})(?:[:分](?P<S>\d{2}))?(?:\s*(?P<pm>[AaPp])\.?[Mm]\b\.?)?)?"
_NUMERIC = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)(?:\s*[日号號])?" + _TIME)
_ENGLISH = re.compile(
    r"\b(?:(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?"
    r"|(?P<d2>\d{1,2})\s+(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?)\s+(?P<y>(?:19|20)\d{2})\b"
    + _TIME, re.IGNORECASE)
# "29/05/2024 16:47" (day first) or "05/29/2024" (month first): read only when one of the two is over 12
_SLASHED = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>(?:19|20)\d{2})(?![\d/.])" + _TIME)
# a row of metadata items: "Written by Sam Kettering  ·  Nov 27, 2024  ·  7 min read"
_ITEM_BEFORE, _ITEM_AFTER = re.compile(r"(?:^|\s[·•|｜]\s*)$"), re.compile(r"\s*(?:$|[·•|｜]\s)")
_SENTENCE_END = re.compile(r"[。!?!?;;]\s*$")
# Wall-clock times without an offset: Chinese-language pages are almost always UTC+8 (PRC, Taiwan, Hong Kong).
_ZONES = {"zh": timezone(timedelta(hours=8)), "zh-Hant": timezone(timedelta(hours=8))}
MAX_DATELINE_CHARS = 80
MAX_DATELINE_EXTRA = 40
MAX_LABELLED_LINE_CHARS = 160  # "作者 X | 发布日期 2025 年 03 月 18 日 10:35 | 分类 AI , Google"
_DATE_LABEL = re.compile(r"(?:发布|发表|出版)(?:日期|时间|于)\s*[::]?\s*$|\b(?:published|posted)(?: on)?\s*[::]?\s*$", re.I)


def _match_datetime(match: re.Match) -> tuple[date, time | None] | None:
    groups = match.groupdict()
    try:
        if groups.get("a"):
            first, second = int(groups["a"]), int(groups["b"])
            if (first > 12) == (second > 12):
                return None  # 05/06/2024: June 5 or May 6
            day = date(int(groups["y"]), *((second, first) if first > 12 else (first, second)))
        elif groups.get("m"):
            day = date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        else:
            month = _MONTHS[(groups["mon"] or groups["mon2"])[:3].lower()]
            day = date(int(groups["y"]), month, int(groups["d"] or groups["d2"]))
        hour = int(groups["H"] or 0) % 12 + (12 if (groups.get("pm") or "").lower() == "p" else 0) \
            if groups.get("pm") else int(groups["H"] or 0)  # "6:41 PM", "12:05 AM"
        clock = time(hour, int(groups["M"]), int(groups["S"] or 0)) if groups.get("H") else None
    except ValueError:
        return None
    return day, clock


def as_aware(day: date, clock: time | None, language: str | None, tz: timezone | None = None) -> datetime:
    """A tz-aware datetime: a stated offset wins, then the language's usual zone for a wall-clock time.
    A date without a time is that calendar day at 00:00 UTC, so it keeps its day when stored as UTC."""
    if clock is None:
        return datetime.combine(day, time(0), tzinfo=timezone.utc)
    return datetime.combine(day, clock, tzinfo=tz or _ZONES.get(language or "", timezone.utc))


_UPDATED = re.compile(r"^\W*(?:updated|last updated|modified|更新(?:时间|于)?)\b", re.I)
_SOURCE_DATE = re.compile(r"^\W*(?:来源|出处|source|published|posted|发布|发表)|\b(?:first|originally) (?:published|posted)\b",
                          re.I)


def is_update(line: str) -> bool:
    """An "Updated: …" line: the date a page changed, not the one it was published."""
    return _UPDATED.search(line) is not None


def is_source_line(line: str) -> bool:
    """A line that names the source or the publication ("来源：钛媒体 2025-07-14 21:40", "This piece was
    first published on 12 August 2025.")."""
    return _SOURCE_DATE.search(line) is not None


def dateline(line: str, today: date | None = None) -> tuple[date, time | None] | None:
    """The (date, time) a line shows if it is a dateline: short, mostly the date, not a sentence; or a
    longer metadata line with the date after a label ("发布日期", "Published") or as one of its items
    ("By X · Nov 27, 2024 · 7 min read")."""
    line = line.strip()
    if not line or len(line) > MAX_LABELLED_LINE_CHARS or _SENTENCE_END.search(line):
        return None
    match = _NUMERIC.search(line) or _ENGLISH.search(line) or _SLASHED.search(line)
    if not match:
        return None
    labelled = _DATE_LABEL.search(line, 0, match.start()) is not None or (
        _ITEM_BEFORE.search(line, 0, match.start()) is not None and _ITEM_AFTER.match(line, match.end()) is not None)
    if not labelled and (len(line) > MAX_DATELINE_CHARS or len(line) - len(match.group(0)) > MAX_DATELINE_EXTRA):
        return None
    found = _match_datetime(match)
    if found is None or not (date(1995, 1, 1) <= found[0] <= (today or date.today()) + timedelta(days=1)):
        return None
    return found


def contains_date(text: str) -> bool:
    """Whether a full date (numeric, Chinese or English) appears anywhere in the text."""
    return bool(_NUMERIC.search(text) or _ENGLISH.search(text))


def parse_iso(value: str | None, language: str | None) -> datetime | None:
    """htmldate/trafilatura output (`2024-03-09`, `2024-03-09T16:19:03+0800`) as a tz-aware datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if "T" not in value and " " not in value.strip():
        return as_aware(parsed.date(), None, language)
    if parsed.tzinfo is not None:
        return parsed
    return as_aware(parsed.date(), parsed.time(), language)
