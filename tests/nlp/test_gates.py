"""Literal gates and candidate sentences: which patterns a sentence can match (one scan, no shared
state), and which sentences can hold a finding with a subject."""
import re
from concurrent.futures import ThreadPoolExecutor

from nlp.gates import Gated, Literals, required_literals
from nlp.rules import load_rules


def test_required_literals_of_alternations_and_repeats():
    assert required_literals(r"(?:不是|并非)\s*开源") == ({"不是", "并非"}, {"开源"})  # one of each set
    assert required_literals(r"closed|ClosedAI") == ({"closed"},)  # "closedai" already holds "closed"
    assert required_literals(r"\w+ model") == ({" model"},)
    assert required_literals(r"(?:rated|deemed)\s*(?:as\s+)?open") == ({"rated", "deemed"}, {"open"})
    assert required_literals(r"(?:a|b)x") == ()  # single characters filter nothing
    assert required_literals(r"[a-z]+") == ()


def test_a_pattern_is_active_only_with_a_literal_of_each_set():
    gates = [Gated.compile(p) for p in (r"(?:评为|列为)\s*开源", r"开源")]
    literals = Literals(gates)
    assert literals.active("被评为开源模型") == (gates[0], gates[1])
    assert literals.active("开源模型") == (gates[1],)
    assert literals.active("被评为最佳") == ()


def test_active_finds_overlapping_and_nested_literals_in_rule_order():
    gates = [Gated.compile(p) for p in (r"许可证?", r"开源\S*许可", r"源许", r"open weights", r"ab|bc")]
    literals = Literals(gates)
    assert literals.active("这是开源许可") == (gates[0], gates[1], gates[2])  # 源许 overlaps 开源 and 许可
    assert literals.active("Open Weights only") == (gates[3],)  # case-folded
    assert literals.active("abc") == (gates[4],)
    assert literals.active("xbc") == (gates[4],)
    assert literals.active("no cue here") == ()


def test_active_answers_each_caller_for_its_own_text_across_threads():
    gates = [Gated.compile(p) for p in (r"开源", r"closed", r"weights")]
    literals = Literals(gates)
    texts = ["开源模型", "a closed model", "open weights", "无关"] * 200
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(literals.active, texts))
    assert answers == [(gates[0],), (gates[1],), (gates[2],), ()] * 200


def test_candidate_needs_a_cue_and_a_subject_it_can_bind():
    rules = load_rules()
    before = [{"text": "Llama 3", "label": "MODEL", "canonical": "Llama 3", "start": -20, "end": -13}]
    assert rules.candidate_cues("Meta 称 Llama 3 是开源模型。", names=True, previous=[])
    assert rules.candidate_cues("Meta 发布了新模型。", names=True, previous=[]) is None  # no cue
    assert rules.candidate_cues("它并不是真正的开源模型。", names=False, previous=before)  # a pronoun: the names before
    assert rules.candidate_cues("它并不是真正的开源模型。", names=False, previous=[]) is None
    assert rules.candidate_cues("开源模型越来越多。", names=False, previous=before) is None  # no name, no pronoun


def test_candidate_cues_hold_every_match_in_rule_order_on_the_folded_sentence():
    rules = load_rules()
    start, end, folded, hits, previous = rules.candidate_cues("该模型透过 API 提供,不开源。", names=True, previous=[],
                                                              start=5)
    assert (start, end, previous) == (5, 5 + len("该模型透过 API 提供,不开源。"), [])
    assert folded == "该模型通过 API 提供,不开源。"  # Taiwan vocabulary folded, same length
    gates = rules.literals.gates
    assert hits and [i for i, _, _ in hits] == sorted(i for i, _, _ in hits)
    assert {rules.stance_of.get(gates[i]) for i, _, _ in hits} >= {"closed"}  # 只能通过 … 提供, 不开源
    assert all(gates[i].pattern.match(folded, s) and gates[i].pattern.match(folded, s).end() == e for i, s, e in hits)
    sentence = "Meta 开源了 Llama 3。"
    assert rules.sentence_cues(sentence, 7) == [7, 7 + len(sentence), sentence, rules.hits(sentence), []]


def test_lower_pattern_matches_like_ignorecase_on_lower_cased_text():
    from nlp.gates import lower_pattern, lowers_exactly

    pattern = r"(?:only|仅)\s+(?:via|通过)\s*[A-Z]+\b|API[- ]only|\bOSI\b[^。]{0,5}"
    lowered = lower_pattern(pattern)
    assert lowered.pattern == r"(?:only|仅)\s+(?:via|通过)\s*[a-z]+\b|api[- ]only|\bosi\b[^。]{0,5}"  # \s, \b kept
    for text in ("Only via API, API-only 通过 OSI 批准", "仅 通过 ChatGPT,osi 未批准", "Café ONLY VIA APP"):
        assert lowers_exactly(text, text.lower())
        assert [m.span() for m in lowered.finditer(text.lower())] == \
            [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]


def test_lower_pattern_refuses_what_lowering_could_change():
    from nlp.gates import lower_pattern, lowers_exactly

    assert lower_pattern(r"(?-i:[a-z]{2,})") is None  # inline flags
    assert lower_pattern(r"[À-Þ]") is None  # a cased range that is not A-Z
    assert lower_pattern(r"\x41PI") is None  # a cased character by its code
    assert lower_pattern(r"(a)\1") is None  # a back-reference
    assert not lowers_exactly("Mıſtral", "Mıſtral".lower())  # ı ~ i and ſ ~ s under IGNORECASE
