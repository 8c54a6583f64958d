"""Literal gates for regular expressions: skip a pattern on a sentence that cannot match it.

Python's `re` scans a sentence in a few microseconds per pattern, and the openness rules have
about a hundred patterns, more than jieba spends on the same sentence. Most patterns need a few
literal strings (`(?:评为|列为)\\s*(?:开放|开源)` needs one of "评为", "列为" AND one of "开放",
"开源"), and a substring test costs nanoseconds. `required_literals` reads these sets from the
parsed pattern (the idea of the prefilters of RE2 and Hyperscan). `Literals.active` finds with
one Aho-Corasick scan (pyahocorasick) which gate strings the lower-cased sentence holds and so which
patterns are worth a scan: those with a string of each of their sets.
"""
from __future__ import annotations

import re
import re._constants as c
import re._parser as sre
from dataclasses import dataclass
from re._casefix import _EXTRA_CASES

import ahocorasick


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective literal set: the longest shortest string, then the fewest strings."""
    return max(options, key=lambda s: (min(map(len, s)), -len(s)), default=None)


def _minimal(strings: frozenset[str]) -> frozenset[str]:
    """"closed" already admits "closedai": keep only the strings that contain no other one."""
    return frozenset(s for s in strings if not any(t != s and t in s for t in strings))


def _sequence(items) -> list[frozenset[str]]:
    """Literal sets every match of the parsed sequence `items` holds a string of (each set on its own)."""
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
            options += _sequence(av[-1])
        elif op is c.BRANCH:
            branches = [_best(_sequence(b)) for b in av[1]]
            if all(branches):
                options.append(_minimal(frozenset().union(*branches)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            options += _sequence(av[2])
        # classes, anchors, lookarounds, optional parts: no literal to rely on
    close_run()
    return options


def required_literals(pattern: str) -> tuple[frozenset[str], ...]:
    """Sets of lower-cased strings such that every match of `pattern` holds a string of each set;
    sets whose shortest string is a single character (too common to filter anything) are left out."""
    options = [_minimal(s) for s in _sequence(sre.parse(pattern, re.IGNORECASE))]
    return tuple(dict.fromkeys(s for s in options if min(map(len, s)) > 1))


# Python's case-insensitive matching equates characters with the same lower case, plus the pairs of
# `re._casefix` (i ~ ı, s ~ ſ, Greek and Cyrillic variants). Without those characters (and Σ, which
# `str.lower()` turns into ς at the end of a word), a case-sensitive match of lower-case words in
# `text.lower()` is exactly a case-insensitive match in `text`, when lowering keeps the length.
_CASE_PAIRS = re.compile("[" + re.escape("".join(sorted({chr(c) for k, v in _EXTRA_CASES.items() for c in (k, *v)}
                                                         - set(map(chr, range(128))) | {"Σ"}))) + "]")


def lowers_exactly(text: str, lowered: str) -> bool:
    """Whether matching lower-case words in `lowered` (= `text.lower()`) is the same as matching them
    case-insensitively in `text`, offsets included."""
    return len(lowered) == len(text) and _CASE_PAIRS.search(text) is None


_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|.)", re.S)
_FLAGS = re.compile(r"\(\?[aiLmsux-]")


def _cased(ch: str) -> bool:
    return ch.lower() != ch.upper()


def _ranges_lower_cleanly(items) -> bool:
    """Whether every character range of a parsed pattern is caseless or an ASCII letter range."""
    for op, av in items:
        if op is c.RANGE:
            lo, hi = av
            if any(_cased(chr(x)) for x in range(lo, hi + 1)) and not (ord("a") <= lo <= hi <= ord("z") or ord("A") <= lo <= hi <= ord("Z")):
                return False
        elif op is c.IN and not _ranges_lower_cleanly(av):
            return False
        elif op in (c.SUBPATTERN, c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT, c.ASSERT, c.ASSERT_NOT) \
                and not _ranges_lower_cleanly(av[-1]):
            return False
        elif op is c.BRANCH and not all(map(_ranges_lower_cleanly, av[1])):
            return False
        elif op is c.ATOMIC_GROUP and not _ranges_lower_cleanly(av):
            return False
        elif op is c.GROUPREF_EXISTS:
            return False  # conditional groups: not worth following
    return True


def lower_pattern(pattern: str) -> re.Pattern | None:
    """`pattern` for lower-cased text (case-sensitive, its letters lower-cased; escapes such as \\S kept):
    the same matches as `pattern` with IGNORECASE on text where `lowers_exactly` holds. None when
    lowering could change the pattern's meaning (inline flags, case pairs, a range such as À-Þ)."""
    plain = _ESCAPE.sub("", pattern)
    if _FLAGS.search(pattern) or not lowers_exactly(plain, plain.lower()) \
            or not _ranges_lower_cleanly(sre.parse(pattern, re.IGNORECASE)):
        return None
    pieces, pos = [], 0
    for m in _ESCAPE.finditer(pattern):
        if m.group()[1].isdigit():
            return None  # a back-reference or an octal character
        if m.group()[1] in "xuUN" and _cased(chr(sre.parse(m.group())[0][1])):
            return None  # a character given by its code: only a caseless one can stay as it is
        pieces += [pattern[pos:m.start()].lower(), m.group()]
        pos = m.end()
    return re.compile("".join(pieces) + pattern[pos:].lower())


@dataclass(frozen=True, eq=False)
class Gated:
    """A compiled pattern with its literal gate (no sets when the pattern guarantees no literal), and
    the same pattern for lower-cased text (`lower_pattern`; several times faster than IGNORECASE)."""

    pattern: re.Pattern
    literals: tuple[frozenset[str], ...]
    lower: re.Pattern | None

    @classmethod
    def compile(cls, pattern: str) -> "Gated":
        return cls(re.compile(pattern, re.IGNORECASE), required_literals(pattern), lower_pattern(pattern))

    def finditer(self, text: str, lowered: str, exact: bool):
        """Case-insensitive matches in `text`; `lowered` is `text.lower()`, `exact` is `lowers_exactly(…)`."""
        return self.lower.finditer(lowered) if exact and self.lower is not None else self.pattern.finditer(text)


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
    """The gates of a rule set, tested together on each sentence by one Aho-Corasick scan (pyahocorasick)
    for all their literals."""

    def __init__(self, gates: list[Gated]):
        by_literal: dict[str, set[tuple[int, int]]] = {}  # literal -> (gate, set of the gate) it satisfies
        for i, g in enumerate(gates):
            for k, strings in enumerate(g.literals):
                for s in strings:
                    by_literal.setdefault(s, set()).add((i, k))
        self.gates = tuple(gates)
        self._needs = [len(g.literals) for g in gates]
        self._scan = ahocorasick.Automaton()
        for literal, satisfied in by_literal.items():
            self._scan.add_word(literal, frozenset(satisfied))
        self._scan.make_automaton()

    def active_indices(self, text: str) -> list[int]:
        """Indices (into `gates`, ascending) of the patterns that have a literal of each of their sets in
        `text` (no state: safe across threads)."""
        found = {satisfied for _, satisfied in self._scan.iter(text.lower())}
        if not found:
            return []
        met: dict[int, int] = {}
        for i, _ in frozenset().union(*found):
            met[i] = met.get(i, 0) + 1
        return sorted(i for i, n in met.items() if n == self._needs[i])

    def active(self, text: str) -> tuple[Gated, ...]:
        """The patterns whose literals `text` holds, in rule order."""
        return tuple(self.gates[i] for i in self.active_indices(text))
