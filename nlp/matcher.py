"""Fast character-level entity matching over whole articles, without segmentation.

`EntityMatcher.find(text)` returns non-overlapping mentions of knowledge-base aliases (one
regex compiled from a trie of all alias variants, so each text position costs a few
character tests), of a model's short name after its developer ("DeepSeek's R1", "深度求索的 V3")
and of unknown names recognised by their shape (`nlp.shapes`).
Text must be normalized (NFKC, simplified Chinese) like the aliases are.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from nlp.gates import lowers_exactly, trie_regex
from nlp.kb import Entry, KnowledgeBase
from nlp.shapes import find_unknown

_ALNUM = re.compile(r"[A-Za-z0-9]")
_YEAR = re.compile(r"(?:19|20)\d\d")
_POSSESSIVE = re.compile(r"['’]s\s+(?:new\s+|latest\s+)?|的")
_NAME_AFTER = re.compile(r"\s*[A-Z]")


_LATIN = re.compile(r"[A-Za-z]")
_CJK_LATIN = re.compile(r"(?<=[\u4e00-\u9fff])\s*(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])\s*(?=[\u4e00-\u9fff])")
_MODEL_CUE_AFTER = re.compile(r"\s*(?:[-\s]?[A-Z]?\d|模型|大模型|系列|语言模型|models?\b|LLMs?\b|聊天机器人|chatbot)", re.I)
_MODEL_CUE_BEFORE = re.compile(r"(?:模型|models?|LLM)\s*$", re.I)
_LICENSE_AFTER = re.compile(r"\s*-?(?:licen[cs](?:e|ed|ing)|terms\b|许可|授权|协议|开源协议)", re.I)
_LICENSE_BEFORE = re.compile(r"\bunder\s+(?:the\s+|an?\s+)?(?:same\s+)?$", re.I)  # "is under MIT"
# an organization named like a licence (MIT) among licence words is the licence: "Apache 2.0 与 MIT", "走 MIT"
_LICENSE_NAME = re.compile(r"MIT|Apache|BSD|GPL")
_LICENSE_NEAR = re.compile(r"licen[cs]|许可|授权|协议|Apache|GPL|BSD|开源|open[- ]source", re.I)
# a version after a known name: "3", " 3.5", "4.5", "-A13B", "X1", "-V2", with a size: "-7B"
_VERSION_AFTER = re.compile(r"(?:[- ]?[Vv]?\d+(?:\.\d+)*[BMTbmt]?|-?[A-Z]\d+[A-Z]?)(?:[- ]?\d+(?:\.\d+)?[BMTbmt])?"
                            r"(?![A-Za-z0-9%年月日号万亿个款]|\.\d)(?!\s+(?:times|percent|per|years?|months?|weeks?|days?|"
                            r"hours?|million|billion|thousand|points?|people|users)\b)")
# a tier or variant word after a model's name and version ("Claude 3 Opus", "Gemini 2.5 Pro", "GPT-4o mini";
# right after a Chinese name: "混元Turbo")
_TIER = re.compile(r"(?:[- ]?(?:Pro|Flash|Ultra|Nano|Max|Mini|Turbo|Opus|Sonnet|Haiku|Lite|Plus|Air|Instruct|Chat|Coder|"
                   r"Thinking|Preview|Vision|VL|MoE|Code|(?:Small|Medium|Large)(?!\s+(?:[Ll]anguage|[Mm]odels?)\b))|-(?:pro|mini|turbo|flash|lite|max|plus|chat|instruct)| mini)+(?![A-Za-z0-9])")
# more of a hyphenated model name after a known one ("DeepSeek-R1-Zero", "DeepSeek-R1-Distill-Qwen-32B",
# "Qwen3-235B-A22B"): parts with a capital or a digit, or a variant word; "-based", "-level" describe it
_SUFFIX = re.compile(r"(?:-(?:[A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?:\.\d+)*|instruct|chat|base|distill|zero|it|hf))+"
                     r"(?![A-Za-z0-9]|-[a-z])")
# what joins a developer to its model's short name: "DeepSeek's new R1", "深度求索发布的 V3", "DeepSeek released R1"
_OWNER_JOIN = (r"\s*(?:'s|’s|的|(?:发布|推出|开源)[了的]|旗下的?|\s(?:released|launched|unveiled|open-sourced))?"
               r"\s*(?:new\s+|latest\s+|own\s+|最新的?|新)?\s*")


@dataclass
class Mention:
    start: int
    end: int
    text: str
    canonical: str
    label: str  # ORG | MODEL
    known: bool = True
    org: str | None = None  # a model's developer
    referee: bool = False  # an org that judges openness (OSI), never a claim's subject

    def as_json(self) -> dict:
        out = {"text": self.text, "label": self.label, "canonical": self.canonical,
               "start": self.start, "end": self.end}
        if not self.known:
            out["known"] = False
        return out

    def as_context(self, offset: int = 0) -> dict:
        """The dict the claim and signal rules read, with offsets relative to `offset`."""
        return {"text": self.text, "label": self.label, "canonical": self.canonical, "start": self.start - offset,
                "end": self.end - offset, "org": self.org, "known": self.known, "referee": self.referee}


def case_sensitive(alias: str) -> bool:
    """Short Latin names without digits (Meta, Yi, Flux, MIT) must match their exact case."""
    return bool(_LATIN.search(alias)) and not re.search(r"\d", alias) and len(alias) < 7


def variants(alias: str) -> set[str]:
    """Spellings of one alias seen in text: Llama 3 / Llama-3 / Llama3; AI Now 研究所 / AI Now研究所."""
    from crawler.normalize import normalize

    alias = normalize(alias).strip()
    out = {alias}
    parts = re.split(r"[\s\-]+", alias)
    if 1 < len(parts) <= 4 and _LATIN.search(alias):  # every mix of " ", "-" and "" between the parts
        for seps in itertools.product((" ", "-", ""), repeat=len(parts) - 1):
            out.add(parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:])))
    out |= {_CJK_LATIN.sub(sep, v) for v in list(out) for sep in ("", " ")}
    return {v for v in out if len(v) >= 2 or not _LATIN.search(v)}


class EntityMatcher:
    """Alias lookup for one knowledge base, plus unknown-name shapes."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.by_key: dict[str, list[tuple[Entry, str | None]]] = {}
        for entry in kb.entries.values():
            for alias in entry.all_names():
                for v in variants(alias):
                    exact = v if case_sensitive(v) else None
                    slot = self.by_key.setdefault(v.casefold(), [])
                    if (entry, exact) not in slot:
                        slot.append((entry, exact))
        self.regex = re.compile(trie_regex(sorted(self.by_key)), re.IGNORECASE)
        # the same words case-sensitively, for lower-cased text: several times faster than IGNORECASE
        plain = all(k == k.lower() and lowers_exactly(k, k) for k in self.by_key)
        self.lower_regex = re.compile(trie_regex(sorted(self.by_key))) if plain else None
        self.short_names = self._short_names()
        self.developers = {self.developer(e) for e in kb.models()} - {None}

    def _short_names(self) -> dict[str, tuple[re.Pattern, re.Pattern | None, dict[str, str]]]:
        """Per developer, its models' names without the developer's name in front (DeepSeek-R1 → R1,
        Mistral Large 2 → Large 2): a regex for them right after the developer, one for those with a
        digit on their own (None if there are none), and short name → model."""
        shorts: dict[str, dict[str, str]] = {}
        for entry in self.kb.models():
            owner = self.kb.get("org", self.developer(entry) or "")
            for prefix in owner.all_names() if owner else ():
                for name in entry.all_names():
                    rest = name[len(prefix):].lstrip(" -") if name.startswith(prefix) else ""
                    if len(rest) >= 2 and _LATIN.match(rest):
                        shorts.setdefault(owner.name, {}).setdefault(rest, entry.name)

        def alternatives(names) -> str:
            return "(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + ")(?![A-Za-z0-9])"

        out = {}
        for org, names in shorts.items():
            numbered = [n for n in names if re.search(r"\d", n)]
            out[org] = (re.compile(_OWNER_JOIN + alternatives(names)),
                        re.compile("(?<![A-Za-z0-9.-])" + alternatives(numbered)) if numbered else None, names)
        return out

    def _alias_spans(self, text: str) -> list[tuple[int, int]]:
        """Where an alias occurs, case-insensitively (on lower-cased text when that is exactly the same)."""
        lowered = text.lower()
        if self.lower_regex is not None and lowers_exactly(text, lowered):
            return [m.span() for m in self.lower_regex.finditer(lowered)]
        return [m.span() for m in self.regex.finditer(text)]

    def _accept(self, text: str, start: int, end: int) -> Entry | None:
        found = text[start:end]
        if _ALNUM.match(found[0]) and start > 0 and _ALNUM.match(text[start - 1]):
            return None
        if _ALNUM.match(found[-1]) and end < len(text) and _ALNUM.match(text[end]):
            return None
        for entry, exact in self.by_key.get(found.casefold(), ()):
            if exact is not None and exact != found:
                continue
            if entry.kind == "org" and (_LICENSE_AFTER.match(text, end) or (
                    _LICENSE_NAME.fullmatch(found) and (_LICENSE_NEAR.search(text, max(0, start - 40), end + 40)
                                                        or _LICENSE_BEFORE.search(text, max(0, start - 20), start)))):
                continue  # "MIT License", "Apache 2.0 许可" name a licence, not the organization
            if entry.context and not (_MODEL_CUE_AFTER.match(text, end)
                                      or _MODEL_CUE_BEFORE.search(text, max(0, start - 8), start)
                                      or self._after_owner(text, start, entry)):
                continue
            return entry
        return None

    def _after_owner(self, text: str, start: int, entry: Entry) -> bool:
        """The name follows its developer ("OpenAI's o3", "OpenAI 的 o3")."""
        owner = self.kb.get("org", self.developer(entry) or "")
        return owner is not None and any(
            re.search(re.escape(name) + _OWNER_JOIN + "$", text[max(0, start - len(name) - 30):start])
            for name in owner.all_names())

    def developer(self, entry: Entry) -> str | None:
        seen = set()
        while entry is not None and entry.name not in seen:
            if entry.org:
                return entry.org
            seen.add(entry.name)
            entry = self.kb.get("model", entry.family) if entry.family else None
        return None

    def known(self, text: str) -> list[Mention]:
        out = []
        for start, end in self._alias_spans(text):
            entry = self._accept(text, start, end)
            if entry is not None:
                out.append(Mention(start, end, text[start:end], entry.name,
                                   "ORG" if entry.kind == "org" else "MODEL",
                                   org=self.developer(entry) if entry.kind == "model" else None,
                                   referee=entry.referee))
        return out

    def _prefixes(self, name: str):
        """(entry, rest of the name) for the KB name that starts an unknown name, at a word boundary or
        right before a digit ("Qwen" in Qwen1.5)."""
        for m in self.regex.finditer(name):
            if m.start() == 0:
                rest = name[m.end():]
                entry = self._accept(name[:m.end()] if rest[:1].isdigit() else name, 0, m.end())
                if entry is not None:
                    yield entry, rest

    def _developer_prefix(self, name: str) -> str | None:
        """The KB developer of models whose name starts an unknown model name before a hyphen or a digit
        (Baichuan-7B, MiniMax-Text-01), so the name is a model of theirs, not the organization."""
        return next((e.name for e, rest in self._prefixes(name) if e.kind == "org" and e.name in self.developers
                     and rest[:1] in ("-", *"0123456789") and not _YEAR.fullmatch(rest.lstrip("-"))), None)

    def _possessor(self, text: str, mentions: list[Mention], u: Mention) -> str | None:
        """The KB developer whose possessive comes right before a name ("MiniMax's Video-01"), unless the
        name qualifies a product word that follows ("輝達的Quantum-2 InfiniBand")."""
        if _NAME_AFTER.match(text, u.end):
            return None
        return next((m.canonical for m in mentions if m.label == "ORG" and m.known and m.canonical in self.developers
                     and _POSSESSIVE.fullmatch(text, m.end, u.start)), None)

    def family_of(self, name: str) -> Entry | None:
        """The KB model whose name starts an unknown model name (Qwen2.5-7B → Qwen2.5, Qwen1.5 → Qwen)."""
        return next((e for e, _ in self._prefixes(name) if e.kind == "model"), None)

    def short_name_mentions(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """Models named by a short name after their developer: right after it ("DeepSeek's R1", "深度求索
        发布的 V3", any short name), or anywhere after its first mention if the short name holds a digit
        ("DeepSeek … R1 is only open weights"; "Coder" or "Large" alone are words)."""
        out: list[Mention] = []
        first: dict[str, Mention] = {}
        for org in mentions:
            if org.label == "ORG" and org.canonical in self.short_names:
                first.setdefault(org.canonical, org)
                after, _, models = self.short_names[org.canonical]
                found = after.match(text, org.end)
                if found:
                    out.append(Mention(found.start(1), found.end(1), found.group(1), models[found.group(1)], "MODEL",
                                       org=org.canonical))
        for org in first.values():
            _, numbered, models = self.short_names[org.canonical]
            for found in numbered.finditer(text, org.end) if numbered else ():
                out.append(Mention(found.start(1), found.end(1), found.group(1), models[found.group(1)], "MODEL",
                                   org=org.canonical))
        kept: list[Mention] = []
        for m in sorted(out, key=lambda m: m.start):
            if not any(x.start < m.end and m.start < x.end for x in mentions + kept):
                kept.append(m)
        return kept

    def find(self, text: str) -> list[Mention]:
        """Known and unknown mentions, non-overlapping, a longer unknown name winning over a KB prefix."""
        mentions = self.known(text)
        mentions = sorted(mentions + self.short_name_mentions(text, mentions), key=lambda m: m.start)
        for u, weak in find_unknown(text):
            covered = [m for m in mentions if m.start < u.end and u.start < m.end]
            owner = self._developer_prefix(u.text) if u.label == "MODEL" else None
            if all(u.start <= m.start and m.end <= u.end and (m.end - m.start) < (u.end - u.start)
                   and (m.label == u.label or m.canonical == owner) for m in covered):
                family = self.family_of(u.text) if u.label == "MODEL" else None
                owner = owner or (self._possessor(text, mentions, u) if weak and family is None else None)
                if weak and family is None and owner is None:
                    continue  # "Windows 11", "Top 10": a version only counts after a known family or developer
                u.org = self.developer(family) if family else owner
                mentions = [m for m in mentions if m not in covered] + [u]
        out: list[Mention] = []
        for m in sorted(mentions, key=lambda m: m.start):
            if out and m.start < out[-1].end:
                continue  # "Distill-Qwen-32B" inside "DeepSeek-R1-Distill-Qwen-32B"
            out.append(self._with_tier(text, self._with_suffix(text, self._with_version(text, m))))
        return out

    @staticmethod
    def _with_version(text: str, m: Mention) -> Mention:
        """A known model whose name the shapes cannot extend (several words, Chinese, lower case) followed
        by a version it has no entry for is that version, named after the entry ("Stable Diffusion 3",
        "文心大模型4.5" → ERNIE 4.5, "混元-A13B" → Hunyuan-A13B)."""
        version = _VERSION_AFTER.match(text, m.end) if m.label == "MODEL" and m.known and not m.text[-1].isdigit() \
            else None
        if version is None:
            return m
        suffix = version.group()
        canonical = m.canonical + ("" if suffix[0] in "- " else " ") + suffix
        return Mention(m.start, version.end(), text[m.start:version.end()], canonical, "MODEL", known=False, org=m.org)

    @staticmethod
    def _with_suffix(text: str, m: Mention) -> Mention:
        """A model followed by more of a hyphenated name is the longer model, named after it
        ("DeepSeek-R1-Zero", developer DeepSeek)."""
        suffix = _SUFFIX.match(text, m.end) if m.label == "MODEL" else None
        if suffix is None:
            return m
        # "Llama-3-Taiwan-70B" as written; a short name by its full one: "R1-Zero" → DeepSeek-R1-Zero
        base = m.text if m.text.isascii() and not m.canonical.endswith(m.text) else m.canonical
        return Mention(m.start, suffix.end(), text[m.start:suffix.end()], base + suffix.group(), "MODEL",
                       known=False, org=m.org)

    @staticmethod
    def _with_tier(text: str, m: Mention) -> Mention:
        """A model followed by a tier word is that tier, a name of its own outside the knowledge base
        ("Claude 3 Opus", developer Anthropic), so analysts see it among the unknown names."""
        tier = _TIER.match(text, m.end) if m.label == "MODEL" else None
        if tier is None:
            return m
        base = m.text if m.text.isascii() else m.canonical  # "Gemini 2.5 Pro"; "文心4.5 Turbo" → ERNIE 4.5 Turbo
        tier_text = text[m.end:tier.end()]
        name = base + ("" if tier_text[0] in " -" else " ") + tier_text  # "混元Turbo" → Hunyuan Turbo
        return Mention(m.start, tier.end(), text[m.start:tier.end()], name, "MODEL", known=False, org=m.org)
