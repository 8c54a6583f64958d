"""Decoding, main-text extraction, datelines and furniture removal."""
from __future__ import annotations

import re
from datetime import date

import pytest

from crawler.cleaning import clean_html, clean_text
from crawler.encoding import decode_html
from crawler.normalize import normalize

ZH_BODY = ("开源模型的许可证常常限制商业使用，研究人员认为这并不符合开源定义。" * 4,
           "一些公司只公开了模型权重，没有公开训练数据，因此外界无法复现这些模型的训练过程。" * 3,
           "分析人士指出，开放程度的争议还会继续，监管机构也开始关注这一问题的影响。" * 3)
ZH_HANT_BODY = ("開源模型的許可證常常限制商業使用，研究人員認為這並不符合開源定義。" * 4,
                "一些公司只公開了模型權重，沒有公開訓練數據，因此外界無法復現這些模型的訓練過程。" * 3)


def page(body_paragraphs, charset_meta: str | None = None, head: str = "", furniture: bool = True,
         title: str = "开源模型之争") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in body_paragraphs)
    nav = ('<nav><ul><li><a href="/">首页</a></li><li><a href="/ai">人工智能</a></li></ul></nav>'
           '<div class="share">分享 收藏 点赞</div>') if furniture else ""
    footer = ('<footer><p>版权所有 示例网 未经授权禁止转载</p><ul class="related">'
              + "".join(f'<li><a href="/a/{i}">相关阅读：另一篇文章的标题第{i}篇</a></li>' for i in range(8))
              + "</ul></footer>") if furniture else ""
    return (f"<html><head>{meta}<title>{title}</title>{head}</head><body>{nav}"
            f"<article><h1>{title}</h1>{paragraphs}</article>{footer}</body></html>")


@pytest.mark.parametrize("encoding,declared", [
    ("gb18030", None),                 # no declaration at all
    ("gbk", "gb2312"),                 # declared GB2312, GBK content
    ("gbk", "iso-8859-1"),             # declared Latin-1, actually GBK
    ("utf-8", "gbk"),                  # declared GBK, actually UTF-8
])
def test_chinese_pages_decode_whatever_they_declare(encoding, declared):
    body = page(ZH_BODY, charset_meta=declared).encode(encoding)
    text, _ = decode_html(body)
    assert "训练数据" in text and "开源定义" in text


def test_big5_page_declared_only_in_http_header():
    body = page(ZH_HANT_BODY, furniture=False, title="開源模型").encode("big5")
    text, used = decode_html(body, {"Content-Type": "text/html; charset=big5"})
    assert "訓練數據" in text and used == "big5hkscs"


def test_http_charset_wins_when_it_decodes():
    body = "<html><body><p>café crème</p></body></html>".encode("cp1252")
    text, _ = decode_html(body, {b"Content-Type": [b"text/html; charset=windows-1252"]})
    assert "café crème" in text


def test_clean_html_keeps_body_drops_furniture_and_reads_metadata():
    head = ('<meta property="article:published_time" content="2024-03-09T16:19:03+08:00">'
            '<meta name="author" content="王小明">')
    result = clean_html(page(ZH_BODY, head=head).encode("gb18030"), url="https://example.cn/a/1.html")
    assert "外界无法复现这些模型的训练过程" in result.text
    assert "版权所有" not in result.text and "相关阅读" not in result.text and "收藏" not in result.text
    assert result.title == "开源模型之争" and result.author == "王小明"
    assert result.published_at.isoformat() == "2024-03-09T16:19:03+08:00" and result.date_origin == "page"
    assert result.language == "zh" and result.encoding == "gb18030"


def test_page_without_html_and_body_tags_is_still_extracted():
    """Markup that starts with neither <html> nor <body> and parses to one wrapper element."""
    paragraphs = "".join(f"<p>{p}</p>" for p in ZH_BODY)
    body = f'<section id="post"><div class="entry"><h1>开源模型之争</h1>{paragraphs}</div></section>'.encode()
    result = clean_html(body)
    assert "外界无法复现这些模型的训练过程" in result.text and "监管机构也开始关注" in result.text


def test_layout_table_cells_are_weighed_as_page_sections():
    """An old-style page laid out in one table: navigation, article and sidebar are cells of its rows."""
    nav = "".join(f'<a href="/c/{i}">栏目{i}</a> | ' for i in range(12))
    sidebar = "".join(f'<p><a href="/a/{i}">热门文章：另一篇完全不同的文章标题第{i}篇</a></p>' for i in range(10))
    article = "<h1>开源模型之争</h1>" + "".join(f"<p>{p}</p>" for p in ZH_BODY)
    body = (f'<html><head><meta charset="utf-8"></head><body><table width="900"><tr><td colspan="2">{nav}</td></tr>'
            f'<tr><td width="700">{article}</td><td width="200">{sidebar}</td></tr></table></body></html>').encode()
    result = clean_html(body)
    assert "外界无法复现这些模型的训练过程" in result.text and "监管机构也开始关注" in result.text
    assert "栏目" not in result.text and "另一篇完全不同的文章标题" not in result.text


@pytest.mark.parametrize("table,layout", [
    ("<table><tr><td>a</td><td>b</td></tr></table>", True),                             # one row
    ("<table><tr><td><table><tr><td>x</td></tr></table></td></tr><tr><td>y</td></tr></table>", True),  # nested
    ("<table role='presentation'>" + "<tr><td>a</td><td>b</td><td>c</td></tr>" * 12 + "</table>", True),
    ("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>", False),  # header cells
    ("<table>" + "<tr><td>a</td><td>b</td><td>c</td></tr>" * 12 + "</table>", False),     # many rows
])
def test_layout_and_data_tables_are_told_apart(table, layout):
    from lxml.html import fromstring

    from crawler.cleaning import _is_layout_table

    assert _is_layout_table(fromstring(f"<div>{table}</div>").find(".//table")) is layout


EN_PARAGRAPHS = [f"Paragraph {i} of the report explains how the licence of the open model restricts commercial use, "
                 f"why researchers disagree with the vendor, and what regulators said about it in hearing {i}."
                 for i in range(8)]


def split_page(between: str) -> bytes:
    """An article whose body is split in two containers of the same class (each in its own layout
    row), `between` them."""
    part = lambda ps: '<div class="row"><div class="article-body">' + "".join(f"<p>{p}</p>" for p in ps) + "</div></div>"
    return (f'<html><head><meta charset="utf-8"><title>Open models</title></head><body><h1>Open models</h1>'
            f'{part(EN_PARAGRAPHS[:4])}<div class="row">{between}</div>{part(EN_PARAGRAPHS[4:])}</body></html>').encode()


def test_article_body_split_by_an_ad_comes_out_whole():
    text = clean_html(split_page('<div class="ad"><span>Advertisement</span><div class="slot"></div></div>')).text
    assert all(p in text for p in EN_PARAGRAPHS) and "Advertisement" not in text


def test_dated_entries_of_the_same_class_are_not_joined():
    """A blog front page: each entry has its own title and date between the containers."""
    text = clean_html(split_page('<h2>Another post</h2><p class="meta">Posted March 9, 2024</p>')).text
    assert EN_PARAGRAPHS[0] in text and EN_PARAGRAPHS[-1] not in text


def test_clean_html_without_any_date_says_unknown():
    result = clean_html(page(ZH_BODY).encode("utf-8"))
    assert result.published_at is None and result.date_origin is None


@pytest.mark.parametrize("head,canonical", [
    ('<link rel="canonical" href=" /a/1.html ">', "https://example.cn/a/1.html"),
    ('<base href="https://m.example.cn/news/"><link rel="canonical" href="1.html">', "https://m.example.cn/news/1.html"),
    ("", None),
])
def test_rel_canonical_is_read_and_made_absolute(head, canonical):
    result = clean_html(page(ZH_BODY, head=head).encode("utf-8"), url="https://example.cn/amp/a/1.html?x=1")
    assert result.canonical == canonical


def test_traditional_page_is_normalized_to_simplified_beside_the_original():
    result = clean_html(page(ZH_HANT_BODY, furniture=False, title="開源模型").encode("big5"), headers={"content-type": "text/html; charset=big5"})
    assert "訓練數據" in result.text and "训练数据" in result.norm_text and result.language == "zh-Hant"


def test_clean_text_reads_header_and_drops_spam_and_trailer():
    text = "\n".join([
        "亚洲永久免费/亚洲大片在线观看/91综合网/国产精品第一页",
        "示例新闻 > 科技 > 正文",
        "开源还是闭源：大模型的路线之争",
        "示例日报 2024-05-06 08:15:00",
        "记者 李雷",
        *ZH_BODY,
        "5月7日，另一家公司也宣布了新模型。" * 3,
        "免责声明：本文仅代表作者观点。",
        "相关阅读",
        "2025年的另一篇文章",
    ])
    result = clean_text(text)
    assert result.title == "开源还是闭源：大模型的路线之争"
    assert result.author == "李雷"
    assert result.published_at.isoformat() == "2024-05-06T08:15:00+08:00"
    assert result.text.startswith("开源模型的许可证") and result.text.endswith("宣布了新模型。")
    assert "亚洲" not in result.text and "免责声明" not in result.text


@pytest.mark.parametrize("headline", [
    "DeepSeek冲击下，奥特曼坦言OpenAI在开源问题上「站错了历史的一边」",
    'Altman on open source: "We have been on the wrong side of history"',
])
def test_headline_ending_in_a_quotation_is_a_title_not_a_paragraph(headline):
    result = clean_text("\n".join([headline, "2025年2月3日 下午3:20　记者 黄雅婷", *ZH_BODY]))
    assert result.title == headline and result.published_at.date().isoformat() == "2025-02-03"
    assert clean_text("\n".join([*ZH_BODY, "他说：「这不是真正的开源，只是开放权重而已。」"])).published_at is None


def test_read_more_promo_between_paragraphs_does_not_end_the_article():
    from crawler.boilerplate import strip_boilerplate

    lines = [*EN_PARAGRAPHS[:5], "READ MORE: Regulators open an inquiry into model licences", *EN_PARAGRAPHS[5:],
             "Read more: Another headline about models", "Yet another headline about open weights"]
    kept = [line for line, _ in strip_boilerplate(lines)]
    assert kept == EN_PARAGRAPHS  # the promo dropped, the prose after it kept, the closing link list cut


def test_list_heading_with_no_prose_after_it_ends_a_short_article():
    """A short article followed by a longer list of headlines: the list goes though it is most of the text."""
    from crawler.boilerplate import strip_boilerplate

    headlines = [f"另一家公司宣布了新的开源模型计划之{i}" for i in range(12)]
    lines = [ZH_BODY[1], "网友评论仅供其表达个人看法，并不表明本站立场。", "热门推荐", *headlines]
    assert [line for line, _ in strip_boilerplate(lines)] == [ZH_BODY[1]]


def test_lists_of_dated_headlines_go_dated_sentences_and_table_rows_stay():
    from crawler.boilerplate import strip_boilerplate

    timeline = ["2009年3月14日展开演唱会。", "2012年11月1日，发行第七张个人专辑。", "2013年2月22日在新加坡演出。"]
    table = ["| 2019年6月9日 | 全州站 | 文化会馆 |", "| 2019年6月22日 | 釜山站 | 大剧场 |", "| 2019年7月6日 | 首尔站 | 大剧场 |"]
    headlines = [f"另一家公司宣布了新的开源模型计划之{i} 2019-09-09 19:{i:02d} 科技" for i in range(5)]
    lines = [ZH_BODY[0], *timeline, ZH_BODY[1], *table, ZH_BODY[2], *headlines, ZH_BODY[2]]
    assert [line for line, _ in strip_boilerplate(lines)] == [ZH_BODY[0], *timeline, ZH_BODY[1], *table, ZH_BODY[2], ZH_BODY[2]]


def test_second_pass_is_chosen_by_prose_not_length():
    """Precision mode kept only a long list of headlines; the recall pass holds the article's prose."""
    from crawler.cleaning import _parse, _second_pass

    headlines = [f"另一家公司宣布了新的开源模型计划之{i}" for i in range(30)]
    markup = (f'<html><body><article><p>{ZH_BODY[0]}</p><p>{ZH_BODY[2]}</p></article>'
              f'<ul class="hot">{"".join(f"<li>{h}</li>" for h in headlines)}</ul></body></html>')
    assert ZH_BODY[2] in _second_pass(_parse(markup), "\n".join(headlines))


def test_an_author_line_is_no_title_and_a_headline_above_the_title_stays():
    headline = "Musk's xAI opens up Grok-1 weights, but the training code stays closed"
    subtitle = "Base model released under Apache 2.0, with no fine-tuning for dialogue"
    result = clean_text("\n".join(["The Register", "AI + ML", headline, subtitle, "Thomas Claburn",
                                   "Mon 18 Mar 2024 // 19:45 UTC", *EN_PARAGRAPHS]))
    assert result.title in (headline, subtitle) and result.author == "Thomas Claburn"
    assert headline in (result.title, result.text.split("\n")[0])  # the headline is not dropped as furniture
    assert "The Register" not in result.text and "Thomas Claburn" not in result.text


def test_a_dateline_after_the_lead_paragraph_is_the_page_s_date():
    lead = "【导读】一家公司宣布开源新的混合推理模型,同时发布多个小尺寸模型。"
    result = clean_text("\n".join([lead, "2025年06月27日 18:02 北京", *ZH_BODY]))
    assert result.published_at.isoformat() == "2025-06-27T18:02:00+08:00"
    assert result.text.startswith(lead) and "18:02" not in result.text  # the lead stays, the dateline goes


def test_dates_inside_sentences_are_not_publication_dates():
    text = "一个标题：开源定义就要来了\n" + "\n".join(ZH_BODY) + "\n据时间表显示，他们预计在2024年10月15日正式宣布定义。"
    assert clean_text(text).published_at is None


@pytest.mark.shared
def test_seed_articles_dates_and_cleaning(shared_dir):
    gold = {"000": date(2023, 8, 28), "001": date(2024, 3, 9), "002": date(2023, 3, 17), "003": None, "004": None}
    for path in sorted((shared_dir / "seeds").glob("*.txt")):
        result = clean_text(path.read_text(encoding="utf-8"))
        found = result.published_at.date() if result.published_at else None
        assert found == gold[path.name[:3]], path.name
        assert "在线观看" not in result.text and "免责声明" not in result.text and "如需转载" not in result.norm_text
        assert len(result.norm_text) > 1000 and result.language in ("zh", "zh-Hant")


def test_normalize_repairs_glosses_entities_and_mangled_glosses():
    assert normalize("大模型應(yīng)該開源") == "大模型应该开源"
    assert normalize("這是因?yàn)&ldquo;開源&rdquo;") == "这是因“开源”"
    assert normalize("AT&T and Q&A") == "AT&T and Q&A"
    assert normalize("經(jīng)濟?yàn)?wèi)發展") == "经济发展"  # a run of mangled glosses
    assert normalize("Beijing (běi) and x?yàn)") == "Beijing (běi) and x?yàn)"  # not after a CJK character


@pytest.mark.parametrize("text,language", [
    ("Too few words here", None),
    ("Five words make English text.", "en"),
    ("开源模型的许可证常常限制商业使用，研究人员认为这并不符合开源定义。", "zh"),
    ("開源模型的許可證常常限制商業使用，研究人員認為這並不符合開源定義。", "zh-Hant"),
    ("The model called 开源 is described in English with a few Chinese words in between.", "en"),
])
def test_detect_language(text, language):
    from crawler.normalize import detect_language

    assert detect_language(text) == language


@pytest.mark.shared
def test_seed_articles_wrapped_in_page_furniture_come_out_whole(shared_dir):
    """Each real seed body, served as an HTML page with nav, share bar, related list and footer."""
    for path in sorted((shared_dir / "seeds").glob("*.txt")):
        seed = clean_text(path.read_text(encoding="utf-8"))
        paragraphs = seed.text.splitlines()
        result = clean_html(page(paragraphs, title=seed.title or "标题").encode("utf-8"), url="https://example.cn/a/1.html")
        kept = result.norm_text
        # one seed carries mojibake debris (private-use characters); the extractor drops those
        expected = [re.sub("[\ue000-\uf8ff]", "", normalize(p)) for p in paragraphs]
        missing = [p for p in expected if len(p) >= 20 and p not in kept]
        assert not missing, (path.name, missing[:3])
        for furniture in ("首页", "分享 收藏 点赞", "版权所有 示例网", "另一篇文章的标题"):
            assert furniture not in kept, (path.name, furniture)


def test_a_headline_that_reads_like_a_sentence_is_found_above_standfirst_byline_and_dateline():
    headline = "Meta's new model arrives as an 'open source' release. Read the license first."
    standfirst = ("The 405-billion-parameter model trades blows with the best closed systems on several benchmarks, "
                  "and Meta says anyone can download it. There are strings attached.")
    page = ["Skip to main content", "TechWire | News  Reviews  AI  Security", "Subscribe    Sign in", "AI",
            headline, standfirst, "By Lin Yutong in Beijing and Arjun Nair in Singapore", "July 23, 2024 6:41 PM ET",
            "Share this article", "Facebook   X   LinkedIn   Email   Copy link", *EN_PARAGRAPHS,
            "Tags: licensing, open models"]
    result = clean_text("\n".join(page))
    assert result.title == headline and result.author == "Lin Yutong"
    assert result.published_at.isoformat() == "2024-07-23T18:41:00+00:00"  # PM read, the day kept
    assert result.text.startswith(standfirst)
    for furniture in ("Sign in", "LinkedIn", "Tags:", "TechWire"):
        assert furniture not in result.text


def test_a_labelled_date_in_a_metadata_row_and_menus_are_no_titles():
    headline = "“免费商用”还要发邮件？百川2开源引争议，百川回应了"
    result = clean_text("\n".join(["量子位  首页  资讯  智能车  智库  活动", headline, "云中 发自 凹非寺", "量子位 | 公众号 QbitAI",
                                   "作者 Atkinson | 发布日期 2023 年 09 月 12 日 16:40 | 分类 AI 人工智慧 , Google , 软体",
                                   *ZH_BODY]))
    assert result.title == headline
    assert result.published_at.isoformat() == "2023-09-12T16:40:00+08:00"
    assert "公众号" not in result.text and "发布日期" not in result.text


def test_updated_line_gives_way_to_the_published_dateline_and_an_editor_line_is_a_byline():
    headline = "Why the new model's licence worries open-source lawyers"
    page = ["You are here: Home / AI / Policy", headline, "Léa Fontaine, Contributing Editor",
            "Updated: March 3, 2025 9:10 AM", "Published: February 27, 2025", *EN_PARAGRAPHS]
    result = clean_text("\n".join(page))
    assert result.title == headline and result.author == "Léa Fontaine"
    assert result.published_at.date() == date(2025, 2, 27)
    for furniture in ("You are here", "Contributing Editor", "Updated"):
        assert furniture not in result.text


def test_a_spaced_chinese_menu_is_no_title_and_a_source_line_dates_an_undated_header():
    headline = "开源大模型的许可证里藏着哪些限制条款"
    result = clean_text("\n".join(["极客公园 首页 资讯 深度 活动 IF大会", headline, *ZH_BODY,
                                   "来源：钛媒体 2025-07-14 21:40"]))
    assert result.title == headline
    assert result.published_at.isoformat() == "2025-07-14T21:40:00+08:00"
    assert "首页" not in result.text


def test_a_footer_time_stamp_dates_an_undated_page_but_a_date_inside_a_sentence_does_not():
    headline = "开源大模型的许可证里藏着哪些限制条款"
    stamped = clean_text("\n".join([headline, *ZH_BODY, "责任编辑：刘明亮", "2025年02月26日 08:30  新浪科技"]))
    assert stamped.published_at.isoformat() == "2025-02-26T08:30:00+08:00"
    assert clean_text("\n".join([headline, *ZH_BODY, "2025年02月26日 新浪科技"])).published_at is None
    noted = clean_text("\n".join([headline, *ZH_BODY, "This explainer was first published on 12 August 2025."]))
    assert noted.published_at.date().isoformat() == "2025-08-12"


def test_a_date_above_the_headline_day_first_and_a_date_among_metadata_items():
    headline = "BRIEF-Mistral AI releases Codestral coding model under non-production licence"
    page = ["TECHWIRE  •  Breaking  •  Markets  •  Technology", "29/05/2024 16:47 CEST", headline,
            "[Share] [Tweet] [Email]        Reporting by Claire Dubois; Editing by Mark Ellison", *EN_PARAGRAPHS]
    result = clean_text("\n".join(page))
    assert result.title == headline and result.published_at.date() == date(2024, 5, 29)
    page = ["OLMo 2: five things to know about the fully open models",
            "Written by Sam Kettering  ·  Nov 27, 2024  ·  7 min read", *EN_PARAGRAPHS]
    assert clean_text("\n".join(page)).published_at.date() == date(2024, 11, 27)


@pytest.mark.parametrize("line, expected", [
    ("05/29/2024", date(2024, 5, 29)),   # month first: 29 is no month
    ("29.05.2024", date(2024, 5, 29)),   # day first
    ("05/06/2024", None),                # June 5 or May 6: not guessed
    ("Version 1.2.2024", None),
])
def test_slashed_dates_are_read_only_when_unambiguous(line, expected):
    from crawler.datelines import dateline
    found = dateline(line)
    assert (found[0] if found else None) == expected
