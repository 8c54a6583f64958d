"""Content fingerprints of a page's normalized text: an exact hash and a SimHash for near-duplicates.

No database imports: the crawl's extraction worker processes compute SimHashes with this module alone.
"""
from __future__ import annotations

import hashlib


def content_hash(norm_text: str) -> str:
    """SHA-1 of the normalized text without any whitespace: the same story laid out differently hashes the same."""
    return hashlib.sha1("".join(norm_text.split()).encode("utf-8")).hexdigest()


def _collapse_spaces(text: str) -> str:
    r"""`re.sub(r"\s+", " ", text)` without the regex (5x cheaper): each run of whitespace, ends included, is one space."""
    words = text.split()
    if not words:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + " ".join(words) + (" " if text[-1].isspace() else "")


def _mix64(values):
    """splitmix64's finalizer on a uint64 array: every input bit flips about half the output bits."""
    import numpy as np

    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def simhash(norm_text: str) -> int:
    """64-bit SimHash over character 4-grams (works for Chinese and English), as a signed BIGINT.

    Vectorized with numpy: each 4-gram's code points are packed into one integer, mixed into a
    64-bit hash, and every output bit is the majority vote of that bit over the distinct 4-grams."""
    import numpy as np

    text = _collapse_spaces(norm_text.lower()).ljust(4)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    grams = np.sort((codes[:-3] << np.uint64(42)) ^ (codes[1:-2] << np.uint64(21)) ^ codes[2:-1]
                    ^ (codes[3:] * np.uint64(0x9E3779B97F4A7C15)))
    grams = grams[np.concatenate(([True], grams[1:] != grams[:-1]))]  # distinct (np.unique hashes: slower)
    bits = np.unpackbits(_mix64(grams).view(np.uint8).reshape(len(grams), 8), axis=1)
    votes = np.ones(len(grams)) @ bits.astype(np.float64)  # per-bit counts, exact (a matrix product: 3x cheaper than sum)
    majority = (votes * 2 > len(grams)).astype(np.uint8)
    value = int.from_bytes(np.packbits(majority).tobytes(), "big")
    return value - (1 << 64) if value >= 1 << 63 else value
