"""OpenWatch NLP: who calls which AI model or company open, closed or disputed, and on what grounds.

`load_pipeline()` returns the cached spaCy pipeline (config: `nlp/data/pipeline.cfg`);
`nlp.extract.extract_docs(texts)` runs the whole extraction on article texts.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# Bump when rules, knowledge base or components change what is extracted: stored articles
# with an older version are re-extracted by `openwatch extract`.
EXTRACTOR_VERSION = "2026.11.23-70"
CONFIG = Path(__file__).parent / "data" / "pipeline.cfg"


@lru_cache(maxsize=4)
def load_pipeline(pretrained_ner: str | None = None):
    """The spaCy Language built from `pipeline.cfg` (optionally with a pretrained NER for organizations)."""
    import logging

    import jieba
    import spacy
    from spacy.util import load_config

    import nlp.components  # noqa: F401  (registers the factories)
    import nlp.tokenizer  # noqa: F401  (registers the tokenizer)

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on stderr
    config = load_config(CONFIG)
    if pretrained_ner:
        config["components"]["openwatch_entities"]["pretrained_ner"] = pretrained_ner
    return spacy.util.load_model_from_config(config, auto_fill=True)
