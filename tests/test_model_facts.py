"""Model facts: the licence/openness knowledge the dashboard sets claims against."""
import csv
import subprocess
import sys

from helpers import ROOT

from nlp.facts import FACTS_FILE, facts_for, name_key


def test_sized_variants_fall_back_to_their_family_but_not_across_versions():
    assert facts_for("Llama 3 70B").model == "Llama 3"
    assert facts_for("Qwen2.5-72B").model == "Qwen2.5"  # not the older "Qwen" row
    assert facts_for("llama-2").model == "Llama 2"
    assert facts_for("NoSuchModel 7B") is None


def test_openwashing_reason_follows_licence_and_release():
    assert facts_for("OLMo").openwashing_reason is None                      # fully open
    assert "not OSI-approved" in facts_for("Llama 2").openwashing_reason     # bespoke licence
    assert facts_for("GPT-4").openwashing_reason == "no weights are released"
    weights_only = [f for f in map(facts_for, ["Qwen", "Mistral Large 3"]) if f]
    assert weights_only and all(f.openwashing_reason.startswith("weights only") for f in weights_only)


def test_committed_facts_are_what_the_build_script_makes(shared_dir, tmp_path):
    """The data file is reproducible from the reference data (no hand edits drift in)."""
    before = FACTS_FILE.read_bytes()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_model_facts.py"), str(shared_dir / "reference")],
                   check=True, capture_output=True)
    assert FACTS_FILE.read_bytes() == before
    rows = list(csv.DictReader(FACTS_FILE.open(encoding="utf-8")))
    assert len({name_key(r["model"]) for r in rows}) == len(rows)  # one row per model name
