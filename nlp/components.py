"""spaCy components of the OpenWatch pipeline, registered with `@Language.factory`.

- `openwatch_entities`: knowledge-base and shape mentions (doc.ents with kb_id_ = canonical name),
  Chinese organizations from jieba words before 公司/大学/研究所…, optionally ORG entities of an
  installed pretrained pipeline (`pretrained_ner = "zh_core_web_sm"`).
- `openwatch_cues`: the sentences and every match of the stance and signal patterns in them (one
  scan per sentence, shared by the two components after it).
- `openwatch_claims`: open / closed / disputed claims per sentence.
- `openwatch_signals`: open-washing signals per sentence.

Doc extensions: `mentions`, `cues`, `claims`, `signals` (lists of dicts and lists, so docs cross process
boundaries in `nlp.pipe(n_process=…)`; offsets index the doc), `text` (the doc's text, joined once) and
`offsets` (set by `nlp.extract` on a doc of an article's candidate sentences: where each begins in the article).
"""
from __future__ import annotations

import re
from operator import itemgetter

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from nlp.analysis import names_carried, sentence_claims, sentence_signals
from nlp.kb import load_kb
from nlp.matcher import EntityMatcher, Mention
from nlp.rules import Rules, load_rules
from nlp.sentences import split_sentences

for _name in ("mentions", "cues", "claims", "signals", "text", "offsets"):
    Doc.set_extension(_name, default=None, force=True)

_ORG_SUFFIX = ("公司", "集团", "基金会", "研究所", "研究院", "大学", "实验室", "学院")
_KEEP_SUFFIX = ("基金会", "研究所", "研究院", "大学", "实验室", "学院")
_NOT_NAMES = {"这家", "该", "一家", "大型", "科技", "上市", "母", "子", "这些", "那些", "其", "多家", "各", "本",
              "我们", "他们", "美国", "中国", "欧洲", "国内", "国外", "海外", "创业", "初创", "人工智能", "互联网",
              "技术", "软件", "硬件", "商业", "非营利", "营利", "研究", "顶尖", "知名", "著名", "头部", "大",
              "小", "新", "老", "本土", "外国", "合资", "独角兽", "芯片", "半导体", "该大学", "一所", "这所"}
_ORG_SUFFIX_RE = re.compile("|".join(_ORG_SUFFIX))
_CJK_NAME = re.compile(r"^(?![哪这那此各某每该几])[\u4e00-\u9fff]{2,8}$")  # "哪类公司", "这类公司": no names


def doc_text(doc: Doc, ext) -> str:
    """`doc.text`, joined from the tokens once per doc instead of on every access (`ext` is `doc._`:
    each `doc._` builds an accessor object, so callers take it once)."""
    if ext.text is None:
        ext.text = doc.text
    return ext.text


def _shift(mention: dict, offset: int) -> dict:
    """The mention with offsets relative to `offset`."""
    return {**mention, "start": mention["start"] - offset, "end": mention["end"] - offset}


class EntityComponent:
    def __init__(self, nlp: Language, kb_paths: list[str] | None, extras: bool, jieba_userdict: bool,
                 pretrained_ner: str | None):
        self.kb = load_kb(kb_paths, with_extras=extras)
        self.matcher = EntityMatcher(self.kb)
        self.ner = None
        if pretrained_ner:
            import spacy

            self.ner = spacy.load(pretrained_ner)
        if jieba_userdict:
            import jieba

            for entry in self.kb.entries.values():
                for alias in entry.all_names():
                    if " " not in alias:
                        jieba.add_word(alias, freq=2000, tag="nt" if entry.kind == "org" else "nz")

    def may_find_names(self, text: str) -> bool:
        """Whether this component can find names the article matcher cannot (an organization suffix, a NER)."""
        return self.ner is not None or _ORG_SUFFIX_RE.search(text) is not None

    def chinese_orgs(self, doc: Doc, text: str) -> list[Mention]:
        """Unknown organizations: a proper-looking jieba word right before an organization suffix."""
        import jieba

        freq = jieba.dt.FREQ
        out = []
        for m in _ORG_SUFFIX_RE.finditer(text):
            suffix = doc.char_span(m.start(), m.end())
            if suffix is None or suffix.start == 0:
                continue  # the suffix is inside a longer word, or starts the text
            tok = doc[suffix.start - 1]
            if not _CJK_NAME.match(tok.text) or tok.text in _NOT_NAMES or freq.get(tok.text, 0) > 50:
                continue  # not a name: a common word (科技, 大型…) or a determiner (这家)
            name = tok.text + m.group() if m.group() in _KEEP_SUFFIX else tok.text
            out.append(Mention(tok.idx, m.end(), text[tok.idx:m.end()], name, "ORG", known=False))
        return out

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # every `doc._` builds an accessor object: take it once
        text = doc_text(doc, ext)
        mentions = ext.mentions  # set when matched on the whole article (nlp.extract)
        if mentions is None:
            mentions = [m.as_context() for m in self.matcher.find(text)]
        extra = self.chinese_orgs(doc, text)
        if self.ner is not None:
            extra += [Mention(e.start_char, e.end_char, e.text, e.text, "ORG", known=False)
                      for e in self.ner(text).ents if e.label_ == "ORG"]
        extra = [x.as_context() for x in extra
                 if not any(x.start < m["end"] and m["start"] < x.end for m in mentions)]
        if extra:
            mentions = sorted(mentions + extra, key=lambda m: m["start"])
        spans = [doc.char_span(m["start"], m["end"], label=m["label"], kb_id=m["canonical"], alignment_mode="expand")
                 for m in mentions]
        doc.ents = filter_spans([s for s in spans if s is not None])
        ext.mentions = mentions
        return doc


class CueComponent:
    """Sentences and the stance/signal pattern matches in each, scanned once for the claims and signals
    components (`doc._.cues`: [start, end, folded text, hits, previous names] per sentence, see
    `Rules.sentence_cues`)."""

    def __init__(self, nlp: Language, rules_path: str | None):
        self.rules = load_rules(rules_path)

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._
        if ext.cues is None:  # set when the candidate check scanned the sentences already (nlp.extract)
            full, mentions = doc_text(doc, ext), ext.mentions or []
            cues, before, topic = [], [], []
            for s, e in split_sentences(full):
                cues.append(self.rules.sentence_cues(full[s:e], s, [_shift(m, s) for m in before]))
                inside = [m for m in mentions if s <= m["start"] < e]
                fields = itemgetter("start", "end", "label", "referee")
                before, topic = names_carried(before, topic, inside, full, fields)
            ext.cues = cues
        return doc


class OpennessComponent:
    """Shared sentence loop of the claims and signals components, over the cue component's sentences."""

    attr = ""
    analyse = None

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._families = None
        self._rules = None

    @property
    def rules(self) -> Rules:
        """The cue component's rules (its hits index their patterns)."""
        if self._rules is None:
            self._rules = self.nlp.get_pipe("openwatch_cues").rules
        return self._rules

    @property
    def families(self) -> dict[str, str]:
        """Model → family links of the entity component's knowledge base."""
        if self._families is None:
            kb = self.nlp.get_pipe("openwatch_entities").kb
            self._families = {e.name: e.family for e in kb.models() if e.family}
        return self._families

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._
        mentions, found = ext.mentions or [], []
        full = doc_text(doc, ext)
        for s, e, folded, hits, previous in ext.cues:
            if not hits:
                continue
            inside = [_shift(m, s) if s else m for m in mentions if s <= m["start"] < e]  # offsets in the sentence
            if self.rules.can_bind(folded, bool(inside), bool(previous)):
                for item in type(self).analyse(self.rules, folded, hits, inside, previous, self.families):
                    found.append({**item, "evidence": full[s:e], "start": s, "end": e})
        setattr(ext, self.attr, found)
        return doc


class ClaimComponent(OpennessComponent):
    attr = "claims"
    analyse = staticmethod(sentence_claims)


class SignalComponent(OpennessComponent):
    attr = "signals"
    analyse = staticmethod(sentence_signals)


@Language.factory("openwatch_entities", default_config={"kb_paths": None, "extras": True, "jieba_userdict": True,
                                                       "pretrained_ner": None})
def make_entities(nlp: Language, name: str, kb_paths: list[str] | None, extras: bool, jieba_userdict: bool,
                  pretrained_ner: str | None) -> EntityComponent:
    return EntityComponent(nlp, kb_paths, extras, jieba_userdict, pretrained_ner)


@Language.factory("openwatch_cues", default_config={"rules_path": None}, assigns=["doc._.cues"])
def make_cues(nlp: Language, name: str, rules_path: str | None) -> CueComponent:
    return CueComponent(nlp, rules_path)


@Language.factory("openwatch_claims", requires=["doc._.cues", "doc._.mentions"], assigns=["doc._.claims"])
def make_claims(nlp: Language, name: str) -> ClaimComponent:
    return ClaimComponent(nlp)


@Language.factory("openwatch_signals", requires=["doc._.cues", "doc._.mentions"], assigns=["doc._.signals"])
def make_signals(nlp: Language, name: str) -> SignalComponent:
    return SignalComponent(nlp)
