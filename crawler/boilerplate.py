"""Line rules for page furniture that extractors leave in: spam keyword headers, bylines,
breadcrumbs, share/like buttons, photo credits, and the trailer (disclaimers, reprint notices,
related-article lists) that follows the article.

The predicates take the simplified form of a line (`simplified(line)`: OpenCC t2s, pinyin
glosses removed), so one vocabulary covers simplified and traditional pages.
"""
from __future__ import annotations

import re
from itertools import groupby

from crawler.datelines import contains_date
from crawler.normalize import normalize

_SPAM_WORDS = re.compile(
    "在线观看|在线播放|免费|精品|视频|综合网|一区二区|国产|亚洲|欧美|日韩|午夜|无码|黄色|伦理|成人|丝袜|第一页|久久|高清|av")
_SENTENCE_PUNCT = re.compile(r"[。!?!?]")
_SENTENCE_END = re.compile(r"[。.!?！？」”\"]$")
_UI_WORDS = re.compile(
    r"分享到?|转藏|献花|发表|评论|条评论|收藏|点赞|举报|打印|返回顶部|返回首页|关闭窗口|图片|在看|阅读全文|赞|复制链接|微信|微博|"
    r"share|tweet|print|comments?|like|copy link|skip to (?:main )?content|sign in|sign up|log in|subscribe|"
    r"facebook|twitter|linkedin|e-?mail|whatsapp|reddit|telegram|weibo|wechat|hacker news|\bline\b|\bx\b", re.IGNORECASE)
_UI_FILLER = re.compile(r"[\W\d_]+")
_BREADCRUMB = re.compile(r"[>›»].*[>›»]|^(?:you are here|当前位置|您的位置)\s*[::]", re.IGNORECASE)
_TAGS = re.compile(r"^(?:tags?|keywords|topics|标签|关键词|关键字)\s*[::]", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(r"^(封面)?(图片|图)(消息)?(来源|来自|提供)[::]|^(photo|image)( credit)?[::]", re.IGNORECASE)
_BYLINE = re.compile(r"^(责任编辑|编辑|作者|记者|撰文|编译|出品|来源|文|图|by|authors?|written by|reviewed by)\s*[::|/ ]"
                     r"|(记者|编辑)\s*\S+|^\S{2,8}报道$|^\S{1,8}\s*发自\s*\S+$", re.IGNORECASE)
# "Léa Fontaine, Contributing Editor"
_NAME_AND_ROLE = re.compile(r"^([A-Z][\w'’-]+(?: [A-Z][\w'’-]+){1,2}),\s*(?:[\w-]+\s+){0,2}"
                            r"(?:editor|writer|reporter|correspondent|columnist|analyst|contributor)s?$", re.IGNORECASE)
_AUTHOR = re.compile(r"(?:作者|记者|撰文|^by|^authors?:)\s*[::]?\s*([^\s::,,|/]{2,20}(?: [A-Z][a-z]+)?)", re.IGNORECASE)
# a menu or a row of links: "News | Reviews | AI", "Subscribe    Sign in", "量子位 | 公众号 QbitAI"
_MENU_SPLIT = re.compile(r"\s*[|｜]\s*|\s{2,}|\s+[·•]\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_SPACED_MENU_ITEMS, MAX_SPACED_MENU_ITEM_CHARS = 4, 6  # "极客公园 首页 资讯 深度 活动 IF大会"
MAX_MENU_ITEM_CHARS = 12
_LIST_HEADING = re.compile(
    r"^(相关内容|相关阅读|相关文章|相关推荐|相关新闻|推荐阅读|热门资讯|热门推荐|热门文章|猜你喜欢|类似文章|延伸阅读|"
    r"更多精彩|最新文章|大家都在看|related (articles|stories|posts)|read more|more from)", re.IGNORECASE)
_DISCLAIMER = re.compile(
    r"如需转载|未经.{0,24}授权|免责声明|版权声明|版权所有|本站是提供|不(代表|表明).{0,8}(观点|立场)|以上就是关于.{0,80}的相关内容")
MAX_BYLINE_CHARS = 40
MAX_ENGLISH_BYLINE_CHARS = 80  # "By Lin Yutong in Beijing and Arjun Nair in Singapore"
MAX_FURNITURE_CHARS = 120
MIN_LIST_LINES = 3


def simplified(line: str) -> str:
    """The form every rule below expects: stripped, normalized (simplified Chinese, NFKC)."""
    return normalize(line.strip())


def is_spam(s: str) -> bool:
    """A keyword-stuffed header line: several spam words and no sentence."""
    return len(set(_SPAM_WORDS.findall(s.lower()))) >= 3 and not _SENTENCE_PUNCT.search(s)


def is_ui(s: str) -> bool:
    """Buttons and counters: nothing left once UI words, digits and punctuation are removed."""
    return not _UI_FILLER.sub("", _UI_WORDS.sub("", s))


def is_byline(s: str) -> bool:
    longest = MAX_ENGLISH_BYLINE_CHARS if s[:3].lower() == "by " else MAX_BYLINE_CHARS
    return len(s) <= longest and not _SENTENCE_PUNCT.search(s) and bool(_BYLINE.search(s) or _NAME_AND_ROLE.search(s))


def is_menu(s: str) -> bool:
    """A row of short items (navigation, sections, links), not a headline."""
    items = [item for item in _MENU_SPLIT.split(s.strip()) if item]
    if len(items) >= 2 and all(len(item) <= MAX_MENU_ITEM_CHARS for item in items):
        return True
    words = s.split()  # Chinese menus are also spaced by single spaces
    return (bool(_CJK.search(s)) and len(words) >= MIN_SPACED_MENU_ITEMS
            and all(len(w) <= MAX_SPACED_MENU_ITEM_CHARS for w in words))


def author_of(s: str) -> str | None:
    match = _AUTHOR.search(s) or _NAME_AND_ROLE.search(s)
    return match.group(1) if match else None


def is_furniture(s: str) -> bool:
    """Lines that are never article text wherever they appear."""
    if len(s) > MAX_FURNITURE_CHARS:
        return False
    return (is_spam(s) or is_ui(s) or bool(_PHOTO_CREDIT.search(s) or _TAGS.search(s))
            or (len(s) <= 60 and bool(_BREADCRUMB.search(s))))


def is_trailer_start(s: str) -> bool:
    """A line after which the rest of the page is disclaimers or links to other articles."""
    return len(s) <= 200 and bool(_DISCLAIMER.search(s) or _LIST_HEADING.search(s))


def is_promo(s: str) -> bool:
    """A 'Read more: <headline>' line: a link to one other article, which articles also carry
    between their own paragraphs (unlike a bare 'Related articles' heading over a list)."""
    heading = _LIST_HEADING.search(s)
    return bool(heading) and len(s) <= 200 and bool(_UI_FILLER.sub("", s[heading.end():]))


def is_prose(s: str) -> bool:
    """A line that reads as article text: long, or a sentence (link lists and headlines are neither)."""
    return len(s) >= 100 or (len(s) >= 30 and bool(_SENTENCE_END.search(s)))


def _is_dated_headline(s: str) -> bool:
    """Short, not a sentence, not a table row ('| 2019年6月9日 | ... |': data), and dated."""
    return len(s) < 100 and not s.startswith("|") and not _SENTENCE_END.search(s) and contains_date(s)


def _without_dated_lists(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Without runs of MIN_LIST_LINES or more headlines stamped with a date (lists of other
    articles: 'Headline 2019-09-09 19:28 Section')."""
    out = []
    for dated, run in groupby(kept, key=lambda pair: _is_dated_headline(pair[1])):
        run = list(run)
        if not dated or len(run) < MIN_LIST_LINES:
            out += run
    return out


def strip_boilerplate(lines: list[str]) -> list[tuple[str, str]]:
    """Body lines without furniture, cut at the trailer: (stripped line, its simplified form) pairs.

    A trailer start cuts the rest when no prose follows it, or once at least half the text precedes
    it; there, a promo line with prose after it is dropped alone. The simplified forms joined by
    newlines are the normalized text of the lines joined (normalization never crosses a line break)."""
    kept = [(line.strip(), simplified(line)) for line in lines if line.strip()]
    kept = [(line, s) for line, s in kept if not is_furniture(s)]
    kept = _without_dated_lists(kept)
    total = sum(len(s) for _, s in kept)
    seen, promos = 0, set()
    for index, (_, s) in enumerate(kept):
        if is_trailer_start(s):
            prose_after = any(is_prose(after) for _, after in kept[index + 1:])
            if not prose_after or (seen >= total / 2 and not is_promo(s)):
                kept = kept[:index]
                break
            if seen >= total / 2:
                promos.add(index)
        seen += len(s)
    return [pair for index, pair in enumerate(kept) if index not in promos]
