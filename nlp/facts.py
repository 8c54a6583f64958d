"""Licence and openness facts per model (nlp/data/model_facts.csv), to set claims against facts.

The file is built by scripts/build_model_facts.py from the European Open Source AI Index grades
and licence facts. `assessed_class` is one of open_source, open_weights (OSI licence, but data or
training code withheld), open_weights_restricted (non-OSI licence) or closed (no weights).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.names import name_key

FACTS_FILE = Path(__file__).with_name("data") / "model_facts.csv"
_SIZE = re.compile(r"[\s\-_]+\d+(?:\.\d+)?[bmt]$", re.IGNORECASE)  # " 70B", "-72B"


@dataclass(frozen=True)
class ModelFacts:
    model: str
    organization: str
    release_date: str
    license: str
    license_osi_approved: str  # yes | no | mixed | unknown
    weights_open: str          # yes | partial | no | ""
    training_data_open: str
    training_code_open: str
    openness_score: float | None
    assessed_class: str
    restrictions: str
    source: str

    @property
    def openwashing_reason(self) -> str | None:
        """Why an `open` claim about this model would be an open-washing candidate, or None."""
        if self.assessed_class == "closed":
            return "no weights are released"
        if self.license_osi_approved in ("no", "mixed"):
            return f"licence is not OSI-approved open source ({self.license})"
        if self.assessed_class == "open_weights":
            return "weights only: training data or training code are not released"
        return None


@lru_cache(maxsize=1)
def load_model_facts() -> dict[str, ModelFacts]:
    """All facts, keyed by name_key(model)."""
    with FACTS_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        name_key(r["model"]): ModelFacts(**{**r, "openness_score": float(r["openness_score"]) if r["openness_score"] else None})
        for r in rows
    }


def facts_for(model: str) -> ModelFacts | None:
    """Facts for a model name; a sized variant (Llama 3 70B) falls back to its family (Llama 3)."""
    facts = load_model_facts()
    key = name_key(model)
    return facts.get(key) or facts.get(name_key(_SIZE.sub("", model)))
