"""Knowledge-base matching: aliases in three scripts, word boundaries, case, unknown names, validation."""
import pytest

from nlp.kb import KBError, load_kb
from nlp.gates import lowers_exactly
from nlp.matcher import EntityMatcher


@pytest.fixture(scope="module")
def matcher():
    return EntityMatcher(load_kb(with_extras=False))


def names(matcher, text):
    from crawler.normalize import normalize

    return [(m.canonical, m.known) for m in matcher.find(normalize(text))]


def test_aliases_in_english_simplified_and_traditional(matcher):
    assert names(matcher, "微軟和谷歌,Meta 與 深度求索") == [("Microsoft", True), ("Google", True), ("Meta", True),
                                                        ("DeepSeek", True)]


def test_spelling_variants_and_sized_variants(matcher):
    assert [n for n, _ in names(matcher, "Llama-3 与 Llama3 70B 与 LLaMA 2")] == ["Llama 3", "Llama 3 70B", "Llama 2"]


def test_short_names_need_case_boundaries_and_context(matcher):
    assert names(matcher, "a meta-analysis of Flux capacitors in flux; Yi Zeng said") == []
    assert ("Yi", True) in names(matcher, "零一万物的 Yi 模型")
    assert names(matcher, "released under the MIT License") == []


def test_short_model_names_only_after_their_developer(matcher):
    assert names(matcher, "DeepSeek's new R1 and Mistral AI's Large 2") == [
        ("DeepSeek", True), ("DeepSeek-R1", True), ("Mistral AI", True), ("Mistral Large 2", True)]
    assert names(matcher, "the R1 visa; Meta's R1 robot; DeepSeek's R10") == [("Meta", True), ("DeepSeek", True)]
    # one with a digit also on its own after the developer's first mention; a word such as "Coder" only right after
    assert names(matcher, "R1 first. DeepSeek then shipped Coder and V3, and R1 too.") == [
        ("DeepSeek", True), ("DeepSeek-V3", True), ("DeepSeek-R1", True)]


def test_a_tier_after_a_model_is_a_name_of_its_own(matcher):
    assert names(matcher, "Claude 3 Opus, Gemini 2.5 Pro, GPT-4o mini and Doubao-1.5-pro") == [
        ("Claude 3 Opus", False), ("Gemini 2.5 Pro", False), ("GPT-4o mini", False), ("Doubao-1.5-pro", False)]
    found = {m.canonical: m.org for m in matcher.find("Claude 3 Opus")}
    assert found == {"Claude 3 Opus": "Anthropic"}  # the developer comes with it
    assert names(matcher, "Llama 3 Large language models") == [("Llama 3", True)]  # an adjective is no tier


def test_an_organization_s_shape_is_latin_only(matcher):
    assert names(matcher, "法國AI新創Mistral AI推出新模型") == [("Mistral AI", True)]  # not "AI新創Mistral AI"
    # on one line, and not from a quantifier: a byline's name and the next line's "Many AI" are none
    assert names(matcher, "By Hannah Cole\nMany AI models and Several Labs") == []
    assert names(matcher, "What 'Open Source AI' means") == []  # a phrase, not an organization


def test_unknown_models_and_orgs_by_shape(matcher):
    found = names(matcher, "Qwen2.5-7B 和 Zeta-3 模型, and Acme Robotics Labs")
    assert ("Qwen2.5-7B", False) in found and ("Zeta-3", False) in found
    assert ("Acme Robotics Labs", False) in found
    assert names(matcher, "COVID-19 and Windows 11 and an RTX 4090") == []


@pytest.mark.parametrize("text, expected", [
    ("Moonshot AI open-sourced Moonlight, a 16B mixture-of-experts model.", ("Moonlight", False)),
    ("The startup keeps its Reka Core model closed.", ("Reka Core", False)),
    ("MiniMax's Video-01 is only available through its API.", ("Video-01", False)),  # after a developer
])
def test_plain_names_that_their_context_makes_models(matcher, text, expected):
    assert expected in names(matcher, text)


@pytest.mark.parametrize("text", [
    "the Chinese model makers", "Hugging Face, a platform for models", "Apple's AirPlay 2 and The 5500M",
    "Mistral, a French startup whose flagship model", "輝達的Quantum-2 InfiniBand網路",
    "said Lena Vogt, a researcher who tracks model licenses", "published it on Thursday, a mixture-of-experts model",
])
def test_context_makes_no_model_of_common_words(matcher, text):
    assert [n for n, known in names(matcher, text) if not known] == []


def test_unknown_developer_comes_from_the_family(matcher):
    from crawler.normalize import normalize

    m = next(x for x in matcher.find(normalize("Qwen2.5-7B 发布")) if x.canonical == "Qwen2.5-7B")
    assert m.org == "Alibaba Cloud"


def test_extra_file_extends_without_code(tmp_path, monkeypatch):
    extra = tmp_path / "mine.yaml"
    extra.write_text("orgs:\n- {name: Acme AI, aliases: [艾克米]}\nmodels:\n- {name: Roadrunner-2, org: Acme AI}\n",
                     encoding="utf-8")
    monkeypatch.setenv("OPENWATCH_KB_EXTRA", str(extra))
    kb = load_kb()
    assert kb.problems() == []
    found = [(m.canonical, m.org) for m in EntityMatcher(kb).find("艾克米发布了 Roadrunner-2")]
    assert found == [("Acme AI", None), ("Roadrunner-2", "Acme AI")]


def test_validation_reports_duplicates_and_unknown_links(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n- {name: Foo, org: Nobody, family: Nothing, aliases: [GPT-4]}\n", encoding="utf-8")
    problems = load_kb([bad, *load_kb(with_extras=False).files], with_extras=False).problems()
    assert any("'GPT-4'" in p for p in problems)
    assert any("developer 'Nobody'" in p for p in problems) and any("family 'Nothing'" in p for p in problems)
    bad.write_text("models:\n- {nom: Foo}\n", encoding="utf-8")
    with pytest.raises(KBError, match="needs a 'name'"):
        load_kb([bad], with_extras=False)


@pytest.mark.parametrize("text", [
    "META 与 meta 与 Meta 发布 LLAMA 3 和 llama-3;DeepSeek 与 deepseek-v3。",
    "Café Mistral AI à Paris: MISTRAL LARGE 2 et Tülu 3 (TÜLU 3).",
    "Meta 与 Mıstral 与 Mıſtral AI: ſ and ı are case partners of s and i.",  # falls back to IGNORECASE
    "İstanbul: Gİthub, Σ ΣΑΣ Meta",  # İ lowers to two characters: falls back
])
def test_lower_cased_scan_finds_what_the_case_insensitive_regex_finds(matcher, text):
    assert matcher.lower_regex is not None
    assert matcher._alias_spans(text) == [m.span() for m in matcher.regex.finditer(text)]


def test_lowering_is_exact_only_without_special_case_pairs():
    assert lowers_exactly("Meta 与 LLaMA,Café", "Meta 与 LLaMA,Café".lower())
    assert not lowers_exactly("Mıſtral", "Mıſtral".lower())
    assert not lowers_exactly("İ", "İ".lower())


def test_a_version_after_a_name_the_shapes_cannot_extend(matcher):
    # several words, Chinese, lower case: the version is a name of its own, named after the entry
    assert names(matcher, "Stable Diffusion 3, 文心大模型4.5, 混元-A13B, gpt-oss-20b and 文心4.5 Turbo") == [
        ("Stable Diffusion 3", False), ("ERNIE 4.5", False), ("Hunyuan-A13B", False), ("gpt-oss-20b", False),
        ("ERNIE 4.5 Turbo", False)]
    # a version right after a known family's name (no space) is a name of its own
    assert names(matcher, "Qwen1.5 and Gemma3") == [("Qwen1.5", False), ("Gemma 3", True)]
    # a count, a date or a decimal's first digits are no version
    assert names(matcher, "Stable Diffusion 3 times; 混元3月发布") == [("Stable Diffusion", True), ("Hunyuan", True)]


def test_more_of_a_hyphenated_name_and_a_size_tier_extend_a_model(matcher):
    assert names(matcher, "DeepSeek-R1-Zero, DeepSeek-R1-Distill-Qwen-32B, Qwen3-235B-A22B and Llama-3-Taiwan-70B") == [
        ("DeepSeek-R1-Zero", False), ("DeepSeek-R1-Distill-Qwen-32B", False), ("Qwen3-235B-A22B", False),
        ("Llama-3-Taiwan-70B", False)]
    # words that describe a model are not part of its name; a capitalized tier is
    assert names(matcher, "GPT-4-level models, Llama-3-based tools, Stable Diffusion 3 Medium, Command R+") == [
        ("GPT-4", True), ("Llama 3", True), ("Stable Diffusion 3 Medium", False), ("Command R+", True)]
    assert names(matcher, "Gemma 2 Large Language Model") == [("Gemma 2", True)]


def test_mit_among_licence_words_is_the_licence_not_the_university(matcher):
    assert names(matcher, "最干净的一档:Apache 2.0 与 MIT。GLM-4.5 走 MIT 协议") == [("GLM-4.5", False)]
    assert names(matcher, "MIT researchers tested Llama 2") == [
        ("Massachusetts Institute of Technology", True), ("Llama 2", True)]
