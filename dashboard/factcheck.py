"""Claims against facts: licence and openness grades of models (nlp.facts) beside what is claimed.

An `open` claim about a model whose licence is not OSI-approved, whose weights only are released,
or that releases no weights at all, is an open-washing candidate (`ModelFacts.openwashing_reason`).
"""
from __future__ import annotations

import pandas as pd

from nlp.facts import facts_for

FACT_COLUMNS = ["license", "license_osi_approved", "weights_open", "training_data_open", "training_code_open",
                "openness_score", "assessed_class"]


def facts_frame(models: list[str]) -> pd.DataFrame:
    """One row per model the knowledge base has facts for (matched by normalized name, sizes fall back to the family)."""
    rows = []
    for model in models:
        facts = facts_for(model)
        if facts is not None:
            rows.append({"model": model, "facts_for": facts.model, **{c: getattr(facts, c) for c in FACT_COLUMNS},
                         "openwashing_reason": facts.openwashing_reason})
    return pd.DataFrame(rows, columns=["model", "facts_for", *FACT_COLUMNS, "openwashing_reason"])


def candidates(by_subject: pd.DataFrame) -> pd.DataFrame:
    """Models with `open` claims whose facts say they are not open source, most open claims first.

    `by_subject` is `queries.claims_by_subject` (entity rows with stance counts).
    """
    open_claims = by_subject[(by_subject["kind"] == "model") & (by_subject["stance"] == "open")]
    counts = open_claims.groupby("subject")["count"].sum()
    facts = facts_frame(list(counts.index))
    facts = facts[facts["openwashing_reason"].notna()]
    facts.insert(1, "open_claims", facts["model"].map(counts).astype(int))
    return facts.sort_values("open_claims", ascending=False).reset_index(drop=True)
