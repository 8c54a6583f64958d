"""The pipeline's tokenizer: spaCy's jieba-segmenting Chinese tokenizer where word boundaries matter.

jieba costs more than everything else the pipeline does, and only one component needs its
words: the search for unknown Chinese organizations right before 公司/大学/研究所… So
`openwatch.SelectiveChineseTokenizer.v1` segments with jieba (and the knowledge-base user
dictionary) only the stretches that match `jieba_when`; the rest becomes Latin words, digits and
single CJK characters and punctuation marks, which keeps every character offset exact.

A stretch is one of jieba's own blocks (a run of CJK, Latin letters, digits and `+#&._%-`):
`jieba.cut` splits its input into these blocks and segments each on its own, so the words of a
block segmented alone are the words jieba gives it inside the whole text.
"""
from __future__ import annotations

import re

from jieba import re_han_default as _BLOCK
from spacy.lang.zh import ChineseTokenizer
from spacy.tokens import Doc
from spacy.util import registry

# a word (Latin/digits) or any other single character, with the one space after it; or other whitespace
_PIECE = re.compile(r"[A-Za-z0-9]+(?:[.'’_-][A-Za-z0-9]+)*(?: (?! ))?|\s+|\S(?: (?! ))?")


class SelectiveChineseTokenizer(ChineseTokenizer):
    """jieba for the blocks matching `jieba_when`, a cheap regex split for the rest."""

    def __init__(self, vocab, jieba_when: str):
        super().__init__(vocab, segmenter="jieba")
        self.jieba_when = re.compile(jieba_when)

    def __call__(self, text: str) -> Doc:
        pieces, pos = [], 0  # words and whitespace tokens, a word with its one trailing space
        if self.jieba_when.search(text):
            for block in _BLOCK.finditer(text):
                if self.jieba_when.search(block.group()):
                    pieces += _PIECE.findall(text, pos, block.start())
                    pieces += self.jieba_seg.cut(block.group(), cut_all=False)
                    pos = block.end()
        pieces += _PIECE.findall(text, pos)
        spaces = [len(p) > 1 and p[-1] == " " and not p.isspace() for p in pieces]
        return Doc(self.vocab, words=[p[:-1] if sp else p for p, sp in zip(pieces, spaces)], spaces=spaces)


@registry.tokenizers("openwatch.SelectiveChineseTokenizer.v1")
def create_tokenizer(jieba_when: str):
    def make(nlp):
        return SelectiveChineseTokenizer(nlp.vocab, jieba_when)

    return make
