"""`openwatch eval`: precision/recall/F1 of extraction output against a gold YAML.

Gold format: shared/eval/GUIDELINES.md (one entry per article: orgs, models, optional,
claims, signals, published). Names compare after NFKC, traditional→simplified, case folding
and removal of spaces/hyphens/dots; gold aliases are written "A|B". Optional names count
neither as hits nor as false alarms. `family=True` also folds size suffixes (Llama 3 70B → Llama 3).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from nlp.names import name_key

from openwatch.cli.common import UserError

KINDS = ("entities", "claims", "signals")


class Aliases:
    """Every alias of a gold name maps to the key of its first alias."""

    def __init__(self, family: bool):
        self.family, self.keys = family, {}

    def add(self, gold: str) -> str:
        names = [a.strip() for a in str(gold).split("|") if a.strip()]
        key = name_key(names[0], self.family)
        for a in names:
            self.keys.setdefault(name_key(a, self.family), key)
        return key

    def __call__(self, name: str) -> str:
        k = name_key(name, self.family)
        return self.keys.get(k, k)


def load_gold(path: Path) -> list[dict]:
    try:
        entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read gold file {path}: {exc}") from exc
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "article" in e for e in entries):
        raise UserError(f"{path}: expected a list of entries with an 'article' key (see GUIDELINES.md)")
    return entries


def find_articles(gold: Path, entries: list[dict], folder: Path | None) -> list[Path]:
    """The article file of each entry: in `folder`, next to the gold file, in articles/ beside it, or in ../seeds."""
    folders = [folder] if folder else [gold.parent, gold.parent / "articles", gold.parent.parent / "seeds"]
    out = []
    for e in entries:
        name = Path(e["article"]).name
        found = next((f / name for f in folders if (f / name).is_file()), None)
        if found is None:
            raise UserError(f"article {name} of {gold} not found in {', '.join(map(str, folders))}; "
                            "pass --articles FOLDER")
        out.append(found)
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(entries: list[dict], predictions: dict[str, dict], family: bool = False) -> tuple[dict, dict]:
    """Totals per kind (tp, fp, fn), date hits, and per-article misses/spurious items."""
    totals = {k: [0, 0, 0] for k in KINDS}
    dates, details = [0, 0], {}
    for g in entries:
        names = Aliases(family)
        gold = {"entities": {names.add(n) for n in (g.get("orgs") or []) + (g.get("models") or [])}}
        optional = {names.add(n) for n in g.get("optional") or []} - gold["entities"]
        gold["claims"] = {(names.add(c["subject"]), c["stance"]) for c in g.get("claims") or []}
        gold["signals"] = {(names.add(s["subject"]), s["signal"]) for s in g.get("signals") or []}
        p = predictions.get(Path(g["article"]).name, {})
        pred = {"entities": {names(e.get("canonical") or e.get("text", "")) for e in p.get("entities") or []} - optional,
                "claims": {(names(c["subject"]), c["stance"]) for c in p.get("claims") or []},
                "signals": {(names(s["subject"]), s["signal"]) for s in p.get("signals") or []}}
        pred["claims"] = {c for c in pred["claims"] if c[0] not in optional}
        pred["signals"] = {s for s in pred["signals"] if s[0] not in optional}
        details[g["article"]] = {}
        for kind in KINDS:
            hit, fp, fn = gold[kind] & pred[kind], pred[kind] - gold[kind], gold[kind] - pred[kind]
            t = totals[kind]
            t[0], t[1], t[2] = t[0] + len(hit), t[1] + len(fp), t[2] + len(fn)
            details[g["article"]][kind] = (sorted(map(str, fn)), sorted(map(str, fp)))
        if "published" in g:
            want = str(g["published"]) if g["published"] else None
            dates[0] += want == (str(p["published"])[:10] if p.get("published") else None)
            dates[1] += 1
    return {"totals": totals, "dates": dates}, details


def report(entries: list[dict], predictions: dict[str, dict]) -> str:
    """Per-article misses, then P/R/F1 per kind (strict and family) and date accuracy."""
    strict, details = score(entries, predictions)
    family, _ = score(entries, predictions, family=True)
    lines = []
    for article, kinds in details.items():
        for kind, (missed, spurious) in kinds.items():
            if missed or spurious:
                lines.append(f"{article} {kind}: missed {missed} spurious {spurious}")
    for kind in KINDS:
        p, r, f = _prf(*strict["totals"][kind])
        lines.append(f"{kind:9s} P {p:.3f} R {r:.3f} F1 {f:.3f}   (family F1 {_prf(*family['totals'][kind])[2]:.3f})")
    hits, n = strict["dates"]
    lines.append(f"dates accuracy {hits / n:.3f}" if n else "dates accuracy n/a")
    return "\n".join(lines)
