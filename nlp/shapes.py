"""Unknown models and organizations recognised by their shape and context.

Models: a Latin name with a version or size (`Qwen2.5-72B`, `DeepSeek-V3`, `Llama3.1 405B`),
reported when a size is present or a model cue follows (模型, 大模型, model, LLM); a hyphenated
Latin name right after a model word (`语音模型 Step-Audio`); a plain name its context makes a model
(`its Reka Core model`, `Moonlight, a 16B mixture-of-experts model`).
Organizations: capitalised names ending in Inc./Labs/AI/Research/Foundation/Institute,
and "University of X". Chinese organizations are found on segmented sentences
(`nlp.components`), where jieba gives word boundaries.
"""
from __future__ import annotations

import re

_NAME = r"(?:[A-Z][a-z]+(?:[A-Z][A-Za-z]*)?|[A-Z]{2,}[a-z]*)"
# Each name's first capital comes before its look-behind, so `re` skips ahead to capitals instead of
# testing the look-behind at every character of a Chinese text.
_MODEL = re.compile(
    rf"(?P<name>[A-Z](?<![A-Za-z0-9.][A-Z])(?:[a-z]+(?:[A-Z][A-Za-z]*)?|[A-Z]+[a-z]*)(?:-{_NAME})?)"
    r"(?P<version>[- ]?[Vv]?\d+(?:\.\d+)*(?:x\d+)?(?P<vsize>[BMT](?![a-z]))?)"
    r"(?P<size>[- ]?\d+(?:\.\d+)?[BMT])?"
    r"(?P<variant>-(?:Instruct|Chat|Coder|Base|Turbo|Pro|Max|Mini|Plus|Flash|Lite|VL|Preview))?"
    r"(?![A-Za-z0-9])")
# a hyphenated Latin name right after a model word: "语音模型 Step-Audio", "the model Foo-Bar"
_AFTER_MODEL_WORD = re.compile(r"(?:模型|\bmodel)\s*(?P<name>[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)(?![A-Za-z0-9-])")
_CUE_AFTER = re.compile(r"\s*(?:大模型|模型|语言模型|models?\b|LLMs?\b)", re.I)
_CUE_BEFORE = re.compile(r"(?:模型|\bmodel)\s*$")  # "招牌模型Video-01"
# a capitalised name without a version that its context makes a model: "its Reka Core model",
# "Moonlight, a 16B mixture-of-experts model"
_PLAIN = r"[A-Z](?<![A-Za-z0-9.][A-Z])[A-Za-z0-9]+(?:[- ][A-Z][A-Za-z0-9]*){0,2}"
_NAMED_MODEL = re.compile(
    rf"\b(?:its|their|the|new|latest|flagship)\s+(?P<before>{_PLAIN})\s+(?:(?:language|foundation|reasoning)\s+)?"
    rf"(?:model|LLM)\b(?!-)"
    rf"|(?P<appos>{_PLAIN}),\s+(?:a|an|its|their)\s+(?:(?!(?:company|startup|lab|firm|maker|developer|platform|"
    rf"provider|service|hub|site|library|framework|tool|benchmark|dataset|whose|which|that|for|of|with|by|from|"
    rf"behind|and|or|to|in|on|at|who|researcher|analyst|professor|engineer|scientist|executive|spokes\w+)\b)[\w.-]+\s+){{0,4}}(?:model|LLM)\b(?!-)")
_NOT_NAMES = {"Chinese", "American", "French", "British", "European", "Japanese", "Korean", "Indian", "German",
              "Canadian", "Israeli", "Emirati", "Saudi", "Taiwanese", "Western", "English", "Open", "Closed",
              "Frontier", "Foundation", "Large", "Small", "New", "Base", "Reasoning", "Language", "Vision",
              "Source", "Weights", "Community", "Enterprise", "Business", "Research", "Free", "Monday",
              "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
              "April", "May", "June", "July", "August", "September", "October", "November", "December"}
_NOT_MODELS = {"COVID", "Windows", "iPhone", "iOS", "Android", "Python", "RTX", "USB", "CPU", "GPU", "HBM", "DDR",
               "Top", "No", "Vol", "Page", "Figure", "Fig", "Table", "Section", "Article", "Web", "Version",
               "Series", "Gen", "Level", "Phase", "Round", "Day", "Week", "Year", "Q", "AI", "API", "AGI", "LLM",
               "NLP", "Transformer", "MMLU", "HumanEval", "GSM", "ISO", "IEEE", "Apache", "MIT", "BSD", "GPL",
               "CC", "SB", "HTTP", "HTML", "EU", "US", "UK", "CEO", "CTO", "PhD", "Covid", "Xbox", "Office",
               "Linux", "Mac", "Intel", "Core", "Snapdragon", "PyTorch", "TensorFlow", "Galaxy", "Pixel", "The",
               "This", "That", "Pro", "LED", "Model", "Quest", "AirPlay"}
_NOT_PLAIN = _NOT_NAMES | _NOT_MODELS  # first words that make no plain model name
_ORG = re.compile(
    # Latin only ("AI新創Mistral AI" is no name), on one line ("By Hannah Cole\nMany AI models" is none)
    r"(?P<name>[A-Z](?<![A-Za-z0-9][A-Z])[A-Za-z0-9_&.'-]* (?:[A-Z][A-Za-z0-9_&.'-]* ){0,3}"
    r"(?:Inc\.?|Labs?|AI|Research|Foundation|Institute|Technologies|Corporation|Corp\.))(?![A-Za-z0-9])"
    # "Open Source AI Definition", "EU AI Act": the name of a document, not of an organization
    r"(?!\s+(?:Definition|Act|Index|Bill|Law|Standard|Framework|Principles|Summit|Report)\b)"
    r"|(?P<uni>U(?<![A-Za-z0-9]U)niversity of(?:\s[A-Z][a-z]+){1,3})")
_ORG_STOP = {"The", "A", "An", "Open", "Generative", "Artificial", "This", "That", "Our", "Their", "Its", "In",
             "For", "And", "Of", "With", "By", "Responsible", "Conversational", "Explainable", "Trustworthy",
             "Source", "Many", "Most", "Some", "All", "Several", "Other", "These", "Those", "Such", "Every", "Each",
             "Both", "Few", "More", "How", "Why", "What", "When", "Which"}


def find_unknown(text: str):
    """(mention, weak) pairs for names outside the knowledge base. A weak one, a bare name plus a
    version (`OLMo 2`), counts only as a version of a knowledge-base family."""
    from nlp.matcher import Mention

    for m in _MODEL.finditer(text):
        if m.group("name") in _NOT_MODELS or m.group("name").split("-")[0] in _NOT_MODELS:
            continue
        strong = bool(m.group("size") or m.group("vsize") or m.group("variant") or _CUE_AFTER.match(text, m.end())
                      or _CUE_BEFORE.search(text, max(0, m.start() - 8), m.start())
                      or m.group("version").lstrip("- ").startswith(("V", "v")))
        yield Mention(m.start(), m.end(), m.group(), m.group().strip(), "MODEL", known=False), not strong
    for m in _NAMED_MODEL.finditer(text):
        group = "before" if m.group("before") else "appos"
        name = m.group(group)
        if name.replace("-", " ").split()[0] not in _NOT_PLAIN and not _MODEL.fullmatch(name):
            yield Mention(m.start(group), m.end(group), name, name, "MODEL", known=False), False
    for m in _AFTER_MODEL_WORD.finditer(text):
        if not _MODEL.fullmatch(m.group("name")):  # names with a version were found above
            yield Mention(m.start("name"), m.end("name"), m.group("name"), m.group("name"), "MODEL", known=False), False
    for m in _ORG.finditer(text):
        name = m.group("name") or m.group("uni")
        words = name.split()
        while words and words[0] in _ORG_STOP:
            words.pop(0)
        if len(words) < 2 or any(w.endswith(("'s", "’s")) for w in words):
            continue  # "China's AI labs": a possessive, no name
        start = m.start() + name.index(words[0])
        yield Mention(start, m.end(), text[start:m.end()], " ".join(words), "ORG", known=False), False
