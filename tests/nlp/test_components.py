"""Each rule on sentences of its own (simplified, traditional, English), through the real pipeline."""
import pytest

from nlp.extract import extract_docs


def run(nlp_pipeline, text):
    return extract_docs([text], nlp=nlp_pipeline)[0]


def claims(result):
    return {(c["subject"], c["stance"]) for c in result.claims}


def signals(result):
    return {(s["subject"], s["signal"]) for s in result.signals}


@pytest.mark.parametrize("text, expected", [
    ("阿里巴巴发布了通义千问的新版本,并宣布开源。", {("Qwen", "open")}),
    ("深度求索今天开源了 DeepSeek-V3,采用 MIT 许可证。", {("DeepSeek-V3", "open")}),
    ("谷歌推出了「开源」模型 Gemma。", {("Gemma", "open")}),
    ("月之暗面的 Kimi 目前仍然不开源。", {("Kimi", "closed")}),
    ("批評者認為,Llama 3 並不是真正的開源。", {("Llama 3", "disputed")}),
    ("Critics say Llama 2 is not truly open source.", {("Llama 2", "disputed")}),
    ("OpenAI keeps GPT-4 closed-source and proprietary.", {("GPT-4", "closed")}),
    ("OpenAI 和 Anthropic 都选择了闭源路线。", {("OpenAI", "closed"), ("Anthropic", "closed")}),
])
def test_stances(nlp_pipeline, text, expected):
    assert claims(run(nlp_pipeline, text)) == expected


@pytest.mark.parametrize("text", [
    "大模型到底应该开源还是闭源?",            # a question asserts nothing
    "开源模型最终将赶上 OpenAI。",            # generic "open-source models", OpenAI is no subject
    "OSI 正在制定开源人工智能的定义。",         # a definition being written is a topic, not a claim
    "Should Meta open source Llama 4?",
])
def test_no_claim(nlp_pipeline, text):
    assert claims(run(nlp_pipeline, text)) == set()


def test_concession_keeps_only_the_main_clause(nlp_pipeline):
    result = run(nlp_pipeline, "尽管 Llama 2 可以免费下载,但它不在传统的开源许可范围内。")
    assert claims(result) == {("Llama 2", "disputed")}


def test_subject_from_previous_sentence(nlp_pipeline):
    result = run(nlp_pipeline, "百度昨天发布了文心一言。该模型不开源。")
    assert ("ERNIE Bot", "closed") in claims(result)


def test_speaker_and_evidence_offsets(nlp_pipeline):
    text = "开场白。Meta 表示,Llama 3 是开源的。"
    result = run(nlp_pipeline, text)
    claim = next(c for c in result.claims if c["subject"] == "Llama 3")
    assert claim["speaker"] == "Meta" and claim["organization"] == "Meta"
    assert result.text[claim["start"]:claim["end"]] == claim["evidence"] == "Meta 表示,Llama 3 是开源的。"


@pytest.mark.parametrize("text, expected", [
    ("Meta 的许可证禁止使用 Llama 2 训练其他语言模型。", ("Llama 2", "no_training_other_models")),
    ("月活跃用户超过 7 亿的公司使用 Llama 3 必须向 Meta 申请许可。", ("Llama 3", "usage_threshold")),
    ("OpenAI 只能通过 API 提供 GPT-4。", ("GPT-4", "api_only")),
    ("OpenAI did not disclose the training data of GPT-4.", ("GPT-4", "training_data_undisclosed")),
    ("Mistral 的模型仅供研究用途,禁止商用。", ("Mistral AI", "non_commercial")),
    ("Musk said OpenAI should be renamed ClosedAI.", ("OpenAI", "open_name_closed_practice")),
])
def test_signals(nlp_pipeline, text, expected):
    assert expected in signals(run(nlp_pipeline, text))


def test_open_name_signal_needs_an_open_brand(nlp_pipeline):
    assert not any(s["signal"] == "open_name_closed_practice"
                   for s in run(nlp_pipeline, "Mistral AI 不再开源其旗舰模型。").signals)


def test_spacy_pipeline_sets_entities_and_claims(nlp_pipeline):
    doc = nlp_pipeline("谷歌发布了 Gemma。腾讯的混元大模型不开源。")
    assert {(e.kb_id_, e.label_) for e in doc.ents} >= {("Google", "ORG"), ("Gemma", "MODEL"), ("Hunyuan", "MODEL")}
    assert ("Hunyuan", "closed") in {(c["subject"], c["stance"]) for c in doc._.claims}
    assert [d._.claims for d in nlp_pipeline.pipe(["腾讯的混元大模型不开源。"])][0][0]["stance"] == "closed"


def test_two_processes_give_the_same_results(nlp_pipeline):
    texts = ["腾讯的混元大模型不开源。该公司称其训练数据未公开。", "Critics say Llama 2 is not truly open source.",
             "OpenAI 只能通过 API 提供 GPT-4。"] * 3
    one = extract_docs(texts, nlp=nlp_pipeline)
    two = extract_docs(texts, nlp=nlp_pipeline, n_process=2, batch_size=2)
    assert [(r.claims, r.signals, [m.as_json() for m in r.entities]) for r in two] == \
        [(r.claims, r.signals, [m.as_json() for m in r.entities]) for r in one]
    assert any(r.claims for r in one)


def test_an_installed_pipeline_can_add_organizations(tmp_path):
    """`pretrained_ner` loads any spaCy pipeline (here a small one saved to disk) and adds its ORG entities."""
    import spacy

    from nlp import load_pipeline

    other = spacy.blank("zh")
    other.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "星火智算"}])
    other.to_disk(tmp_path / "ner")
    with_ner = load_pipeline(str(tmp_path / "ner"))
    result = extract_docs(["星火智算宣布开源了自己的模型。"], nlp=with_ner)[0]
    assert ("星火智算", "ORG") in {(m.canonical, m.label) for m in result.entities}
    assert ("星火智算", "open") in claims(result)


def test_later_sentences_keep_their_article_offsets_and_pronouns(nlp_pipeline):
    """Candidate sentences travel together in one doc per article; what they yield lands back at the
    article's offsets, and a pronoun still finds the names of a sentence that was no candidate."""
    text = ("开场白。百度昨天发布了文心一言。发布会在北京举行。该模型不开源。"
            "Meta 表示,Llama 3 是开源的。据报道,华芯公司宣布开源其模型。")
    result = run(nlp_pipeline, text)
    assert {("ERNIE Bot", "closed"), ("Llama 3", "open")} <= claims(result)
    for item in result.claims + result.signals:
        assert result.text[item["start"]:item["end"]] == item["evidence"]
    assert all(result.text[m.start:m.end] == m.text for m in result.entities)
    assert ("华芯", False) in {(m.canonical, m.known) for m in result.entities}  # found by the segmented pass
    doc = nlp_pipeline(text)  # the whole text as one doc: the same claims
    assert {(c["subject"], c["stance"]) for c in doc._.claims} == claims(result)
