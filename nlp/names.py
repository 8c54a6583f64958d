"""When two names are the same name: one key for the scorer, the knowledge base and the model facts."""
from __future__ import annotations

import re
import unicodedata

from crawler.normalize import to_simplified

_NOISE = re.compile(r"[\s\-_.·・,'\"“”‘’()（）]+")
_SIZE = re.compile(r"\d+(?:\.\d+)?[bmt]$")


def name_key(name: str, family: bool = False) -> str:
    """NFKC, traditional→simplified, case-folded, without spaces, hyphens, dots and quotes.

    `family=True` also drops a trailing size (Llama 3 70B → llama3), as the scorer's family score does.
    """
    key = _NOISE.sub("", to_simplified(unicodedata.normalize("NFKC", str(name))).casefold())
    return _SIZE.sub("", key) if family else key
