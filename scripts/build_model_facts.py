#!/usr/bin/env python3
"""Rebuild nlp/data/model_facts.csv from the openness reference data.

    python scripts/build_model_facts.py ../shared/reference

Inputs: models.csv (European Open Source AI Index grades, one row per graded system) and
licenses.csv (licence facts). Output: one row per model name with its licence, the index's
openness grades and an assessed class, plus a few well-known families the index does not
grade (from supplements below, with the licence they were released under).
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nlp.facts import name_key  # noqa: E402  (one definition of "the same name")

OUT = Path(__file__).resolve().parents[1] / "nlp" / "data" / "model_facts.csv"
COLUMNS = ["model", "organization", "release_date", "license", "license_osi_approved", "weights_open",
           "training_data_open", "training_code_open", "openness_score", "assessed_class", "restrictions",
           "source"]
STATUS_RANK = {"current": 0, "superseded": 1, "archived": 2, "removed": 3}

# Families the index does not grade (or grades under another name), with the licence row of
# licenses.csv they were released under. Facts: public licence texts and release notes.
SUPPLEMENTS = [
    ("Llama 2", "Meta", "2023-07", "Llama 2 Community License Agreement (2023-07)", "yes"),
    ("Code Llama", "Meta", "2023-08", "Llama 2 Community License Agreement (2023-07)", "yes"),
    ("Llama 3", "Meta", "2024-04", "Meta Llama 3 Community License Agreement (2024-04)", "yes"),
    ("Llama 3.1", "Meta", "2024-07", "Llama 3.1 Community License Agreement (2024-07)", "yes"),
    ("Llama 3.1 405B", "Meta", "2024-07", "Llama 3.1 Community License Agreement (2024-07)", "yes"),
    ("Llama 3.2", "Meta", "2024-09", "Llama 3.2 / 3.3 / 4 Community License Agreements (2024-09 .. 2025-04)", "yes"),
    ("Gemma 2", "Google", "2024-06", "Gemma Terms of Use + Gemma Prohibited Use Policy (2024-02, updated)", "yes"),
    ("Gemma 3", "Google", "2025-03", "Gemma Terms of Use + Gemma Prohibited Use Policy (2024-02, updated)", "yes"),
    ("Mistral Large 2", "Mistral AI", "2024-07", "Mistral AI Research License (MRL-0.1)", "yes"),
    ("Codestral", "Mistral AI", "2024-05", "Mistral AI Non-Production License (MNPL-0.1)", "yes"),
    ("Mixtral", "Mistral AI", "2023-12", "Apache License 2.0", "yes"),
    ("Qwen2.5", "Alibaba", "2024-09", "Qwen LICENSE AGREEMENT (2024)", "yes"),
    ("DeepSeek-R1", "DeepSeek", "2025-01", "MIT License", "yes"),
    ("Flux", "Black Forest Labs", "2024-08", "FLUX.1 [dev] Non-Commercial License / FLUX [dev] Non-Commercial License v2.0", "yes"),
    ("Grok-1", "xAI", "2024-03", "Grok-1 release under Apache-2.0 (2024-03)", "yes"),
    ("Grok 2", "xAI", "2025-08", "Grok 2 Community License Agreement (2025-08)", "yes"),
    ("Hunyuan", "Tencent", "2024-11", "Tencent Hunyuan Community License Agreement", "yes"),
    ("Stable Diffusion 3", "Stability AI", "2024-06", "Stability AI Community License (2024-07)", "yes"),
    ("ChatGPT", "OpenAI", "2022-11", "OpenAI Terms of Use / Services Agreement (proprietary, API only)", "no"),
    ("GPT-4", "OpenAI", "2023-03", "OpenAI Terms of Use / Services Agreement (proprietary, API only)", "no"),
    ("GPT-4o", "OpenAI", "2024-05", "OpenAI Terms of Use / Services Agreement (proprietary, API only)", "no"),
]


def assessed_class(row: dict) -> str:
    """The mapping of openwashing-signals.yaml: closed / open_source / open_weights(_restricted)."""
    if row["g_weights_basemodel"] == "closed" and row["g_weights_endmodel"] == "closed":
        return "closed"
    fully_open = all(row[k] == "open" for k in ("g_weights_endmodel", "g_datasources_basemodel",
                                                 "g_datasources_endmodel", "g_trainingcode", "g_licenses"))
    if fully_open:
        return "open_source"
    return "open_weights" if row["license_osi_approved"] == "yes" else "open_weights_restricted"


def index_rows(models_csv: Path) -> dict[str, dict]:
    """One row per model name: the current grading, else the most recently graded one."""
    best: dict[str, dict] = {}
    for row in csv.DictReader(models_csv.open(encoding="utf-8")):
        key = name_key(row["model"])
        rank = (-STATUS_RANK.get(row["status"], 9), row["graded_at"])
        if key not in best or rank > (-STATUS_RANK.get(best[key]["status"], 9), best[key]["graded_at"]):
            best[key] = row
    out = {}
    for row in best.values():
        out[name_key(row["model"])] = {
            "model": row["model"], "organization": row["organization"], "release_date": row["release_date"],
            "license": row["license_name"] or "unknown", "license_osi_approved": row["license_osi_approved"] or "unknown",
            "weights_open": row["weights_open"], "training_data_open": row["training_data_open"],
            "training_code_open": row["training_code_open"], "openness_score": row["openness_score"],
            "assessed_class": assessed_class(row), "restrictions": "",
            "source": f"European Open Source AI Index {row['index_commit']} {row['index_file']}",
        }
    return out


def supplement_rows(licenses_csv: Path) -> dict[str, dict]:
    licenses = {r["license"]: r for r in csv.DictReader(licenses_csv.open(encoding="utf-8"))}
    out = {}
    for model, org, released, license_name, weights in SUPPLEMENTS:
        lic = licenses[license_name]
        osi = lic["osi_approved"]
        cls = "closed" if weights == "no" else ("open_weights" if osi == "yes" else "open_weights_restricted")
        out[name_key(model)] = {
            "model": model, "organization": org, "release_date": released, "license": license_name,
            "license_osi_approved": osi, "weights_open": weights, "training_data_open": "no" if weights == "no" else "",
            "training_code_open": "no" if weights == "no" else "", "openness_score": "", "assessed_class": cls,
            "restrictions": lic["restrictions"], "source": f"licence facts: {lic['source']}",
        }
    return out


def main(reference: Path) -> None:
    rows = index_rows(reference / "models.csv")
    for key, row in supplement_rows(reference / "licenses.csv").items():
        graded = rows.get(key)
        if graded is None:
            rows[key] = row
        elif graded["license_osi_approved"] == "unknown" or graded["license"] in ("NA", "unknown"):  # unnamed licence
            graded.update({k: row[k] for k in ("license", "license_osi_approved", "restrictions")})
            graded["source"] += f"; {row['source']}"
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(sorted(rows.values(), key=lambda r: r["model"].casefold()))
    print(f"wrote {len(rows)} models to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference"))
