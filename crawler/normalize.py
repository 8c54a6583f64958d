"""Text normalization for analysis, kept beside the original text.

`normalize` turns cleaned page text into the text the extractor and search use:
HTML entities decoded (also ones missing their ';'), Unicode NFKC, pinyin glosses after
Chinese characters removed (經(jīng)濟(jì) → 經濟, and the mangled `因?yàn)` form), traditional → simplified Chinese (OpenCC t2s). Offsets the
extractor reports are offsets into this normalized text.
"""
from __future__ import annotations

import html
import html.entities
import re
import unicodedata
from functools import lru_cache
from itertools import islice

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A parenthesised pinyin syllable group with at least one tone mark, right after a CJK character.
# (Each pattern starts with its literal character, the look-behind after it: the regex engine then
# skips ahead to that character instead of trying the look-behind at every position.)
_GLOSS = rf"(?=[a-zü{_TONED}]*[{_TONED}])[a-zü{_TONED}]{{1,12}}\)"
_PINYIN_GLOSS = re.compile(rf"\((?<=[{_CJK}]\(){_GLOSS}")
# The same gloss after a character that a bad re-encoding turned into '?', taking the '(' with it:
# 是因?yàn)“ (是因為(wèi)“). The lost character cannot be recovered; the debris is dropped.
_MANGLED_GLOSS = re.compile(rf"\?(?<=[{_CJK}]\?){_GLOSS}(?:\?{_GLOSS})*")
# Named entities that lost their ';' (&ldquo, &rdquo, &nbsp): html.unescape only repairs a few.
_BARE_ENTITY = re.compile(r"&([A-Za-z]{2,8})(?![A-Za-z;])")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s").convert


def to_simplified(text: str) -> str:
    return _t2s()(text)


def strip_pinyin_glosses(text: str) -> str:
    return _MANGLED_GLOSS.sub("", _PINYIN_GLOSS.sub("", text))


def _unescape(text: str) -> str:
    text = _BARE_ENTITY.sub(lambda m: f"&{m[1]};" if f"{m[1]};" in html.entities.html5 else m[0], text)
    return html.unescape(html.unescape(text))  # scraped pages are sometimes escaped twice


def normalize(text: str) -> str:
    """The analysis form of a text: entities decoded, NFKC, pinyin glosses removed, simplified Chinese."""
    text = _unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = strip_pinyin_glosses(text)
    return to_simplified(text)


def detect_language(text: str) -> str | None:
    """'zh' (simplified), 'zh-Hant' (traditional), 'en', or None when there is too little text to tell."""
    sample = text[:5000]
    cjk = _CJK_CHAR.findall(sample)
    if not cjk:  # the common case spared listing every word: five are enough to tell
        return "en" if next(islice(_LATIN_WORD.finditer(sample), 4, None), None) else None
    latin = _LATIN_WORD.findall(sample)
    if len(cjk) < 20 and len(latin) < 5:
        return None
    if len(cjk) >= 0.5 * sum(map(len, latin)) / 5:  # a CJK character carries about one word
        han = "".join(cjk)
        changed = sum(a != b for a, b in zip(han, to_simplified(han)))
        return "zh-Hant" if changed >= max(3, 0.05 * len(han)) else "zh"
    return "en"
