"""Openness rules as data: `nlp/data/cues.yaml` compiled once into regular expressions.

Every stance and signal pattern is compiled with its literal gate (`nlp.gates`), so a sentence
costs a regex scan only for the patterns whose literals it holds; a sentence that holds none is
no candidate at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from nlp.gates import Gated, Literals, lowers_exactly

DEFAULT_RULES = Path(__file__).parent / "data" / "cues.yaml"
SIGNAL_IDS = ("usage_threshold", "no_training_other_models", "use_restrictions", "non_commercial",
              "license_not_open_source", "training_data_undisclosed", "training_process_undisclosed",
              "technical_details_undisclosed", "weights_only", "api_only", "open_label_disputed",
              "open_name_closed_practice")


def _any(patterns) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@dataclass(frozen=True)
class SignalRule:
    signal: str
    patterns: tuple[Gated, ...]
    requires: re.Pattern | None
    subject: re.Pattern | None


@dataclass(frozen=True)
class Rules:
    literals: Literals
    taiwan: re.Pattern
    taiwan_terms: dict
    question: re.Pattern
    hypothetical: re.Pattern
    concession_start: re.Pattern
    concession_end: re.Pattern
    hedge: re.Pattern
    anaphora: re.Pattern
    continuation: re.Pattern
    continued_signals: frozenset[str]  # the signals a continuing sentence carries
    neutral: re.Pattern
    local: re.Pattern
    negation: re.Pattern
    irrealis: re.Pattern
    copula_before: re.Pattern
    subject_head: re.Pattern
    quantified: re.Pattern
    topic_before: re.Pattern
    topic_after: re.Pattern
    generic_after: re.Pattern
    speech: re.Pattern
    signals: tuple[SignalRule, ...]
    stance_of: dict[Gated, str]  # each stance pattern's stance
    signal_of: dict[Gated, SignalRule]  # each signal pattern's rule

    def fold(self, sentence: str) -> str:
        """Taiwan vocabulary → mainland words of the same length, and the point of a version number → "·"
        ("Gemini 1·5 Pro's parameter count"), so that no pattern's window stops there (offsets unchanged)."""
        return _VERSION_POINT.sub("·", self.taiwan.sub(lambda m: self.taiwan_terms[m.group()], sentence))

    def can_bind(self, folded: str, names: bool, previous: bool) -> bool:
        """Whether a finding in a (folded) sentence can have a subject: the sentence names someone, or
        the sentence before does and this one has a pronoun or continues it (`nlp.analysis.resolve_subject`)."""
        return names or (previous and (self.anaphora.search(folded) is not None
                                       or self.continuation.match(folded) is not None))

    def hits(self, folded: str) -> list[list[int]]:
        """Every match of every stance and signal pattern in a (folded) sentence, as [gate index, start, end]
        in rule order, then text order; only the patterns whose literals occur are scanned."""
        gates, lowered = self.literals.gates, folded.lower()
        exact = lowers_exactly(folded, lowered)
        return [[i, m.start(), m.end()] for i in self.literals.active_indices(folded)
                for m in gates[i].finditer(folded, lowered, exact)]

    def sentence_cues(self, sentence: str, start: int = 0, previous: list[dict] | None = None) -> list:
        """One sentence's record for the claims and signals components: [start, end, folded text, hits,
        previous] (`start`: where the sentence begins in its doc; `previous`: the names of the nearest
        earlier sentence that has some, offsets relative to this sentence, for its pronouns)."""
        folded = self.fold(sentence)
        return [start, start + len(sentence), folded, self.hits(folded), previous or []]

    def candidate_cues(self, sentence: str, names: bool, previous: list[dict], start: int = 0) -> list | None:
        """The sentence's record if some stance or signal pattern matches and a subject can be bound, else None."""
        folded = self.fold(sentence)
        if not self.can_bind(folded, names, bool(previous)):
            return None
        hits = self.hits(folded)
        if not names and self.anaphora.search(folded) is None:  # it only continues the one before
            hits = [h for h in hits if self.continues(h[0])]
        return [start, start + len(sentence), folded, hits, previous] if hits else None

    def continues(self, gate: int) -> bool:
        """Whether a hit of this gate (pattern index) in a continuing sentence binds the previous subject."""
        rule = self.signal_of.get(self.literals.gates[gate])
        return rule is not None and rule.signal in self.continued_signals


_VERSION_POINT = re.compile(r"(?<=\d)\.(?=\d)")


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> Rules:
    """Compile a cues file (default: the bundled one). Unknown signal ids are an error."""
    data = yaml.safe_load(Path(path or DEFAULT_RULES).read_text(encoding="utf-8"))
    unknown = (set(data["signals"]) | set(data["continuation"]["signals"])) - set(SIGNAL_IDS)
    if unknown:
        raise ValueError(f"{path or DEFAULT_RULES}: unknown signal ids {sorted(unknown)}")
    terms = data["taiwan_terms"]
    uneven = [k for k, v in terms.items() if len(k) != len(v)]
    if uneven:
        raise ValueError(f"{path or DEFAULT_RULES}: taiwan_terms must keep the length: {uneven}")
    signals = tuple(
        SignalRule(sid, tuple(map(Gated.compile, spec["patterns"])),
                   re.compile(spec["requires"], re.I) if spec.get("requires") else None,
                   re.compile(spec["subject"]) if spec.get("subject") else None)
        for sid, spec in data["signals"].items())
    stances = tuple((stance, tuple(map(Gated.compile, pats))) for stance, pats in data["stances"].items())
    gates = [g for _, gs in stances for g in gs] + [g for rule in signals for g in rule.patterns]
    if any(not g.literals for g in gates):
        raise ValueError(f"{path or DEFAULT_RULES}: every stance and signal pattern needs a literal "
                         f"(a word it always contains); these have none: "
                         f"{[g.pattern.pattern for g in gates if not g.literals]}")
    return Rules(
        literals=Literals(gates),
        taiwan=re.compile("|".join(sorted(terms, key=len, reverse=True))),
        taiwan_terms=terms,
        question=re.compile(data["question"]),
        hypothetical=_any(data["hypothetical"]),
        concession_start=re.compile(data["concession"]["start"], re.I),
        concession_end=re.compile(data["concession"]["end"], re.I),
        hedge=_any(data["hedge"]),
        anaphora=_any(data["anaphora"]),
        continuation=re.compile(data["continuation"]["start"], re.I),
        continued_signals=frozenset(data["continuation"]["signals"]),
        neutral=_any(data["neutral"]),
        local=re.compile(data["local"], re.I),
        negation=re.compile(data["negation"], re.I),
        irrealis=re.compile(data["irrealis"], re.I),
        copula_before=re.compile(data["copula_before"], re.I),
        subject_head=re.compile(data["subject_head"], re.I),
        quantified=re.compile(data["quantified"], re.I),
        topic_before=re.compile(data["topic_before"], re.I),
        topic_after=re.compile(data["topic_after"], re.I),
        generic_after=re.compile(data["generic_after"], re.I),
        speech=re.compile(data["speech_verbs"], re.I),
        signals=signals,
        stance_of={g: stance for stance, gs in stances for g in gs},
        signal_of={g: rule for rule in signals for g in rule.patterns},
    )
