"""The selective tokenizer: jieba's words where an organization suffix needs them, exact offsets everywhere."""
import jieba
import pytest

TEXTS = [
    "智谱华章科技有限公司发布了 GLM-4,但是未公开训练数据。",
    "Meta 表示 Llama 3 开源, 清华大学 的研究人员 和 上海人工智能实验室 不同意。",
    "据 The Verge 报道,Mistral AI 与微软公司合作;  OpenAI Inc. 没有评论。",
    "百度、阿里巴巴集团和北京智源人工智能研究院都在 2024 年发布了模型。",
]


@pytest.mark.parametrize("text", TEXTS)
def test_doc_text_and_offsets_are_exact(nlp_pipeline, text):
    doc = nlp_pipeline.make_doc(text)
    assert doc.text == text
    assert all(text[t.idx:t.idx + len(t.text)] == t.text for t in doc)


@pytest.mark.parametrize("text", TEXTS)
def test_blocks_with_an_org_suffix_get_the_words_jieba_gives_the_whole_text(nlp_pipeline, text):
    tokenizer = nlp_pipeline.tokenizer
    blocks = [b.span() for b in jieba.re_han_default.finditer(text) if tokenizer.jieba_when.search(b.group())]
    assert blocks
    whole, pos = [], 0
    for word in jieba.cut(text):  # jieba on the whole text (with the knowledge-base user dictionary)
        whole.append((pos, word))
        pos += len(word)
    expected = {(s, w) for s, w in whole if any(a <= s < b for a, b in blocks)}
    assert expected <= {(t.idx, t.text) for t in nlp_pipeline.make_doc(text)}


def test_text_without_a_suffix_is_split_into_words_and_single_characters(nlp_pipeline):
    doc = nlp_pipeline.make_doc("谷歌发布 Gemma 2 模型。")
    assert [t.text for t in doc] == ["谷", "歌", "发", "布", "Gemma", "2", "模", "型", "。"]
