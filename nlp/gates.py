"""Literal gates for regular expressions: skip a pattern on a sentence that cannot match it.

Python's `re` scans a sentence in a few microseconds per pattern, and the openness rules have
about a hundred patterns, more than jieba spends on the same sentence. Most patterns need one
of a few literal strings (`(?:不是|并非)\\s*开源` needs "开源"), and a substring test costs
nanoseconds. `required_literals` reads that set from the parsed pattern (the idea of the
prefilters of RE2 and Hyperscan). `Literals.active` finds with one trie-shaped regex scan which
gate strings the lower-cased sentence holds and so which patterns are worth a scan.
"""
from __future__ import annotations

import re
import re._constants as c
import re._parser as sre
from dataclasses import dataclass

_EMPTY = object()  # a sub-pattern that may match the empty string: it requires nothing


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective literal set: the longest shortest string, then the fewest strings."""
    return max(options, key=lambda s: (min(map(len, s)), -len(s)), default=None)


def _sequence(items) -> frozenset[str] | None:
    options, run = [], []

    def close_run():
        if run:
            options.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av).lower())
            continue
        close_run()
        if op is c.SUBPATTERN:
            sub = _sequence(av[-1])
        elif op is c.BRANCH:
            branches = [_sequence(b) for b in av[1]]
            sub = None if any(b is None for b in branches) else frozenset().union(*branches)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _sequence(av[2])
        else:
            sub = None  # classes, anchors, lookarounds, optional parts: no literal to rely on
        if sub:
            options.append(sub)
    close_run()
    best = _best(options)
    # "closed" already admits "closedai": keep only the strings that contain no other one
    return best and frozenset(s for s in best if not any(t != s and t in s for t in best))


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-cased strings one of which every match of `pattern` contains; None if there are none."""
    return _sequence(sre.parse(pattern, re.IGNORECASE))


@dataclass(frozen=True, eq=False)
class Gated:
    """A compiled pattern with its literal gate (None when the pattern guarantees no literal)."""

    pattern: re.Pattern
    literals: frozenset[str] | None

    @classmethod
    def compile(cls, pattern: str) -> "Gated":
        return cls(re.compile(pattern, re.IGNORECASE), required_literals(pattern))


def trie_regex(words: list[str]) -> str:
    """One regular expression matching any of `words`, branching like a trie (a few character tests
    per text position however many words), preferring the longest word at a position."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?" if len(alts) > 1 or len(body) > 1 else body + "?"
        return body

    return build(trie)


class Literals:
    """The gates of a rule set, tested together on each sentence by one scan for all their literals."""

    def __init__(self, gates: list[Gated]):
        by_literal: dict[str, list[int]] = {}
        for i, g in enumerate(gates):
            for s in g.literals:
                by_literal.setdefault(s, []).append(i)
        self.gates = tuple(gates)
        # at each position the scan reports the longest literal there; the shorter ones there are its prefixes
        self._scan = re.compile(f"(?=({trie_regex(sorted(by_literal))}))")
        self._opens = {s: frozenset(i for t, ids in by_literal.items() if s.startswith(t) for i in ids)
                       for s in by_literal}

    def active_indices(self, text: str) -> list[int]:
        """Indices (into `gates`, ascending) of the patterns whose literals `text` holds (no state: safe
        across threads)."""
        found = set(self._scan.findall(text.lower()))
        if not found:
            return []
        return sorted(frozenset().union(*(self._opens[s] for s in found)))

    def active(self, text: str) -> tuple[Gated, ...]:
        """The patterns whose literals `text` holds, in rule order."""
        return tuple(self.gates[i] for i in self.active_indices(text))
