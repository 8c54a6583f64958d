"""One phenomenon per case, on sentences written for these tests (simplified, traditional, English)."""
import pytest

from nlp.extract import extract_docs


def claims(nlp_pipeline, text):
    return {(c["subject"], c["stance"]) for c in extract_docs([text], nlp=nlp_pipeline)[0].claims}


def signals(nlp_pipeline, text):
    return {(s["subject"], s["signal"]) for s in extract_docs([text], nlp=nlp_pipeline)[0].signals}


@pytest.mark.parametrize("text, expected", [
    # copula + "not open source" disputes the label; "did not open-source" is closed
    ("Doubao is not open source, whatever the press release says.", {("Doubao", "disputed")}),
    ("Moonshot has not open-sourced Kimi.", {("Kimi", "closed")}),
    ("智谱的 GLM-4 不是开源模型。", {("GLM-4", "disputed")}),
    # open weights contrasted with open source
    ("Critics call Gemma 2 open weights, not open source.", {("Gemma 2", "disputed")}),
    ("業內人士稱 Qwen2 為開放權重模型,而不是開源模型。", {("Qwen2", "disputed")}),
    # "calling X open source is a stretch" / "说 X 开源并不准确" / "离开源还有距离"
    ("Calling Phi-3 open source would be misleading, one lawyer said.", {("Phi-3", "disputed")}),
    ("说 Baichuan 2 完全开源并不准确。", {("Baichuan 2", "disputed")}),
    ("DeepSeek-V3 离真正的开源还有距离。", {("DeepSeek-V3", "disputed")}),
    # predicative open: "describes it as open", "X 是开源模型"
    ("Mistral released Codestral and described it as open.", {("Codestral", "open")}),
    ("Falcon 180B is freely available to researchers.", {("Falcon 180B", "open")}),
    ("零一万物表示 Yi-34B 是一款开源模型。", {("Yi-34B", "open")}),
    # rated open / closed by a framework
    ("In the index, Pythia was rated open while GPT-4 was rated closed.", {("Pythia", "open"), ("GPT-4", "closed")}),
    # API-only access and kept closed
    ("Claude 3 can only be accessed through Anthropic's API.", {("Claude 3", "closed")}),
    ("百度的文心一言只能通过千帆平台调用。", {("ERNIE Bot", "closed")}),
    ("Google keeps Gemini Ultra proprietary.", {("Gemini", "closed")}),
    # abandoning openness (org practice)
    ("Critics accuse Stability AI of abandoning open source.", {("Stability AI", "closed")}),
    ("有人批評 Mistral AI 放棄了開源。", {("Mistral AI", "closed")}),
    # leader of open source
    ("Meta has become the standard-bearer of open-source AI.", {("Meta", "open")}),
])
def test_stance_phrasings(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text", [
    "Musk promised to open-source Grok-1 within a week.",        # a promise, not yet a release
    "议员呼吁 OpenAI 开源 GPT-3。",                               # a demand
    "各主要厂商都会将其大模型的一部分开源。",                        # a generic subject binds nothing
    "The OSI published its open-source AI definition.",          # the referee is never the subject
    "Anthropic runs an open-source program office in London.",   # attributive "open-source X"
    "如果 Meta 开源 Llama 4,它将成为最大的开源模型。",               # a condition and its consequence
    "Will Google ever open-source Gemini?",                       # a question
    "OpenAI has not released GPT-4 under any open-source license.",  # a denied release
    "The study, released under the MIT Technology Review banner, looked at GPT-4.",  # MIT, no licence
])
def test_no_claim(nlp_pipeline, text):
    assert claims(nlp_pipeline, text) == set()


@pytest.mark.parametrize("text, expected", [
    ("在开源还是闭源的问题上,百度选择了闭源。", {("Baidu", "closed")}),       # the debate is a topic, not a doubt
    ("Meta 开源了 Llama 3,但有人认为这样做不明智。", {("Llama 3", "open")}),  # the verdict's clause only
    ("Mistral open-sourced Mixtral 8x7B, and it is unclear whether Mistral Large will follow.",
     {("Mixtral 8x7B", "open")}),
])
def test_a_hypothetical_covers_its_clause_and_what_follows(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Mistral AI updated Mistral Large 2. The larger model is available only through the company's own platform.",
     ("Mistral Large 2", "closed")),
    ("百度发布了文心大模型 4.0。这款大模型仍然不开源。", ("ERNIE 4.0", "closed")),
    ("谷歌的 Gemma 因使用条款限制用途,被认为不能称作开源。", ("Gemma", "disputed")),
])
def test_noun_phrases_that_point_back(nlp_pipeline, text, expected):
    assert expected in claims(nlp_pipeline, text)


def test_a_comparison_shares_the_claim(nlp_pipeline):
    text = "Anthropic launched Claude 3, which, like OpenAI's GPT-4, can only be used through the company's API."
    assert {("Claude 3", "closed"), ("GPT-4", "closed")} <= claims(nlp_pipeline, text)
    assert ("Llama 2", "closed") not in claims(nlp_pipeline, "Unlike Llama 2, GPT-4 is only available through an API.")


@pytest.mark.parametrize("text, expected", [
    ("Mistral 7B came out under Apache 2.0 last year.", {("Mistral 7B", "open")}),
    ("Llama 2 is available for free for research and commercial use.", {("Llama 2", "open")}),
    ("Ai2 released OLMo with its full training data, code and weights.", {("OLMo", "open")}),
    ("Critics say Grok is open source in name only.", {("Grok", "disputed")}),
    ("OpenAI has not released the weights of any model since GPT-2.", {("OpenAI", "closed")}),  # "of" heads nothing
    # a multi-word name between "describes" and "as open"; "freely downloadable"; a long "keeps … closed"
    ("The Allen Institute for AI describes OLMo 2 as fully open.", {("OLMo 2", "open")}),
    ("Alibaba made Qwen2.5 freely downloadable.", {("Qwen2.5", "open")}),
    ("Google keeps its most capable Gemini models closed.", {("Gemini", "closed")}),
    ("IBM released its Granite models under Apache 2.0.", {("Granite", "open")}),
    ("Meta said Llama 4 is available to download on Hugging Face.", {("Llama 4", "open")}),
    ("OpenAI has not publicly released GPT-4's weights.", {("GPT-4", "closed")}),
    ("Gemini Ultra is a closed-weight model.", {("Gemini", "closed")}),
    ("DBRX is available under the Databricks Open Model License.", set()),  # a licence's name, no open label
    ("OpenAI 变得越来越封闭。", {("OpenAI", "closed")}),
    ("有开发者批评 Llama 2 是披着开源外衣的商业产品。", {("Llama 2", "disputed")}),
    ("业内人士认为, Grok-1 开源得并不彻底。", {("Grok-1", "disputed")}),
    ("通义千问 Qwen-72B 可免费商用。", {("Qwen-72B", "open")}),
    ("xAI released the weights of Grok-1 in March.", {("Grok-1", "open")}),
    ("Researchers ranked Llama 2 the most transparent model, though still far from open.", {("Llama 2", "disputed")}),
    ("蘋果釋出 OpenELM 模型,並公開了訓練程式碼與資料集。", {("OpenELM", "open")}),  # its training code and data
    ("Meta 拒绝公开 Llama 3 的训练代码。", set()),  # a refusal is no release
    ("OpenAI, which started as a nonprofit, has become increasingly secretive.", {("OpenAI", "closed")}),
    ("Google has been cautious, keeping Gemini closed while releasing Gemma openly.", {("Gemini", "closed")}),
    ("Musk sued OpenAI for abandoning its open-source roots.", {("OpenAI", "closed")}),
    ("Alibaba has open-sourced more than 100 Qwen models.", {("Qwen", "open")}),  # a quantity heads nothing
    # "calls it open source but the licence …" disputes the label (GUIDELINES), in English and Chinese
    ("Meta calls Llama open source, but its license restricts how the model can be used.", {("Llama", "disputed")}),
    ("Meta 虽然号称开源,但 Llama 的许可证禁止月活超过 7 亿的公司免费使用。", {("Llama", "disputed")}),
    ("Researchers found that many “open” models are open only in name.", set()),  # a generic subject
    ("Researchers at Radboud University found that many “open” models are open only in name.", set()),
])
def test_more_stance_phrasings(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_pronoun_prefers_the_model_over_a_later_name(nlp_pipeline):
    text = "Google released Gemma 2 today. But it is not open source in the sense the OSI uses."
    assert claims(nlp_pipeline, text) == {("Gemma 2", "disputed")}


def test_speaker_is_not_the_subject(nlp_pipeline):
    text = "腾讯发布了混元-Large。腾讯称它是最大的开源 MoE 模型。"
    assert claims(nlp_pipeline, text) == {("Hunyuan-Large", "open")}


def test_channel_is_not_the_subject(nlp_pipeline):
    text = "OpenAI 的 o1 模型不开源,只能通过 ChatGPT 和 API 使用。"
    assert claims(nlp_pipeline, text) == {("o1", "closed")}


def test_listed_models_with_their_owners_share_the_claim(nlp_pipeline):
    text = "Ai2 的 OLMo 和 EleutherAI 的 Pythia 被视为完全开源。"
    assert claims(nlp_pipeline, text) == {("OLMo", "open"), ("Pythia", "open")}


def test_family_name_followed_by_its_member(nlp_pipeline):
    assert claims(nlp_pipeline, "阿里云开源了通义千问140亿参数模型 Qwen-14B。") == {("Qwen-14B", "open")}
    assert claims(nlp_pipeline, "Meta 发布了 Llama 3 8B 和 Llama 3 70B,并称其完全开源。") == {("Llama 3", "open")}
    assert ("Llama", "disputed") in claims(nlp_pipeline, "OSI 认为 Llama 3 很强,但 Llama 系列不是开源许可。")


def test_disputed_wins_over_the_open_label_in_one_sentence(nlp_pipeline):
    assert claims(nlp_pipeline, "Grok-1 并不是真正的开源,至少不是 OSI 定义的开源。") == {("Grok-1", "disputed")}


@pytest.mark.parametrize("text, expected", [
    # licence findings stated about the licensor belong to its model named just before
    ("Meta released Llama 3.2. Firms above 700 million monthly active users must ask Meta for a license.",
     ("Llama 3.2", "usage_threshold")),
    ("Gemma 2 does not come with an open-source license.", ("Gemma 2", "license_not_open_source")),
    ("Meta's Llama 3.1 ships with its weights and inference code only.", ("Llama 3.1", "weights_only")),
    ("xAI did not say what data Grok-2 was trained on.", ("Grok-2", "training_data_undisclosed")),
    ("Cohere released Command R but not the training recipe.", ("Command R", "training_process_undisclosed")),
    ("DeepSeek-R1 的训练数据和训练代码都没有发布。", ("DeepSeek-R1", "training_data_undisclosed")),
    ("OSI 尚未批准 Meta 的许可证。", ("Meta", "license_not_open_source")),
    ("Gemini Ultra is available only through Google's cloud service.", ("Gemini", "api_only")),
    ("月之暗面没有开源 Kimi,只提供 API 服务。", ("Kimi", "api_only")),           # 只提供 API
    ("Alibaba's Qwen2.5 models are open-weight.", ("Qwen2.5", "weights_only")),   # the open-weight label
    ("The Falcon 180B license prohibits hosting the model as a paid service.", ("Falcon 180B", "use_restrictions")),
    ("Gemma's terms of use ban a long list of applications.", ("Gemma", "use_restrictions")),
    ("混元的许可协议禁止在欧盟境内使用该模型。", ("Hunyuan", "use_restrictions")),
    ("Qwen2.5 is open-weight, with the training data kept private.", ("Qwen2.5", "training_data_undisclosed")),
    ("xAI released the Grok-1 weights, though not the data used to train it.", ("Grok-1", "training_data_undisclosed")),
    ("The OSI said Llama 3's license does not meet its Open Source AI Definition.",
     ("Llama 3", "license_not_open_source")),
    # names in the channel list are channels: the subject is the model of the clause before
    ("GPT-4o 沒有開放權重,只能透過 ChatGPT 與 OpenAI 的 API 使用。", ("GPT-4o", "api_only")),
    ("騰訊混元大模型目前並未開源,僅透過騰訊雲提供服務。", ("Hunyuan", "api_only")),  # only through a cloud
    ("OpenAI was sued for abandoning the openness its name once promised.", ("OpenAI", "open_name_closed_practice")),
    ("Meta calls Llama open source, but its license restricts how the model can be used.", ("Llama", "use_restrictions")),
    ("Mistral Large is only available under a research license.", ("Mistral Large", "non_commercial")),
    ("DeepSeek-R1's weights are public, but DeepSeek shared few details about its training data.",
     ("DeepSeek-R1", "training_data_undisclosed")),
    ("The model card for Gemma 2 says little about the data it was trained on.", ("Gemma 2", "training_data_undisclosed")),
    ("Grok-1 的训练数据来源不明。", ("Grok-1", "training_data_undisclosed")),
    ("GPT-4 的技术细节几乎没有公开。", ("GPT-4", "technical_details_undisclosed")),
    ("OpenAI 不愿公开训练代码。", ("OpenAI", "training_process_undisclosed")),
])
def test_signal_phrasings(nlp_pipeline, text, expected):
    assert expected in signals(nlp_pipeline, text)


@pytest.mark.parametrize("text, absent", [
    ("GPT-4o 沒有開放權重,只能透過 ChatGPT 使用。", ("GPT-4o", "weights_only")),     # negated open weights
    ("Claude has no open weights.", ("Claude", "weights_only")),
    ("Llama 3's license forbids using it to improve other large language models.", ("Llama 3", "use_restrictions")),
    ("月之暗面没有开源 Kimi,只提供 API 服务。", ("OpenAI", "api_only")),
])
def test_signal_not_given(nlp_pipeline, text, absent):
    assert absent not in signals(nlp_pipeline, text)


def test_rather_than_open_source_is_weights_only_only_with_weights(nlp_pipeline):
    text = "Hunyuan-Large 采用腾讯自己的社区许可协议,而不是 OSI 批准的开源许可证。"
    assert ("Hunyuan-Large", "weights_only") not in signals(nlp_pipeline, text)
    assert ("Hunyuan-Large", "license_not_open_source") in signals(nlp_pipeline, text)


@pytest.mark.parametrize("text, expected_claim, expected_signal", [
    # Taiwan vocabulary (透過, 授權, 資料) survives OpenCC's character conversion; the cues fold it
    ("GPT-4o 沒有開放權重,只能透過 ChatGPT 使用。", ("GPT-4o", "closed"), ("GPT-4o", "api_only")),
    ("Phi-3 採用 MIT 授權發布。", ("Phi-3", "open"), None),
    ("OpenAI 也未說明 GPT-4o 的訓練資料。", None, ("GPT-4o", "training_data_undisclosed")),
])
def test_taiwan_vocabulary(nlp_pipeline, text, expected_claim, expected_signal):
    result = extract_docs([text], nlp=nlp_pipeline)[0]
    if expected_claim:
        assert expected_claim in {(c["subject"], c["stance"]) for c in result.claims}
    if expected_signal:
        assert expected_signal in {(s["subject"], s["signal"]) for s in result.signals}
    assert all(result.text[c["start"]:c["end"]] == c["evidence"] for c in result.claims + result.signals)


def test_calling_a_name_is_not_speaking(nlp_pipeline):
    assert ("OpenAI", "closed") in claims(nlp_pipeline, "網路上有人乾脆把 OpenAI 稱作 ClosedAI。")


def test_a_model_named_as_a_point_in_time_is_no_subject(nlp_pipeline):
    text = "反观 OpenAI,自 GPT-3 之后就不再公开模型权重,只能透过 API 和 ChatGPT 取得。"
    found = claims(nlp_pipeline, text)
    assert ("OpenAI", "closed") in found and not {s for s, _ in found} & {"GPT-3", "ChatGPT"}


@pytest.mark.parametrize("text, expected", [
    ("Snowflake 形容 Arctic 是目前最強的開放模型。", {("Arctic", "open")}),
    ("Reka calls Reka Core an open model.", {("Reka Core", "open")}),
])
def test_open_model_label(nlp_pipeline, text, expected, tmp_path, monkeypatch):
    extra = tmp_path / "kb.yaml"
    extra.write_text("orgs:\n- {name: Reka}\nmodels:\n- {name: Arctic, org: Snowflake}\n- {name: Reka Core, org: Reka}\n",
                     encoding="utf-8")
    monkeypatch.setenv("OPENWATCH_KB_EXTRA", str(extra))
    from nlp.kb import load_kb
    from nlp.matcher import EntityMatcher

    entities = nlp_pipeline.get_pipe("openwatch_entities")
    monkeypatch.setattr(entities, "matcher", EntityMatcher(load_kb()))
    assert claims(nlp_pipeline, text) == expected


def test_ban_on_improving_other_models_in_traditional_chinese(nlp_pipeline):
    text = "使用者不得利用 DBRX 或其輸出內容去改善其他大型語言模型。"
    assert ("DBRX", "no_training_other_models") in signals(nlp_pipeline, text)


@pytest.mark.parametrize("text, speaker", [
    ("“Llama 3 is not open source,” said Stefano Maffulli, executive director of the OSI.", "Stefano Maffulli"),
    ("李开复在接受采访时称,零一万物的 Yi-34B 是真正的开源模型。", "李开复"),
    ("于海涛在会上表示,Qwen2 是开源模型。", "于海涛"),
    ("According to the Linux Foundation, Llama 2 is only partially open.", "Linux Foundation"),
    ("李彦宏曾表示,百度坚持闭源路线。", "李彦宏"),  # an adverb before the verb is no part of the name
])
def test_speaker(nlp_pipeline, text, speaker):
    assert {c["speaker"] for c in extract_docs([text], nlp=nlp_pipeline)[0].claims} == {speaker}


@pytest.mark.parametrize("text, expected", [
    ("DeepSeek's R1 is released under the MIT license.", {("DeepSeek-R1", "open")}),
    ("DeepSeek發布的V3模型僅開放了權重。", {("DeepSeek-V3", "disputed")}),
    ("深度求索开源了 R1。", {("DeepSeek-R1", "open")}),
])
def test_a_model_s_short_name_after_its_developer_names_the_model(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_a_pronoun_skips_a_sentence_that_names_only_a_referee(nlp_pipeline):
    text = ("Meta released Llama 3.1 405B on Tuesday. But the model does not meet the Open Source Initiative's "
            "definition. Its license bars companies with more than 700 million monthly active users.")
    assert ("Llama 3.1 405B", "disputed") in claims(nlp_pipeline, text)
    assert ("Llama 3.1 405B", "usage_threshold") in signals(nlp_pipeline, text)


def test_a_family_name_gives_way_to_the_most_specific_unsized_member(nlp_pipeline):
    text = "Meta released Llama 3.1 405B. Critics say Llama is not truly open source."
    assert claims(nlp_pipeline, text) == {("Llama 3.1", "disputed")}


@pytest.mark.parametrize("text, expected", [
    ('"Meta is confusing open source with open weights," said Ayah Bdeir.', ("Meta", "disputed")),
    ("专家认为 DeepSeek-R1 的开放权重不等于开源。", ("DeepSeek-R1", "disputed")),
    ("深度求索(DeepSeek)上月发布推理模型 R1。多位学者指出, R1 只是开放权重。", ("DeepSeek-R1", "disputed")),
])
def test_open_weights_are_not_open_source(nlp_pipeline, text, expected):
    assert expected in claims(nlp_pipeline, text)


@pytest.mark.parametrize("text, expected", [
    ("反觀OpenAI,自GPT-2之後就不再公開主要模型的權重,旗下模型只能透過API和ChatGPT取得。", ("OpenAI", "api_only")),
    ("阿里雲發布旗艦模型Qwen2.5-Max,但這次並未開源,僅提供阿里雲的API服務。", ("Qwen2.5-Max", "api_only")),
])
def test_a_channel_right_after_the_cue_or_owning_the_api_is_no_subject(nlp_pipeline, text, expected):
    assert {x for x in signals(nlp_pipeline, text) if x[1] == "api_only"} == {expected}


def test_a_possessive_name_in_the_channel_list_is_a_channel(nlp_pipeline):
    text = "OpenAI's GPT-4o, by contrast, is only available through OpenAI's API and ChatGPT."
    assert signals(nlp_pipeline, text) == {("GPT-4o", "api_only")}


def test_a_pronoun_after_a_speaker_points_back_to_the_latest_model(nlp_pipeline):
    """"Meta said the model …": Meta speaks, "the model" is Llama 3, named two sentences before."""
    text = ("Meta released Llama 3 on Thursday. “What Meta has published is open weights, not open source,” said "
            "Lena Vogt. Meta said the model was pretrained on public sources, without naming them.")
    found = signals(nlp_pipeline, text)
    assert {("Llama 3", "training_data_undisclosed"), ("Llama 3", "open_label_disputed")} <= found


def test_words_with_a_speech_verb_s_character_are_no_speech(nlp_pipeline):
    """严格来说 ("strictly speaking") and 称它为 ("calling it") say nothing: the name before them stays the subject."""
    text = "何静认为,这意味着Qwen2-72B严格来说并不是在开源许可证下发布的,“称它为开放权重模型更准确,而不是开源模型”。"
    assert ("Qwen2-72B", "disputed") in claims(nlp_pipeline, text)


@pytest.mark.parametrize("text, expected", [  # the list after a generic cue names its members
    ("OSI列出了經驗證符合定義的模型,包括EleutherAI的Pythia、Ai2的OLMo,以及LLM360的Amber與CrystalCoder。",
     {("Pythia", "open"), ("OLMo", "open"), ("Amber", "open"), ("CrystalCoder", "open")}),
    ("Open models such as Llama 3 and Mistral 7B are catching up.", {("Llama 3", "open"), ("Mistral 7B", "open")}),
    ("Pythia meets the Open Source AI Definition.", {("Pythia", "open")}),
    ("Llama does not meet the Open Source AI Definition.", {("Llama", "disputed")}),
])
def test_a_list_after_a_generic_cue_and_meeting_the_definition(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [  # a sentence that starts from "the licence" points back
    ("Databricks 发布了 DBRX。协议规定, 若产品的月活跃用户超过 7 亿, 必须另行申请授权。", ("DBRX", "usage_threshold")),
    ("Databricks released DBRX. The license forbids using it to improve other large language models.",
     ("DBRX", "no_training_other_models")),
])
def test_the_licence_a_sentence_starts_from_points_back(nlp_pipeline, text, expected):
    assert expected in signals(nlp_pipeline, text)


def test_a_versioned_model_does_not_give_way_to_its_family_named_after_it(nlp_pipeline):
    text = "旗舰模型Qwen2-72B则继续使用原有的通义千问许可协议,月活跃用户超过1亿的商业应用仍需单独获得授权。"
    assert signals(nlp_pipeline, text) == {("Qwen2-72B", "usage_threshold")}


@pytest.mark.parametrize("text", [
    "“合在一起, Hunyuan-Large 已经不是大家通常理解的开源了。”",  # not open source as commonly understood
    "赵琳认为, Hunyuan-Large 的条款正在不断稀释“开源”二字的含义。",
])
def test_not_open_source_as_understood_disputes_the_label(nlp_pipeline, text):
    assert claims(nlp_pipeline, text) == {("Hunyuan-Large", "disputed")}
    assert ("Hunyuan-Large", "open_label_disputed") in signals(nlp_pipeline, text)


def test_the_release_points_back_to_the_model_the_story_is_about(nlp_pipeline):
    text = ("Google released Gemma, built from the same research as Gemini. The weights are on Hugging Face. "
            "The release does not come with an open-source license, however.")
    assert ("Gemma", "license_not_open_source") in signals(nlp_pipeline, text)
    assert claims(nlp_pipeline, text) == set()  # "does not come with an open-source license" is no open claim


@pytest.mark.parametrize("text, expected", [
    ("去年9月推出的Mistral 7B和12月的Mixtral 8x7B都採用Apache 2.0授權。",  # a month between listed names
     {("Mistral 7B", "open"), ("Mixtral 8x7B", "open")}),
    ("法國AI新創Mistral AI推出Mistral Large,但並未開源。", {("Mistral Large", "closed")}),
])
def test_listed_names_and_organizations_after_chinese_words(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Mistral Large並未開源,用戶只能透過Mistral自家的La Plateforme平台或微軟Azure的API使用。", ("Mistral Large", "api_only")),
    ("文心大模型4.0的权重、参数规模和训练数据均未公开。", ("ERNIE 4.0", "technical_details_undisclosed")),
    ("DeepSeek-V3's report says far less about data.", ("DeepSeek-V3", "training_data_undisclosed")),
    ("OpenAI has not disclosed the size of o1.", ("o1", "technical_details_undisclosed")),
    ("Google DeepMind released the weights of Gemma 3 but not its training data.", ("Gemma 3", "training_data_undisclosed")),
    ("Some researchers noted that Alibaba has not published the data used to train QwQ-32B.",
     ("QwQ-32B", "training_data_undisclosed")),
    ("Google並未揭露Gemma 3的訓練資料細節。", ("Gemma 3", "training_data_undisclosed")),  # Taiwan's 揭露
    ("Calling Phi-4 open is generous when the training recipe stays in-house.", ("Phi-4", "training_process_undisclosed")),
    ("DeepSeek-V3的模型权重使用DeepSeek自定义的模型许可。", ("DeepSeek-V3", "license_not_open_source")),
])
def test_more_signal_phrasings(nlp_pipeline, text, expected):
    assert expected in signals(nlp_pipeline, text)


@pytest.mark.parametrize("text, expected", [
    # "the model", "it": the topic of the previous sentence (its first model), not a model it is compared with
    ("Alibaba released QwQ-32B, a reasoning model it says rivals DeepSeek-R1. "
     "The model is available under the Apache 2.0 license.", {("QwQ-32B", "open")}),
    # a pronoun inside the cue points back
    ("Alibaba released QwQ-32B last week. Calling these releases fully open is a stretch.", {("QwQ-32B", "disputed")}),
    # a pronoun in a clause between a speaker and the cue points back ("这类模型")
    ("Google發布Gemma 3。OSI執行董事先前就批評,這類模型只是開放權重,不能稱為開源。", {("Gemma 3", "disputed")}),
    # the Chinese name of the OSI holds 开源, which is no claim
    ("開源倡議組織執行董事批評了Llama 2。", set()),
])
def test_pointing_back_to_the_previous_sentence_s_topic(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("OpenAI's o3-mini is available only through its API.", {("o3-mini", "closed")}),
    ("OpenAI 的 o3 只能通过 API 使用。", {("o3", "closed")}),  # a bare "o3" right after its developer
])
def test_openai_reasoning_models(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    # a platform a model is put on is no subject
    ("Meta released Llama 3.3. The model can be downloaded on Hugging Face under the Apache 2.0 license.",
     {("Llama 3.3", "open")}),
    ("腾讯发布混元-A13B。该模型已在GitHub和Hugging Face上线,开发者可以免费下载。", {("Hunyuan-A13B", "open")}),
    # "the company" points back to an organization, not to the model named with it
    ("OpenAI released gpt-oss. The company has been criticised for abandoning open source.", {("OpenAI", "closed")}),
    # "the weights of X": X is what the cue is about
    ("xAI open-sourced Grok-1 but has not released the weights of Grok 3.", {("Grok-1", "open"), ("Grok 3", "closed")}),
    # "这样的协议" points back
    ("腾讯开源了混元-A13B。有网友吐槽,这样的协议算不上真正的开源。", {("Hunyuan-A13B", "open"), ("Hunyuan-A13B", "disputed")}),
    # a permissive licence named after the word
    ("Stable Diffusion 1.5 was released under the permissive CreativeML OpenRAIL-M license.",
     {("Stable Diffusion 1.5", "open")}),
    # the mocking nickname names OpenAI
    ("Elon Musk has mocked the lab as \"ClosedAI\".", {("OpenAI", "closed")}),
])
def test_platforms_companies_and_objects(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Under the Stability AI Community License, Stable Diffusion 3 is free for organizations with less than "
     "$1 million in annual revenue.", {("Stable Diffusion 3", "usage_threshold"),
                                       ("Stable Diffusion 3", "license_not_open_source")}),  # the licence's owner's model
    ("Llama 4的授權條款禁止住所位於歐盟的公司使用多模態功能,月活躍用戶超過7億的企業也必須另外申請授權。",
     {("Llama 4", "use_restrictions"), ("Llama 4", "usage_threshold")}),  # a threshold in the next clause
])
def test_licence_terms(nlp_pipeline, text, expected):
    assert signals(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    # a model another is built from is no subject
    ("与此同时,DeepSeek还开源了基于Qwen和Llama蒸馏的六个小模型。", {("DeepSeek", "open")}),
    ("Vicuna, built on Llama, is open source.", {("Vicuna", "open")}),
    # a licence not approved by the OSI disputes the label, and its "开源" / "open-source" claims nothing
    ("由於底層模型Llama 3的授權並非OSI認可的開源授權。", {("Llama 3", "disputed")}),
    ("Llama 3 is not OSI-approved open source.", {("Llama 3", "disputed")}),
    # "open weights, closed data"
    ("Mistral's Mixtral 8x22B was described as \"open weights, closed data\".", {("Mixtral 8x22B", "disputed")}),
    # a permissive licence whose name holds lower-case words; weights kept locked away
    ("Nvidia released Nemotron-4 340B under a permissive open model license.", {("Nemotron-4 340B", "open")}),
    ("Google keeps the weights of Gemini locked away.", {("Gemini", "closed")}),
])
def test_base_models_and_qualified_labels(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    # a family whose member is named in a later clause keeps its own claim
    ("腾讯混元大模型此前一直闭源,直到去年11月才开源了Hunyuan-Large。", {("Hunyuan", "closed"), ("Hunyuan-Large", "open")}),
    # "开源计划" is a plan to open-source, not the OSI
    ("Kimi目前没有开源计划。", {("Kimi", "closed")}),
    # a version right after a Chinese name, tier-like names in the knowledge base
    ("讯飞星火X1尚未开源。", {("Spark X1", "closed")}),
    ("零一万物的Yi-Lightning是一款闭源模型。", {("Yi-Lightning", "closed")}),
    # a model named after its developer: not the organization
    ("MiniMax宣布开源MiniMax-Text-01。", {("MiniMax-Text-01", "open")}),
    # against the spirit of open source; abandoning it
    ("有开发者质疑,Llama 3.1许可证中的条款与开源精神相悖。", {("Llama 3.1", "disputed")}),
    ("Critics say the Llama 3 license is at odds with the spirit of open source.", {("Llama 3", "disputed")}),
    ("OpenAI 背离了开源的初衷。", {("OpenAI", "closed")}),
])
def test_families_versions_and_the_spirit_of_open_source(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    # "while" opens a clause of its own
    ("DeepSeek-V3 lands on Hugging Face while o1 stays behind an API.", {("o1", "closed")}),
    # a family from the context gives way to the member named later in the sentence
    ("Meta发布了Llama 3.1。不过,Meta依旧没有公开训练数据,严格来说Llama 3.1只能算“开放权重”模型。",
     {("Llama 3.1", "disputed")}),
    # the training code staying closed is no claim that the model is closed
    ("xAI opens up Grok-1 weights, but the training code stays closed.", set()),
])
def test_clauses_members_and_what_stays_closed(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    # a nameless sentence that continues the one before: its licence terms are about that sentence's model
    ("Meta修改了Llama 3.1的许可证。但月活超过7亿的公司仍需单独申请许可。", ("Llama 3.1", "usage_threshold")),
    ("What xAI did not release for Grok-1 is the code used to train the model, nor any details about the training data.",
     ("Grok-1", "training_process_undisclosed")),
    ("What xAI did not release for Grok-1 is the code used to train the model, nor any details about the training data.",
     ("Grok-1", "training_data_undisclosed")),
])
def test_signals_continued_and_described(nlp_pipeline, text, expected):
    assert expected in signals(nlp_pipeline, text)


def test_not_only_the_weights_is_more_than_weights(nlp_pipeline):
    text = "Apple published OpenELM: not only the model weights but also the training logs."
    assert ("OpenELM", "weights_only") not in signals(nlp_pipeline, text)
    assert ("OpenELM", "open") in claims(nlp_pipeline, text)


@pytest.mark.parametrize("text, expected", [
    # a future release is no claim yet ("将开源", "将会开源"); "将" marking the object is none of that
    ("马斯克称将开源Grok 2。", set()),
    ("因此Grok 2将会开源。", set()),
    ("Meta将Llama 2开源。", {("Llama 2", "open")}),
    # what was released is only the weights
    ("批评者指出,xAI开源的只是Grok-1的基础模型权重,并未包含训练代码。", {("Grok-1", "disputed")}),
    # the members listed after "open models, including"
    ("Google has released its own open models, including Gemma 2.", {("Gemma 2", "open")}),
    ("Mistral is open source, like Meta.", {("Mistral AI", "open")}),  # "like" lists only after a generic cue
])
def test_future_releases_weights_and_listed_members(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_weights_only_and_a_user_cap(nlp_pipeline):
    assert {("Grok-1", "weights_only"), ("Grok-1", "training_process_undisclosed")} <= signals(
        nlp_pipeline, "批评者指出,xAI开源的只是Grok-1的基础模型权重,并未包含训练代码。")
    assert ("Llama 3", "usage_threshold") in signals(nlp_pipeline, "The Llama 3 license has a 700 million user cap.")


def test_a_continuing_sentence_carries_licence_terms_only(nlp_pipeline):
    text = "Meta发布了Llama 3.1。但开源是大势所趋,月活超过7亿的公司仍需申请许可。"
    assert claims(nlp_pipeline, text) == set()  # "但开源是大势所趋" is about no one
    assert signals(nlp_pipeline, text) == {("Llama 3.1", "usage_threshold")}


@pytest.mark.parametrize("text, expected", [
    # the platforms listed after 在 are hosts; a tier right after a Chinese name
    ("腾讯推出混元Large。该模型已在Hugging Face和GitHub开源。", {("Hunyuan-Large", "open")}),
    ("腾讯的旗舰版本混元Turbo并未开源。", {("Hunyuan Turbo", "closed")}),
])
def test_hosts_in_a_list_and_tiers_after_chinese_names(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("混元Large的许可协议规定,该模型不得在欧盟境内使用。", ("Hunyuan-Large", "use_restrictions")),  # a place banned
    ("Mixtral 8x7B fails the test because Mistral has not described its training data.",
     ("Mixtral 8x7B", "training_data_undisclosed")),
])
def test_more_licence_and_data_phrasings(nlp_pipeline, text, expected):
    assert expected in signals(nlp_pipeline, text)


@pytest.mark.parametrize("text, expected", [
    ("DeepSeek is one of the few Chinese labs that open-sources nearly everything.", {("DeepSeek", "open")}),  # a verb
    ("The company describes Falcon 2 as open source, but its license adds an acceptable use policy.",
     {("Falcon 2", "disputed")}),
    ("Databricks said DBRX is available under an open license.", {("DBRX", "open")}),
    # Taiwan's models and developers
    ("台智雲的福爾摩沙大模型並未開放權重。", {("FFM", "closed")}),
    ("聯發科釋出繁體中文大型語言模型 Breeze-7B,並以 Apache 2.0 授權開源。", {("Breeze-7B", "open")}),
])
def test_verbs_descriptions_and_taiwan_models(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Critics argue Llama is better described as source-available than open source.", {("Llama", "disputed")}),
    ("Stability AI said Stable LM 2 is openly licensed.", {("Stable LM 2", "open")}),
    ("Qwen is more open than Llama.", {("Qwen", "open")}),  # the compared name after the cue is no subject
    ("百度表示,文心大模型4.5系列将于6月30日起正式开源。", set()),  # a dated plan is no release yet
])
def test_comparisons_plans_and_licence_words(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_research_use_only(nlp_pipeline):
    assert ("Command R+", "non_commercial") in signals(nlp_pipeline, "Cohere's Command R+ weights are for research use only.")


@pytest.mark.parametrize("text, expected", [  # headline phrasings
    ("Mistral goes closed with Mistral Large", {("Mistral Large", "closed")}),
    ("Inside the fight over Llama's 'open source' label", {("Llama", "disputed")}),
    ("OpenAI turned closed after GPT-2.", {("OpenAI", "closed")}),  # "after GPT-2" is a point in time
])
def test_headline_phrasings(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_a_name_used_as_a_point_in_time_is_not_pointed_back_to(nlp_pipeline):
    text = ("OpenAI released two open-weight models, gpt-oss-120b and gpt-oss-20b, its first since GPT-2. "
            "They come with a permissive Apache 2.0 license.")
    assert ("GPT-2", "open") not in claims(nlp_pipeline, text)
    assert ("gpt-oss-20b", "open") in claims(nlp_pipeline, text)


@pytest.mark.parametrize("text, expected", [  # Taiwan news
    ("臉書母公司Meta表示,Llama 3將以開放原始碼方式提供。", set()),  # a plan
    ("亞馬遜的Nova模型並未開源,僅能透過AWS Bedrock使用。", {("Amazon Nova", "closed")}),
    ("鴻海推出繁體中文大型語言模型FoxBrain,並以開源方式釋出。", {("FoxBrain", "open")}),
])
def test_taiwan_news_phrasings(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_a_user_threshold_without_a_comparison_word(nlp_pipeline):
    assert ("Llama 2", "usage_threshold") in signals(nlp_pipeline, "業界人士指出,Llama 2的授權條款有月活躍用戶7億的門檻。")


@pytest.mark.parametrize("text, expected", [
    ("The weights of Llama 3 can be downloaded by anyone who accepts the license.", {("Llama 3", "open")}),
    ("月之暗面发布Kimi K2。其权重已上传至Hugging Face。", {("Kimi K2", "open")}),  # the platform uploaded to is a host
])
def test_weights_anyone_can_download(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_an_architecture_kept_secret(nlp_pipeline):
    assert ("GPT-4", "technical_details_undisclosed") in signals(
        nlp_pipeline, "OpenAI keeps GPT-4's architecture and training data secret.")


@pytest.mark.parametrize("text, expected", [  # licences, give-aways, what stays closed
    ("Alibaba released Qwen3, a family of eight models, all under Apache 2.0.", {("Qwen3", "open")}),
    ("MiniMax had already put out MiniMax-M1 under Apache 2.0 in June.", {("MiniMax-M1", "open")}),
    ("DeepSeek 发布了 DeepSeek-R1。这一次 DeepSeek 把代码和权重统一放在了 MIT 许可证之下。", {("DeepSeek-R1", "open")}),
    ("Meta has given away its Llama 3 models for anyone to download, modify and run.", {("Llama 3", "open")}),
    ("Closed developers such as OpenAI are at least honest about it.", {("OpenAI", "closed")}),
    ("Anthropic released Claude 3.5 Sonnet. The model's weights stay on Anthropic's servers.",
     {("Claude 3.5 Sonnet", "closed")}),
    ('"We\'re a proprietary model company," said an Anthropic executive.', {("Anthropic", "closed")}),
    ("台大教授表示,严格来说 DeepSeek-R1 是开放权重模型。", {("DeepSeek-R1", "disputed")}),
    ("马斯克指控OpenAI背离当初以开源造福人类的初衷。", {("OpenAI", "closed")}),
])
def test_licences_give_aways_and_what_stays_closed(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text", [  # plans, schedules and generic vendors assert nothing about a name
    "Elon Musk said that xAI would open-source Grok 2 once Grok 3 was mature.",
    "Baidu has said it will make its Ernie 4.5 models open source from June 30.",
    "鸿海表示,FoxBrain未来将对外开源分享。",
    "月之暗面、阶跃星辰等公司暂未对外披露新的开源安排。",
    "DeepSeek-R1以MIT协议开源后,闭源厂商面临的压力骤增。",
    "The study, released under the MIT Technology Review banner, looked at GPT-4.",
])
def test_plans_and_generic_vendors_are_no_claims(nlp_pipeline, text):
    assert not {c for c in claims(nlp_pipeline, text) if c[0] != "DeepSeek-R1" or c[1] != "open"}


def test_channels_points_in_time_and_questions_bind_no_signal(nlp_pipeline):
    assert signals(nlp_pipeline, "OpenAI的旗下模型只能透过ChatGPT使用,不公开模型权重,亦未披露训练数据。") == {
        ("OpenAI", "training_data_undisclosed"), ("OpenAI", "api_only")}
    assert signals(nlp_pipeline, "这是OpenAI自2019年开源GPT-2以来,首次再推出开放权重的模型。") == {("OpenAI", "weights_only")}
    assert signals(nlp_pipeline, "至于即将推出的GPT-5,会否同样开放权重?") == set()
    assert signals(nlp_pipeline, "OpenAI keeps GPT-4o proprietary and sells it through the ChatGPT app and a developer API.") \
        == {("GPT-4o", "api_only")}


def test_a_named_licence_a_unit_s_model_and_plans_for_weights(nlp_pipeline):
    # "the MIT licence means …" is that licence, not a generic phrase: it goes to the company's model
    assert claims(nlp_pipeline, "3. Phi-3.5 (Microsoft)\nMicrosoft's small-model family punches above its weight, "
                                "and the MIT licence means you can do anything with it.") == {("Phi-3.5", "open")}
    # closed models as a kind: the chief executive's argument names no subject
    assert claims(nlp_pipeline, "Even Baidu, whose chief executive spent last year arguing that closed models would "
                                "stay ahead, open-sourced its Ernie 4.5 family.") == {("Ernie 4.5", "open")}
    # a licence named after a model is no subject; Alibaba's model is Alibaba Cloud's
    assert signals(nlp_pipeline, "In April, Alibaba released Qwen3. Last year its flagship Qwen2.5-72B shipped under "
                                 "Alibaba's own Qwen licence rather than a standard open-source licence, and that licence "
                                 "required companies with more than 100 million monthly active users to ask Alibaba.") == {
        ("Qwen2.5-72B", "license_not_open_source"), ("Qwen2.5-72B", "usage_threshold")}
    # a planned open-weight release is no weights-only finding yet; "China's AI" is no organization
    assert signals(nlp_pipeline, 'OpenAI plans to release "a powerful new open-weight language model" soon.') == set()
    assert extract_docs(["China's AI labs are winning the open-weight race."], nlp=nlp_pipeline)[0].entities == []


@pytest.mark.parametrize("text, expected", [  # licences adopted, names after a model word, "both"
    ("MiniMax-M1 同样采用 Apache 2.0;GLM-4.5 走 MIT。", {("MiniMax-M1", "open"), ("GLM-4.5", "open")}),
    ("阶跃星辰今年2月开源了视频生成模型 Step-Video-T2V。", {("Step-Video-T2V", "open")}),
    ("智谱发布了 GLM-4.5。同时推出的还有更轻量的 GLM-4.5-Air,两者均以 MIT 协议开源。",
     {("GLM-4.5", "open"), ("GLM-4.5-Air", "open")}),
    ("Meta released Llama 3 8B and Llama 3 70B. Both models are open source.",
     {("Llama 3 8B", "open"), ("Llama 3 70B", "open")}),
    ('一位开发者直言:"真正的开源协议不会问你有多少用户、是哪类公司。"', set()),  # 哪类 is no company's name
])
def test_licences_adopted_names_after_a_model_word_and_both(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_custom_licence_terms_contrast_and_misleading_labels(nlp_pipeline):
    text = ("Meta发布了Llama 4。不过,Llama 4延续Meta自订的Llama社群授权条款,而非Apache 2.0或MIT等常见的开源授权。"
            "依照条款,月活跃用户超过7亿的产品或服务,必须另外向Meta申请授权。")
    assert claims(nlp_pipeline, text) == set()  # "而非 … 开源授权" names what it is not
    assert signals(nlp_pipeline, text) == {("Llama 4", "license_not_open_source"), ("Llama 4", "usage_threshold")}
    text = "OSI指出Llama系列的授权条款不符合该定义。OSI执行董事批评,Meta将Llama称为开源,是在误导市场。"
    assert claims(nlp_pipeline, text) == {("Llama", "disputed")}
    assert ("Llama", "license_not_open_source") in signals(nlp_pipeline, text)


@pytest.mark.parametrize("text, expected", [  # questions in quotes and headings, topics, hosts, named pronouns
    ('但群里问得最多的是:"这玩意儿到底能不能商用?"', set()),
    ('四、它算不算"开源"', set()),
    ('智谱表示,2025年将是智谱的"开源年"。', set()),
    ('谷歌的 Gemma 则是另一种情况。不少报道直接称其为开源模型,但谷歌刻意回避了"开源"二字。', {("Gemma", "open")}),
    ("DeepSeek 发布 R1。R1-Zero 的权重这次也一并上传到了 Hugging Face。", {("DeepSeek-R1-Zero", "open")}),
])
def test_questions_topics_hosts_and_named_pronouns(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) | signals(nlp_pipeline, text) == expected


def test_a_critic_s_nameless_sentences_and_the_company_sued(nlp_pipeline):
    text = ('xAI published Grok-1 under Apache 2.0. "But look at what was actually published: the weights and enough '
            'code to run them. There is no training code, nothing at all about the training data. That is open weights."')
    assert {("Grok-1", "training_process_undisclosed"), ("Grok-1", "training_data_undisclosed"),
            ("Grok-1", "weights_only")} <= signals(nlp_pipeline, text)
    text = ("The timing is hard to separate from Musk's fight with OpenAI. He sued the company he co-founded, alleging "
            "that it had abandoned its founding commitment to share its technology openly.")
    assert claims(nlp_pipeline, text) == {("OpenAI", "closed")}
    assert signals(nlp_pipeline, '四、它算不算"开源"') == set()


@pytest.mark.parametrize("text, expected", [
    # a tier word after the name ("盘古Pro MoE"); the organization's model named later in the same sentence
    ("分析师说,华为这次只释出权重,「盘古Pro MoE是开放权重,不算完整的开源。」",
     {("PanGu Pro MoE", "disputed"), ("PanGu Pro MoE", "weights_only"), ("PanGu Pro MoE", "open_label_disputed")}),
    # "说 X 是真正的开源,恐怕言过其实": the hedge after a comma still disputes the label
    ("因此,说 Yi-34B 是“真正的开源”,恐怕言过其实。", {("Yi-34B", "disputed"), ("Yi-34B", "open_label_disputed")}),
    # 程式码 (folded to 程序码) and 预训练流程
    ("百度並未公開文心4.5的預訓練流程。", {("ERNIE 4.5", "training_process_undisclosed")}),
    # a version number's point does not end a pattern's window
    ("Google has not disclosed Gemini 1.5 Pro's parameter count.", {("Gemini 1.5 Pro", "technical_details_undisclosed")}),
    ("基于 Qwen 的版本沿用 Qwen2.5 本身的 Apache 2.0 协议。", {("Qwen2.5", "open")}),
])
def test_tiers_later_models_hedges_and_version_points(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) | signals(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text", [
    "文心一言已全面对用户免费,但免费并不等于开源。",      # "is not the same as" open source
    "文心4.5 Turbo 并不在此次开源之列。",                 # not among the models released
    "MiniMax 表示后续还会开源更多模型。",                 # a plan
    "业界推测,百度或将在年底前开源 X1。",                 # a guess about a plan
])
def test_chinese_non_assertions(nlp_pipeline, text):
    assert claims(nlp_pipeline, text) == set()


@pytest.mark.parametrize("text, expected", [
    # an appositive describes the name before it
    ("Google made Gemini 1.5 Pro, a proprietary model with a long context window, available in preview.",
     {("Gemini 1.5 Pro", "closed")}),
    # a sentence that starts with the training data of the model just named; "train X" is no channel ("in X")
    ("Snowflake released Snowflake Arctic under Apache 2.0. The training dataset itself has not been released.",
     {("Snowflake Arctic", "open"), ("Snowflake Arctic", "training_data_undisclosed")}),
    ("The full data mix used to train Falcon 180B has not been released.", {("Falcon 180B", "training_data_undisclosed")}),
    ("OpenAI has published nothing about the data GPT-4o was trained on.", {("GPT-4o", "training_data_undisclosed")}),
    # the OSI's approval, phrased around the licence
    ("Nemotron-4 340B ships under a custom document, not one of the licences the OSI has approved.",
     {("Nemotron-4 340B", "license_not_open_source")}),
    ("Meta releases Llama 3.1 under a community licence the OSI does not consider open source.",
     {("Llama 3.1", "disputed"), ("Llama 3.1", "license_not_open_source")}),
    # "Code" as a tier word
    ("IBM released Granite Code under Apache 2.0 in May.", {("Granite Code", "open")}),
])
def test_appositives_training_data_sentences_and_osi_approval(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) | signals(nlp_pipeline, text) == expected


def test_mit_under_a_release_is_the_licence_not_the_institute(nlp_pipeline):
    names = {e.canonical for e in extract_docs(["Microsoft's Phi-3-mini is under MIT."], nlp=nlp_pipeline)[0].entities}
    assert "Massachusetts Institute of Technology" not in names
    names = {e.canonical for e in extract_docs(["Researchers at MIT studied GPT-4."], nlp=nlp_pipeline)[0].entities}
    assert "Massachusetts Institute of Technology" in names


@pytest.mark.parametrize("text, expected", [
    # a name in a contrast frame is what the subject differs from
    ("零一万物发布了 Yi-Large。与半年前开源 Yi-34B 不同,这一次的主角是一款闭源模型:该模型不开放权重,只通过 API 提供服务。",
     {("Yi-34B", "open"), ("Yi-Large", "closed"), ("Yi-Large", "api_only")}),
    # joining or leading a camp is a claim about the member
    ("字节跳动这一次算是正式加入了开源阵营。", {("ByteDance", "open")}),
    ("在此之前,月之暗面长期被外界视为闭源阵营的代表。", {("Moonshot AI", "closed")}),
    ("开源阵营与闭源阵营的争论还在继续。", set()),
])
def test_contrast_frames_and_camps(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) | signals(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Meta describes Llama 3.1 as open source, but what it publishes is the weights.",
     {("Llama 3.1", "open"), ("Llama 3.1", "weights_only")}),
    ("The OSI listed the original OLMo among the models that passed its validation.", {("OLMo", "open")}),
    ("Meta released Llama 3.1. Critics call such models \"open weights\" rather than open source.",
     {("Llama 3.1", "disputed"), ("Llama 3.1", "weights_only")}),
    # the judge's standard names no subject; "rather than a fully open one" disputes
    ("Qwen 2.5 7B is free to adapt, but by Ai2's standard it is an open-weights model rather than a fully open one.",
     {("Qwen 2.5 7B", "disputed"), ("Qwen 2.5 7B", "weights_only")}),
    # licence terms said to be absent are no signal
    ("OLMo 2 is under Apache 2.0, so there are no user thresholds or acceptable use policies to navigate.",
     {("OLMo 2", "open")}),
])
def test_what_is_published_such_models_judges_and_absent_terms(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) | signals(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    # a name inside an appositive ("the model behind ChatGPT") is not what the sentence is about
    ("GPT-4o, the model behind most ChatGPT conversations, remains available only through OpenAI's own apps and API.",
     {("GPT-4o", "closed"), ("GPT-4o", "api_only")}),
    ("The original Llama 3 licence barred using Llama 3 or its outputs to improve any other large language model.",
     {("Llama 3", "no_training_other_models")}),
    ("The OSI has said that the Llama licence is not one the OSI has approved.", {("Llama", "license_not_open_source")}),
])
def test_appositive_clauses_bars_and_osi_approval(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) | signals(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Meta's Llama license bars companies with over 700 million monthly users from using it without permission.",
     {("Llama", "usage_threshold")}),
    ("Llama's licence excludes services with more than 700M MAUs.", {("Llama", "usage_threshold")}),
    ("Critics point to Llama's 700-million-user cap.", {("Llama", "usage_threshold")}),
    ("Llama 2's license keeps a cap of 700 million monthly active users.", {("Llama 2", "usage_threshold")}),
    # a user count that bounds nothing is no licence term
    ("Alibaba said Qwen now serves 700 million users in China.", set()),
])
def test_user_count_thresholds(nlp_pipeline, text, expected):
    assert signals(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Meta calls its Llama model open.", {("Llama", "open")}),
    ("Critics called on Meta to open the Llama weights.", set()),
    ("Meta called Llama 3 open, but the licence restricts use.", {("Llama 3", "disputed")}),
    ("Nvidia released it under a document it calls the NVIDIA Open Model License.", set()),
])
def test_calling_a_subject_open(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The OSI named models that passed its validation, among them EleutherAI's Pythia and the original OLMo.",
     {("Pythia", "open"), ("OLMo", "open")}),
    ("EleutherAI's Pythia suite, LLM360's Amber and Google's own T5 were among the models that the OSI's "
     "validation exercise found to meet the standard.", {("Pythia", "open"), ("Amber", "open"), ("T5", "open")}),
    ("Llama was not found to meet the standard.", set()),
])
def test_validated_models_listed_around_the_cue(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    # a cue in a "which is …" clause is about the name the clause hangs on
    ("DeepSeek-R1 is open source. That sets it apart from OpenAI's o1, which R1 matches on maths tests and which is "
     "available only through paid ChatGPT plans and the company's API.", {("DeepSeek-R1", "open"), ("o1", "closed")}),
    ("DeepSeek-R1 can be downloaded, modified and used commercially by anyone.", {("DeepSeek-R1", "open")}),
    ("OpenAI has only recently begun publishing weights again.", {("OpenAI", "open")}),
    ("Several founders have argued that releasing the weights of capable models would be unsafe.", set()),
    ("In August xAI made the older Grok 2.5 downloadable.", {("Grok 2.5", "open")}),
    # "Grok models" is the family, not the member named before
    ("xAI, which open-sourced Grok-1 in 2024, keeps its current Grok models behind its own app and a paid API.",
     {("Grok-1", "open"), ("Grok", "closed")}),
    ("Fully open code models such as StarCoder2 have been adopted by banks.", {("StarCoder2", "open")}),
])
def test_relative_clauses_published_weights_and_open_model_kinds(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    # a platform list with a Chinese member ("魔搭社区ModelScope") is where the model is put, not the subject
    ("其中,Step-Video-T2V代码和权重已在GitHub、Hugging Face和魔搭社区ModelScope上线,采用MIT许可协议。",
     {("Step-Video-T2V", "open")}),
    ("在视频生成赛道,快手的可灵和OpenAI的Sora目前都没有开放模型权重。", {("Kling", "closed"), ("Sora", "closed")}),
    ("万亿参数的Step-2仍只提供API。", {("Step-2", "closed")}),
    # a version name right after a model word
    ("在视频生成上的招牌模型Video-01仍未开源。", {("Video-01", "closed")}),
    ("这栋建筑采用可灵活分割的结构,开源社区很活跃。", set()),
])
def test_video_models_hosts_and_names_after_a_model_word(nlp_pipeline, text, expected):
    assert claims(nlp_pipeline, text) == expected


def test_a_base_or_a_foil_is_not_what_the_next_sentence_points_back_to(nlp_pipeline):
    text = ("与前一代以Mistral 7B为基础、采用Apache 2.0授权的Breeze-7B不同,Breeze 2必须沿用Meta的Llama社群授权。"
            "该授权附带可接受使用政策,且产品月活跃用户若超过7亿,须另向Meta申请授权。")
    assert {("Breeze 2", "usage_threshold"), ("Breeze 2", "use_restrictions")} <= signals(nlp_pipeline, text)
    assert not any(subject == "Mistral 7B" for subject, _ in signals(nlp_pipeline, text))


@pytest.mark.parametrize("text, expected", [
    # "I would call" is a judgement, not a hypothetical; "Small 3" names Mistral Small 3 after Mistral is named
    ("Mistral released Small 3 in January. I would call Small 3 an open-weights model, not open source.",
     {("Mistral Small 3", "disputed"), ("Mistral Small 3", "weights_only")}),
    # "released the weights, not the training data": weights only, the data held back, no open claim
    ("OpenAI launched gpt-oss. But OpenAI released the weights, not the training data.",
     {("gpt-oss", "training_data_undisclosed")}),
])
def test_judgements_and_weights_without_data(nlp_pipeline, text, expected):
    assert expected <= claims(nlp_pipeline, text) | signals(nlp_pipeline, text)
    assert ("OpenAI", "open") not in claims(nlp_pipeline, text)
