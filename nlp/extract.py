"""Whole-article extraction: entities everywhere, claims and signals where they can be.

Speed comes from doing the cheap work on the whole text and the expensive work on few
sentences: knowledge-base and shape mentions are found on the whole article by one compiled
regex (`nlp.matcher`), sentences are split by punctuation, and only sentences where a stance or
signal pattern matches (scanned only when its literals occur, `nlp.gates`) and a subject can be
bound go through the spaCy pipeline (entities, claims, signals) with `nlp.pipe`: one doc per
article holding only those sentences, so spaCy's per-doc costs are paid once per article. Their
matches and the names of the sentence before each travel with the doc (`doc._.cues`), so the
components do not scan the patterns again.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Iterable, Iterator

from nlp import load_pipeline
from nlp.analysis import names_carried
from nlp.matcher import Mention
from nlp.sentences import split_sentences


@dataclass
class Extraction:
    """What one article says: mentions, claims, signals; offsets index `text` (the normalized text)."""

    text: str
    entities: list[Mention] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    signals: list[dict] = field(default_factory=list)

    def as_json(self, **meta) -> dict:
        """The `openwatch extract` JSON line: meta (document, title, language, published) then results.

        Claims and signals also carry `cue`, the words in the evidence that triggered them.
        """
        return {**meta, "entities": [m.as_json() for m in self.entities], "claims": self.claims,
                "signals": self.signals}


def _dedupe(items: list[dict], key: tuple[str, ...]) -> list[dict]:
    """One item per key (the guidelines record each subject/stance once): the most confident, then the first."""
    best: dict[tuple, dict] = {}
    for item in items:
        k = tuple(item[x] for x in key)
        if k not in best or item.get("confidence", 0) > best[k].get("confidence", 0):
            best[k] = item
    return sorted(best.values(), key=lambda x: x["start"])


def headed(title: str | None, norm_text: str) -> str:
    """What the extractor reads of an article: its normalized headline as the first line (headlines
    carry claims: "Llama 3 不算真开源"), unless the text starts with it already."""
    from crawler.normalize import normalize

    head = normalize(title or "").strip()
    return norm_text if not head or norm_text.startswith(head) else f"{head}\n{norm_text}"


def extract_docs(texts: Iterable[str], *, normalized: bool = False, nlp=None, batch_size: int = 256,
                 n_process: int = 1) -> list[Extraction]:
    """Extract every text (raw text is normalized first; pass `normalized=True` for Article.norm_text)."""
    return list(iter_extractions(texts, normalized=normalized, nlp=nlp, batch_size=batch_size, n_process=n_process))


def iter_extractions(texts: Iterable[str], *, normalized: bool = False, nlp=None, batch_size: int = 256,
                     n_process: int = 1) -> Iterator[Extraction]:
    """Extractions in input order, streamed through one `nlp.pipe` (so `n_process` workers start once):
    only the articles inside the pipe's current batches are held, and memory stays flat on long streams."""
    from crawler.normalize import normalize

    nlp = nlp or load_pipeline()
    entities = nlp.get_pipe("openwatch_entities")
    rules = nlp.get_pipe("openwatch_cues").rules
    waiting: dict[int, Extraction] = {}  # articles inside the pipe

    def docs():
        for i, raw in enumerate(texts):
            text = raw if normalized else normalize(raw)
            waiting[i] = Extraction(text=text, entities=entities.matcher.find(text))
            yield _candidate_doc(nlp, entities, rules, waiting[i]), i

    with nlp.select_pipes(disable=["sentencizer"]):  # the cue records name the sentences already
        for doc, i in nlp.pipe(docs(), as_tuples=True, batch_size=batch_size, n_process=n_process):
            yield _merge(waiting.pop(i), doc)


def _candidate_doc(nlp, entities, rules, result: Extraction):
    """A doc of the article's candidate sentences joined by line breaks (empty if it has none), with
    their cue records and mentions in doc offsets; `doc._.offsets` holds (doc start, article start) per sentence."""
    text, mentions = result.text, result.entities
    starts = [m.start for m in mentions]
    previous: list[Mention] = []
    topic: list[Mention] = []  # the first model of the latest sentence naming one
    parts, cues, doc_mentions, offsets, pos = [], [], [], [], 0
    for s, e in split_sentences(text):
        inside = mentions[bisect.bisect_left(starts, s):bisect.bisect_left(starts, e)]
        sentence = text[s:e]
        record = rules.candidate_cues(sentence, bool(inside) or entities.may_find_names(sentence),
                                      [m.as_context(s) for m in previous], pos)
        if record is not None:
            parts.append(sentence)
            cues.append(record)
            doc_mentions += [m.as_context(s - pos) for m in inside]
            offsets.append((pos, s))
            pos += len(sentence) + 1
        previous, topic = names_carried(previous, topic, inside, text, attrgetter("start", "end", "label", "referee"))
    joined = "\n".join(parts)
    doc = nlp.make_doc(joined)
    ext = doc._  # every `doc._` builds an accessor object: take it once
    ext.text, ext.cues, ext.mentions, ext.offsets = joined, cues, doc_mentions, offsets
    return doc


def _merge(result: Extraction, doc) -> Extraction:
    """The doc's claims, signals and extra names added to the article's extraction, at article offsets."""
    ext = doc._
    offsets = ext.offsets
    doc_starts = [d for d, _ in offsets]

    def in_article(item: dict) -> dict:  # the item with its doc offsets moved to the article's
        d, a = offsets[bisect.bisect_right(doc_starts, item["start"]) - 1]
        return {**item, "start": item["start"] + a - d, "end": item["end"] + a - d}

    result.claims = _dedupe([in_article(c) for c in ext.claims], ("subject", "stance"))
    result.signals = _dedupe([in_article(x) for x in ext.signals], ("subject", "signal"))
    for m in map(in_article, ext.mentions):  # names only the segmented pass finds (Chinese organizations)
        if not any(m["start"] < x.end and x.start < m["end"] for x in result.entities):
            result.entities.append(Mention(m["start"], m["end"], m["text"], m["canonical"], m["label"], m["known"],
                                           m["org"]))
    result.entities.sort(key=lambda m: m.start)
    return result
