"""Claims and signals of one sentence, from its entity mentions and the openness rules.

Subject resolution, in order: a name right after the cue ("开源模型 Gemma", "open-sourced
Large 2"), the first name in the cue's clause before it (or inside a signal span), the names
of the nearest earlier clause (not across a speech verb: "X 表示" makes X the speaker), and for
pronouns/该模型 before the cue the previous sentence (a quantified clause subject such as
"各主要参与者" binds nothing). Models win over organizations at each step (the
guidelines take the most specific subject); a family (Llama) gives way to a member of it
(Llama 3, also when only a sized variant Llama 3 8B is named) in the same or previous sentence;
an organization gives way to its model for licence-level findings ("request a license from
Meta" is about Llama 3); coordinated names ("OpenAI 和 Anthropic") share the claim. Referees
(OSI) are never subjects.

"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.rules import Rules
from nlp.sentences import pieces

_CLAUSE = re.compile(r"[,，;；:：]|\s(?=(?:while|whereas)\s)")
_COORD_WORD = re.compile(r"、|和|与|及|以及|\band\b|&|/|\bor\b|或|比|than|like|像", re.I)
# what may stand between two names that share a claim: a list, or "X, which, like Y,"
_COORD = re.compile(r"^\s*(?:(?:suite|family|series|models?|系列|模型)\s*)?(?:、|,|,?\s*(?:和|与|及|以及|and)|&|/|or|或)\s*"
                    r"(?:(?:the|its|their)\s+)?(?:(?:original|new|newer|latest|older|smaller|larger|first|earlier)\s+)?$"
                    r"|^\s*(?:models?\s*)?,?\s*(?:(?:which|that)\s*,\s*)?(?:just\s+)?like\s*$", re.I)
# a list that names a generic cue's members: "符合定义的模型, 包括 Pythia、OLMo", "open models such as Llama"
_LIST_INTRO = re.compile(r"\s*,?\s*(?:包括|包含|例如|比如|如|including|such as|like)\s*", re.I)
_MEMBERS_INTRO = re.compile(r"\s*,?\s*(?:包括|例如|比如|其中包括|including|such as|among them|notably)\s*", re.I)
_CONTRAST_BEFORE = re.compile(r"(?:\bunlike|不像|不同于|有别于|相比于?|compared (?:with|to))\s*$", re.I)
_SIZED = re.compile(r"\d+(?:\.\d+)?[BMT]$")
# findings about a licence or a release label belong to a model, not to its developer
RELEASE_STATE = {"weights_only", "api_only"}  # signals that, like stances, describe what a release is
# licence terms a sentence says are absent: "there are no user thresholds or acceptable use policies", "carries none of"
LICENCE_TERMS = {"usage_threshold", "use_restrictions", "non_commercial", "no_training_other_models"}
_ABSENT = re.compile(r"\b(?:there (?:are|is|were|was) no|(?:has|have|had|with|carr(?:y|ies|ied)) no|none of|free of|without any)"
                     r"\b[^.;,]{0,40}$|(?:没有任何|不含任何|不附带任何|没有附加任何)[^。,，;]{0,15}$", re.I)
_LICENSED = re.compile(r"licen[cs]|许可|协议|\bunder\b", re.I)  # an open cue that names the licence of a release
_LICENCE_OF = re.compile(r"\s*(?:licen[cs]e|许可|协议)", re.I)
_LICENSE_NAMED = re.compile(r"Apache|MIT|BSD|GPL")  # "the MIT licence means…" is that licence, never generic
MODEL_LEVEL = {"licensed", "usage_threshold", "no_training_other_models", "use_restrictions", "non_commercial",
               "license_not_open_source", "weights_only", "open_label_disputed", "disputed",
               "training_data_undisclosed", "training_process_undisclosed", "technical_details_undisclosed"}
_OWNER_OF = re.compile(r"(?:的|'s)(?:\s+own)?\s*$")
_WHEN_OF = re.compile(r"(?:去年|今年|\d{2,4}年)?(?:\d{1,2}月份?)?(?:推出|发布)?的\s*$")  # "Mistral 7B 和 12 月的 Mixtral"
_SINCE = re.compile(r"(?:自从?|\b(?:since|after|before))\s*$", re.I)
_SINCE_SPAN = re.compile(r"自从?[^,，。;；]{0,12}$")  # "自2019年开源 GPT-2 以来"
_SINCE_AFTER = re.compile(r"\s*(?:之?后|以来|起)")
_CHANNEL = re.compile(r"(?:通过|透过|经由|在|\bvia|\bthrough|\bin|\bon)\s*(?:the\s+)?$", re.I)
_CHANNEL_BEFORE = re.compile(r"通过|透过|经由|\bvia\b|\bthrough\b", re.I)
_CHANNEL_OWNER = re.compile(r"\s*(?:'s|’s|的)\s*(?:API|接口|云|平台|应用|app|service|platform|cloud)", re.I)
_CHANNEL_LIST = re.compile(r"(?:\s|API|接口|the|its|their|[\w.-]+(?:'s|’s|的)|和|与|及|、|and|or|,)*", re.I)
_LISTED = r"(?:[A-Za-z][\w.-]*(?: [A-Za-z0-9][\w.-]*){0,3}\s*(?:,|、|和|与|及|\band\b|\bor\b)\s*)*$"  # after others listed
_HOST_BEFORE = re.compile(r"(?:\b(?:on|onto)\s+|(?:在|于|到)\s*)" + _LISTED, re.I)
_HOST_TO = re.compile(r"(?:上传|发布|上线|推送)了?(?:至|到)了?\s*" + _LISTED)  # "权重已上传至 Hugging Face"
_BASE_BEFORE = re.compile(r"(?:基于|\b(?:based on|built on|built upon|derived from|fine-tuned from|distilled from|"
                          r"on top of)\s+)" + _LISTED, re.I)
_BASE_FRAME = (re.compile(r"以[^。,;]{0,12}$"), re.compile(r"\s*为(?:基础|底座|基座)"))  # "以 X 为基础"
_HOST_AFTER = re.compile(r"(?:\s*(?:和|与|及|、)\s*[A-Za-z\u4e00-\u9fff][\w.-]{0,20}(?: [A-Za-z][\w.-]*)*)*"  # "在 Hugging Face 和 GitHub 开源"
                         r"\s*(?:上|平台|社区|上线|上架|开源|发布|下载)")
_VERSION_WORD = re.compile(r"版本|型号|version|edition", re.I)
_FAMILY_WORD = re.compile(r"\s*(?:系列|家族|family|series|models\b)", re.I)
_SPEAKER_TRIM = re.compile(r"^(?:据|而|则|但|但是|此外|另外|同时|and|but|as)\s*|[「“\"”」]+"
                           r"|在[^,，。]{1,15}(?:时|中|上|期间)$"  # "李开复在接受采访时 称"
                           r"|(?<=\w\w)(?:曾经?|也|还|则|都|又|亦|早前|此前|日前|近日|一再|多次|再次)$", re.I)  # "李彦宏曾 表示"
_QUOTE_MARKS = re.compile(r"[「“\"”」'’]")


@dataclass
class Cue:
    start: int
    end: int
    generic: bool = False
    local: bool = False
    predicative: bool = False  # "X 是开源模型", "describes it as open": the subject comes before
    other_head: bool = False  # generic with a head that is no model ("开源社区"): binds only a name after it


@lru_cache(maxsize=256)
def _clauses(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of the sentence's clauses; each sentence is split once though many cues ask."""
    return tuple(pieces(_CLAUSE, text))


def _clause_index(clauses: list[tuple[int, int]], pos: int) -> int:
    return next((i for i, (s, e) in enumerate(clauses) if pos <= e), len(clauses) - 1)


_OF = re.compile(r"\s+(?:of|for)\s+(?:the\s+|its\s+)?(?=[A-Z])")
_VERB_FORM = re.compile(r"sourc(?:es|ing)$", re.I)
_COMPANY = re.compile(r"公司|company", re.I)
_BOTH = re.compile(r"两者|二者|两款模型|这两款|\bboth (?:models|of them|releases)\b", re.I)
_CONTRAST = re.compile(r"(?:与|和|跟)[^。,，;；]{1,50}?(?:不同|不一样)\s*[,，]|\bunlike\s+[^.,;]{1,40},(?!\s*(?:which|who|whose)\b)", re.I)
_JUDGE_BEFORE = re.compile(r"(?:\b(?:by|under|according to)\s+|(?:按照?|根据|依照|以)\s*)$", re.I)
_JUDGE_AFTER = re.compile(r"\s*(?:'s|’s|的)\s*(?:own\s+)?(?:standards?|definition|measure|reckoning|criteria|yardstick|标准|定义|尺度)",
                          re.I)
_APPOSITIVE_CLAUSE = re.compile(r"\s*(?:the|an?|its|their)\s+(?:[\w-]+\s+){0,3}(?:model|company|firm|lab|start-?up|developer|"
                                r"chatbot|system|maker|version|successor|family)\b", re.I)
# a "which" clause whose subject is the name it hangs on, and the way back to that name
_SUBJECT_RELATIVE = re.compile(r"\bwhich\s+(?:[\w-]+\s+){0,3}$", re.I)
_RELATIVE_AFTER = re.compile(r"\s*,\s*which\b", re.I)
_RELATIVE_CHAIN = re.compile(r"\s*,\s*(?:which\b[^,;]*\band\s+)?", re.I)
# what joins a name to a generic cue that describes it: "Gemini 1.5 Pro, a proprietary model", "Arctic, an open-source LLM"
_APPOSITIVE = re.compile(r"\s*,\s*(?:an?|its|their|the)\s+(?:[\w-]+\s+){0,3}")
# a pronoun that a generic subject names ("many reports call it open"), not its own ("各家都会将其模型开源")
_NAMED_PRONOUN = re.compile(r"(?:称|叫|视|列|评)(?:其|它)"
                            r"|\b(?:calls?|called|describes?|described|labels?|labell?ed)\s+(?:it|them)\b", re.I)
_FIRST_PERSON = re.compile(r"\bwe\b|\bour\b|我们|我司")  # a speaker's own company: '"We are a proprietary company," said …'
_PLURAL = re.compile(r"这些|它们|两者|二者|\b(?:they|their|these|those|both)\b", re.I)


def _prefer_models(cands: list[dict]) -> dict | None:
    models = [m for m in cands if m["label"] == "MODEL"]
    return (models or cands or [None])[0]


def _specialize(subject: dict, context: list[dict], families: dict, text: str) -> dict:
    """A family name gives way to a named member of it (Llama → Llama 3, also from Llama 3 8B: the most
    specific member that is no sized variant, so Llama 3.1 from Llama 3.1 405B), unless the text says
    it means the family ("Llama 系列")."""
    if subject["label"] != "MODEL" or re.search(r"\d", subject["canonical"]) \
            or _FAMILY_WORD.search(subject["text"]) or (subject["start"] >= 0 and _FAMILY_WORD.match(text, subject["end"])):
        return subject
    for m in context:
        if not m["canonical"].startswith(subject["canonical"]):
            continue
        chain = [m["canonical"]]
        while chain[-1] in families and families[chain[-1]] not in chain:
            chain.append(families[chain[-1]])
        if subject["canonical"] in chain[1:]:
            members = [c for c in chain[:chain.index(subject["canonical"])] if not _SIZED.search(c)]
            if members:
                return {**m, "canonical": members[0]}
    return subject


def _apposition(subject: dict, mentions: list[dict], text: str) -> dict:
    """A name followed closely by a more specific model of the same developer ("通义千问720亿参数模型
    Qwen-72B", "Llama 系列的最新版本 Llama 3 8B") stands for that model. A model with a version is
    specific already ("Qwen2-72B 则继续使用原有的通义千问许可协议" is about Qwen2-72B)."""
    if subject["label"] == "MODEL" and re.search(r"\d", subject["canonical"]):
        return subject
    nxt = next((m for m in mentions if m["start"] >= subject["end"]), None)
    gap = text[subject["end"]:nxt["start"]] if nxt else ""
    if (nxt is None or nxt["label"] != "MODEL" or len(gap) > (24 if _VERSION_WORD.search(gap) else 12)
            or _CLAUSE.search(text, subject["end"], nxt["start"]) or _COORD_WORD.search(text, subject["end"], nxt["start"])
            or _CHANNEL_BEFORE.search(gap)):  # "OpenAI 的模型只能通过 ChatGPT 使用": a channel, no apposition
        return subject
    same = subject["canonical"] == nxt.get("org") or (subject.get("org") and subject.get("org") == nxt.get("org"))
    return nxt if same and nxt["canonical"] != subject["canonical"] else subject


def _collapse_sizes(group: list[dict], families: dict) -> list[dict]:
    """Listed sizes of one model ("Llama 3 8B 和 Llama 3 70B") stand for that model (Llama 3)."""
    parents = {families.get(m["canonical"]) for m in group if _SIZED.search(m["canonical"])}
    if len(group) < 2 or len(parents) != 1 or None in parents or not all(_SIZED.search(m["canonical"]) for m in group):
        return group
    return [{**group[0], "canonical": parents.pop()}]


def _same_org(org: str | None, name: str) -> bool:
    """A model's developer is the organization named, or a unit of it (Alibaba Cloud for Alibaba)."""
    return org is not None and (org == name or org.startswith(name + " "))


def _own_model(subject: dict, nearest_first: list[dict], text: str) -> dict:
    """The organization's model that comes first in `nearest_first` (the caller's order: the sentence's
    models before the cue, nearest first, then those after it, then the earlier sentences', latest first:
    "华为此次只释出权重…，「盘古Pro MoE是开放权重」", "the Stability AI Community License … Stable Diffusion 3"),
    else the organization. A model named as a channel ("只能通过 ChatGPT 使用") or a point in time
    ("自 GPT-2 后") is no candidate."""
    if subject["label"] != "ORG":
        return subject

    def own(m: dict) -> bool:
        start = m["start"]
        return m["label"] == "MODEL" and _same_org(m.get("org"), subject["canonical"]) and not (
            start >= 0 and (_CHANNEL.search(text, max(0, start - 10), start) or time_reference(text, start, m["end"])
                            or _LICENCE_OF.match(text, m["end"])))  # "Alibaba's own Qwen licence" names a licence

    return next((m for m in nearest_first if own(m)), subject)


def names_carried(previous: list, topic: list, inside: list, text: str, fields) -> tuple[list, list]:
    """(previous, topic) after a sentence of `text` that names `inside` (Mention objects or dicts;
    `fields(m)` gives (start, end, label, referee)): `previous` is what the next sentence's pronouns point
    back to, the sentence's names, after the `topic` (first model) of the latest sentence naming a model
    when it names none. Names used as a point in time (time_reference), and models named as a base or a foil
    beside another model, are left out; a sentence naming no one else, or only a referee (OSI), changes nothing."""
    named = [m for m in inside if not time_reference(text, *fields(m)[:2])]
    if all(fields(m)[3] for m in named):
        return previous, topic
    spans = [dict(zip(("start", "end", "label"), fields(m)[:3])) for m in named]
    aside = [m for m, span in zip(named, spans)  # a base or a foil: "与以 Mistral 7B 为基础的 Breeze-7B 不同, Breeze 2…"
             if span["label"] == "MODEL" and (_base_model(text, span) or _contrasted(text, span, len(text)))]
    if any(fields(m)[2] == "MODEL" and m not in aside for m in named):
        named = [m for m in named if m not in aside]
    models = [m for m in named if fields(m)[2] == "MODEL"]
    return (named if models else topic + named), (models[:1] or topic)


def resolve_subject(rules: Rules, text: str, cue: Cue, mentions: list[dict],
                    previous: list[dict]) -> tuple[dict | None, float]:
    """The mention a cue is about, and how sure the resolution is."""
    clauses = _clauses(text)
    ci = _clause_index(clauses, cue.start)
    cs, ce = clauses[ci]
    gap_end, after_end = cue.end, ce
    of = _OF.match(text, cue.end)  # "has not released the weights of Grok 3"
    if of:
        gap_end = of.end()
    if cue.generic:  # "open models", "open code models": the members come after the head noun
        heads = [m.end() for m in (rules.generic_after.match(text, cue.end), rules.subject_head.match(text, cue.end)) if m]
        gap_end = max(heads, default=cue.end)
    # the members listed after the cue: "开源模型, 包括 X", "open models, including X" ("like X" only after a generic cue)
    listed = (_LIST_INTRO if cue.generic else _MEMBERS_INTRO).match(text, gap_end)
    if listed:
        gap_end, after_end = listed.end(), clauses[_clause_index(clauses, listed.end())][1]
    after = [m for m in mentions if gap_end <= m["start"] <= gap_end + 2 and m["start"] < after_end
             and not _is_channel(text, cs, m)]  # "只能通过 API 和 ChatGPT": a channel listed after the cue
    if after and not (cue.predicative and listed is None):  # "Qwen is more open than Llama": Qwen
        return _prefer_models(after), 0.9
    if cue.other_head:
        return None, 0.0
    # "… apart from o1, which R1 matches and which is available only through its API": o1, unless the
    # clause names its own subject after the cue
    head = _relative_head(text, cue.start, [m for m in mentions if m["start"] < cue.start])
    if head is not None and not any(cue.end <= m["start"] < ce and not _is_channel(text, cs, m) for m in mentions):
        return head, 0.85
    here = [m for m in mentions if cs <= m["start"] < cue.end
            and not _is_speaker(rules, text, m, cue.start, mentions)                  # "腾讯称它…"
            and not (m["start"] >= cue.start  # a channel: "只能通过 ChatGPT", "…通过 ChatGPT 与 OpenAI 的 API",
                     and (_CHANNEL.search(text, 0, m["start"]) or _CHANNEL_BEFORE.search(text, cue.start, m["start"])
                          or _CHANNEL_OWNER.match(text, m["end"])))]  # "仅提供阿里云的 API 服务"
    generic = rules.quantified.search(text, cs, cue.start)
    if generic and not any(m["start"] >= generic.end() for m in here) \
            and not _NAMED_PRONOUN.search(text, generic.end(), cue.start):  # "不少报道称其为开源模型": 其 is named
        return None, 0.0  # "各主要参与者都会将其…开源", "X found that many models are…": a generic subject
    pronoun = not here and rules.anaphora.search(text, cs, cue.start)  # "But it is not open source … the OSI"
    later = [] if cue.generic or cue.local or cue.predicative or pronoun else \
        [m for m in mentions if cue.end <= m["start"] < ce and not _is_channel(text, cs, m)]
    if pronoun:  # "X, OpenAI's model, … and it is only available via API": the sentence's first model
        models = [m for m in mentions if m["start"] < cue.start and m["label"] == "MODEL"]
        if models:
            return models[0], 0.7
    if here and cue.predicative:  # "Pythia was rated open while GPT-4 was rated closed": the nearest
        models = [m for m in here if m["label"] == "MODEL"]
        return (models or here)[-1], 0.9
    if here or later:  # the clause's topic (its first name), a model before an organization
        return _prefer_models(here + later), 0.9 if here else 0.7
    if cue.generic:  # an appositive: "Gemini 1.5 Pro, a proprietary model with…"
        named = [m for m in mentions if m["end"] <= cue.start and _APPOSITIVE.fullmatch(text, m["end"], cue.start)]
        if named:
            return named[-1], 0.8
    if cue.generic or cue.local:
        return None, 0.0
    # a pronoun in the cue's clause (or inside the cue: "calling it open"), or one the sentence starts
    # with ("该模型…", "协议规定, 若…"), points back
    points_back = rules.anaphora.search(text, cs, cue.end) or rules.anaphora.match(text)
    for j in range(ci - 1, -1, -1):
        s, e = clauses[j]
        if j and _APPOSITIVE_CLAUSE.match(text, s):  # "GPT-4o, the model behind ChatGPT, remains …": GPT-4o
            continue
        earlier = [m for m in mentions if s <= m["start"] < e and not _is_channel(text, s, m)]  # "只能透过 ChatGPT 使用"
        said = rules.speech.search(text, earlier[-1]["end"], e) if earlier else None
        if said:  # "X 表示, …": X is the speaker, not the subject; "Meta said the model …": it points back
            points_back = points_back or rules.anaphora.search(text, said.end(), cue.start)
            break
        if earlier:
            return _prefer_models(earlier), 0.75
        earlier_word = rules.anaphora.search(text, s, e)  # "…批评, 这类模型只是开放权重, 不能称为开源"
        if earlier_word and (points_back is None or _COMPANY.search(earlier_word.group())):
            points_back = earlier_word  # "he sued the company he co-founded, alleging that it had …": the company
    if points_back and previous:  # "the model", "it": the sentence's topic (first model); "these models": the
        word = points_back.group()  # nearest; "the company": an organization
        candidates = list(reversed(previous)) if _PLURAL.search(word) else previous
        if _COMPANY.search(word):
            candidates = [m for m in candidates if m["label"] == "ORG"] or candidates
        return _prefer_models(candidates), 0.6
    if _FIRST_PERSON.search(text.lower(), cs, cue.end):
        speaker = find_speaker(rules, text, mentions)
        org = next((m for m in mentions if m["label"] == "ORG" and m["canonical"] == speaker), None)
        if org is not None:
            return org, 0.6
    return None, 0.0


def _relative_head(text: str, cue_start: int, mentions: list[dict]) -> dict | None:
    """The name a "which is …" clause holding the cue hangs on: the name right before its ", which", or
    before the first "which" of a chain ("o1, which R1 matches … and which is available only …")."""
    rel = _SUBJECT_RELATIVE.search(text, max(0, cue_start - 40), cue_start)
    heads = [m for m in mentions if rel and m["end"] <= rel.start() and _RELATIVE_AFTER.match(text, m["end"])]
    if not heads or not _RELATIVE_CHAIN.fullmatch(text, heads[-1]["end"], rel.start()):
        return None
    return heads[-1]


def _is_speaker(rules: Rules, text: str, mention: dict, cue_start: int, mentions: list[dict]) -> bool:
    """A name right before a speech verb whose content names its own subject ("腾讯称它…", "Meta said
    Llama 3 …"); "X 宣布开源" keeps X as the subject."""
    pos = mention["end"]
    while pos < len(text) and text[pos].isspace():
        pos += 1
    verb = rules.speech.match(text, pos)
    return verb is not None and (any(verb.end() <= m["start"] < cue_start for m in mentions)
                                 or rules.anaphora.search(text, verb.end(), cue_start) is not None)


def _coordinated(subject: dict, mentions: list[dict], text: str) -> list[dict]:
    """The subject and the names listed with it ("OpenAI 和 Anthropic", "A、B and C", "Ai2 的 OLMo 和
    EleutherAI 的 Pythia": a model's owner between two listed models is skipped)."""
    group = [subject]
    ordered = sorted((m for m in mentions if m["label"] == subject["label"]), key=lambda m: m["start"])
    owners = [m for m in mentions if m["label"] != subject["label"]]
    i = next(k for k, m in enumerate(ordered) if m is subject)
    for step in (-1, 1):
        j, cur = i + step, subject
        while 0 <= j < len(ordered):
            nxt = ordered[j]
            a, b = (nxt["end"], cur["start"]) if step < 0 else (cur["end"], nxt["start"])
            between = text[a:b]
            for o in owners:
                if a <= o["start"] and o["end"] <= b:
                    between = between.replace(o["text"], "")
            if not _COORD.match(_OWNER_OF.sub("", _WHEN_OF.sub("", between))) \
                    or _CONTRAST_BEFORE.search(text, max(0, nxt["start"] - 12), nxt["start"]):
                break  # not listed with it, or set against it ("Unlike Llama 2, GPT-4 …")
            group.append(nxt)
            cur, j = nxt, j + step
    return group


def find_speaker(rules: Rules, text: str, mentions: list[dict]) -> str | None:
    """Who the sentence attributes its content to ("X 表示", "X said", "according to X")."""
    m = rules.speech.search(text)
    if not m:
        return None
    clauses = _clauses(text)
    cs, ce = clauses[_clause_index(clauses, m.start())]
    if m.group().lower().startswith("according") or not _QUOTE_MARKS.sub("", text[cs:m.start()]).strip():
        # "according to X", and '"…," said X': the speaker follows the verb
        after = [x for x in mentions if m.end() <= x["start"] < ce]
        return after[0]["canonical"] if after else (text[m.end():ce].strip() or None)
    orgs = [x for x in mentions if cs <= x["start"] < m.start() and x["label"] == "ORG"]
    if orgs:
        return orgs[-1]["canonical"]
    chunk = _SPEAKER_TRIM.sub("", text[cs:m.start()].strip()).strip()
    return chunk if 1 < len(chunk) <= 25 else None


def _overlaps(spans, s: int, e: int) -> bool:
    return any(s < b and a < e for a, b in spans)


def _concessions(rules: Rules, text: str) -> list[tuple[int, int]]:
    out = []
    for m in rules.concession_start.finditer(text):
        end = rules.concession_end.search(text, m.end())
        if end:
            out.append((m.start(), end.start()))
    return out


def _subject_fields(subject: dict) -> dict:
    org = subject["canonical"] if subject["label"] == "ORG" else subject.get("org")
    out = {"subject": subject["canonical"], "subject_type": "org" if subject["label"] == "ORG" else "model",
           "organization": org}
    if not subject.get("known", True):
        out["known"] = False
    return out


def _is_channel(text: str, clause_start: int, m: dict) -> bool:
    """A name in the list after 通过/via ("只能通过 API 和 ChatGPT 使用"), not after its verb."""
    via = [x for x in _CHANNEL_BEFORE.finditer(text, clause_start, m["start"])]
    return bool(via) and _CHANNEL_LIST.fullmatch(text, via[-1].end(), m["start"]) is not None


def time_reference(text: str, start: int, end: int) -> bool:
    """The name at text[start:end] as a point in time: "自 GPT-2 之后", "since GPT-2", "after GPT-2"."""
    if _SINCE_SPAN.search(text, max(0, start - 14), start) and _SINCE_AFTER.match(text, end):
        return True
    if not _SINCE.search(text, max(0, start - 8), start):
        return False
    return bool(_SINCE_AFTER.match(text, end)) or text[start - 1].isascii()


def _hosting(text: str, m: dict) -> bool:
    """An organization as the place a model is put: "available on Hugging Face", "在 GitHub 上线", "上传至 Hugging Face"."""
    start = m["start"]
    return m["label"] == "ORG" and start >= 0 and bool(
        _HOST_TO.search(text, max(0, start - 40), start)
        or (_HOST_BEFORE.search(text, max(0, start - 40), start)
            and (text[start - 1].isascii() or _HOST_AFTER.match(text, m["end"]))))


def _base_model(text: str, m: dict) -> bool:
    """A name as what another model is built from: "基于 Qwen 和 Llama 蒸馏的小模型", "based on Llama 2",
    "以 Llama 3 为基础"."""
    if m["start"] < 0:
        return False
    framed = _BASE_FRAME[0].search(text, max(0, m["start"] - 12), m["start"]) and _BASE_FRAME[1].match(text, m["end"])
    return bool(framed or _BASE_BEFORE.search(text, max(0, m["start"] - 40), m["start"]))


def _contrasted(text: str, m: dict, cue_start: int) -> bool:
    """A name in a contrast frame before the cue ("与半年前开源 Yi-34B 不同, 这一次…是闭源模型", "Unlike Llama, …")
    is what the subject differs from."""
    return any(frame.start() <= m["start"] and m["end"] <= frame.end() <= cue_start
               for frame in _CONTRAST.finditer(text, 0, cue_start + 1))


def _judge(text: str, m: dict) -> bool:
    """A name whose standard is applied: "by Ai2's standard it, too, is …", "按 OSI 的标准"."""
    return bool(_JUDGE_BEFORE.search(text, max(0, m["start"] - 14), m["start"]) and _JUDGE_AFTER.match(text, m["end"]))


def _subjects(rules, text, cue, mentions, previous, families, kind: str = ""):
    candidates = [m for m in mentions if not m.get("referee") and not time_reference(text, m["start"], m["end"])
                  and not _hosting(text, m) and not _base_model(text, m) and not _contrasted(text, m, cue.start)
                  and not _judge(text, m)]
    subject, conf = resolve_subject(rules, text, cue, candidates, [m for m in previous if not m.get("referee")])
    if subject is None and kind in rules.continued_signals and not mentions and previous \
            and rules.continuation.match(text):  # "但月活超过7亿的公司仍需单独申请许可"
        subject, conf = _prefer_models(previous), 0.5
    if subject is None:
        return [], 0.0
    if subject in candidates:
        subject = _apposition(subject, candidates, text)
    group = _collapse_sizes(_coordinated(subject, candidates, text) if subject in candidates else [subject], families)
    clauses = _clauses(text)
    if len(group) == 1 and _BOTH.search(text, clauses[_clause_index(clauses, cue.start)][0], cue.end):  # "两者均以…开源"
        named = {m["canonical"]: m for m in previous + [m for m in candidates if m["start"] < cue.start]
                 if m["label"] == "MODEL"}
        group = list(named.values())[-2:] if len(named) >= 2 else group
    if kind in MODEL_LEVEL:
        nearest_first = ([m for m in reversed(mentions) if m["start"] < cue.start]
                         + [m for m in mentions if m["start"] >= cue.end] + previous[::-1])
        group = [_own_model(s, nearest_first, text) for s in group]
    # a family named here is not specialized to a member named in a later clause ("混元此前一直闭源, 直到…才
    # 开源了 Hunyuan-Large"); one from the context is ("Meta 没有公开训练数据, Llama 3.1 只能算开放权重")
    clause_end = clauses[_clause_index(clauses, cue.end)][1]
    members = previous + [m for m in mentions if m["start"] < clause_end]
    return [_specialize(s, members if s in mentions else previous + mentions, families, text) for s in group], conf


def sentence_claims(rules: Rules, text: str, hits: list, mentions: list[dict], previous: list[dict],
                    families: dict | None = None) -> list[dict]:
    """Claims (subject, stance, speaker, confidence) asserted in one sentence, from its pattern matches
    (`Rules.hits`); offsets are the caller's."""
    gates = rules.literals.gates
    cues = [(rules.stance_of[gates[i]], start, end) for i, start, end in hits if gates[i] in rules.stance_of]
    if not cues or rules.question.search(text):
        return []
    hypothetical = rules.hypothetical.search(text)
    if hypothetical is None:
        asserted_until = len(text)
    else:  # from the start of the hypothetical's clause on, nothing is asserted
        clauses = _clauses(text)
        asserted_until = clauses[_clause_index(clauses, hypothetical.start())][0]
    names = [(m["start"], m["end"]) for m in mentions]
    taken = [m.span() for m in rules.neutral.finditer(text)]
    concessions = _concessions(rules, text)
    hedge = 0.15 if rules.hedge.search(text) else 0.0
    speaker = None
    out, seen = [], set()
    for stance, start, end in cues:
        if start >= asserted_until or _overlaps(taken, start, end) or any(  # "开放源代码促进会" is a name, not a cue
                s < end and start < e and not start <= s < e <= end for s, e in names):
            continue
        taken.append((start, end))
        if stance == "open" and (_overlaps(concessions, start, end)
                                 or rules.negation.search(text, max(0, start - 24), start)
                                 or rules.irrealis.search(text, max(0, start - 50), start)):
            continue
        if stance != "disputed" and (rules.topic_before.search(text, max(0, start - 4), start)
                                     or rules.topic_after.match(text, end)):
            continue  # "OSI 对开源 AI 的定义": a topic; "不是开源软件意义上的开源" still disputes
        predicative = bool(rules.copula_before.search(text, max(0, start - 8), start))
        generic = (stance != "disputed" and not predicative and not _VERB_FORM.search(text, start, end)
                   and not _LICENSE_NAMED.search(text, start, end)
                   and bool(rules.generic_after.match(text, end)))  # "open-sources nearly everything" is a verb
        cue = Cue(start, end, local=bool(rules.local.fullmatch(text[start:end])), predicative=predicative,
                  generic=generic, other_head=generic and not rules.subject_head.match(text, end))
        level = "licensed" if stance == "open" and _LICENSED.search(text, start, end) else stance
        subjects, conf = _subjects(rules, text, cue, mentions, previous, families or {}, level)
        for subject in subjects:
            if (subject["canonical"], stance) in seen or (stance == "open" and (subject["canonical"], "disputed") in seen):
                continue  # "X 并不是真正意义的开源, 至少不是…的开源": the open label is what is disputed
            seen.add((subject["canonical"], stance))
            if speaker is None:
                speaker = find_speaker(rules, text, mentions) or ""
            out.append({**_subject_fields(subject), "stance": stance, "speaker": speaker or None,
                        "cue": text[start:end], "confidence": round(max(0.1, conf - hedge), 2)})
    return out


def sentence_signals(rules: Rules, text: str, hits: list, mentions: list[dict], previous: list[dict],
                     families: dict | None = None) -> list[dict]:
    """Open-washing signals in one sentence, from its pattern matches (`Rules.hits`), each tied to its subject."""
    out, seen, matched = [], set(), {}
    if rules.question.search(text):
        return out  # "会否同样开放权重?" asks
    gates = rules.literals.gates
    for i, start, end in hits:  # in rule order
        if gates[i] in rules.signal_of:
            matched.setdefault(rules.signal_of[gates[i]], []).append((start, end))
    for rule, matches in matched.items():
        if rule.requires is not None and not rule.requires.search(text):
            continue
        for start, end in matches:
            if rule.signal in RELEASE_STATE and rules.irrealis.search(text, max(0, start - 50), start):
                continue  # "plans to release an open-weight model"
            if rule.signal in LICENCE_TERMS and _ABSENT.search(text, max(0, start - 50), start):
                continue
            subjects, _ = _subjects(rules, text, Cue(start, end), mentions, previous, families or {}, rule.signal)
            for subject in subjects:
                if rule.subject is not None and not rule.subject.search(subject["canonical"]):
                    continue
                if (subject["canonical"], rule.signal) not in seen:
                    seen.add((subject["canonical"], rule.signal))
                    out.append({**_subject_fields(subject), "signal": rule.signal, "cue": text[start:end]})
    return out
