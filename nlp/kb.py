"""The knowledge base: organizations and models with aliases, loaded from YAML data files.

The bundled file is `nlp/data/kb.yaml` (hand-curated). Analysts add their own files without code changes: every
`*.yaml` in `$OPENWATCH_DATA_DIR/kb/` and every path in `OPENWATCH_KB_EXTRA` (separated by the
OS path separator) is loaded after the bundled ones. An extra entry whose name already exists
extends that entry (more aliases, a developer link) instead of duplicating it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlp.names import name_key

DATA_DIR = Path(__file__).parent / "data"
BUNDLED = (DATA_DIR / "kb.yaml",)
_LATIN = re.compile(r"[A-Za-z]")


class KBError(ValueError):
    """The knowledge base files are malformed or inconsistent."""


@dataclass
class Entry:
    name: str
    kind: str  # org | model
    aliases: list[str] = field(default_factory=list)
    org: str | None = None
    family: str | None = None
    context: bool = False
    referee: bool = False  # an org that defines or judges openness (OSI): never a claim's subject
    source: str = ""

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class KnowledgeBase:
    entries: dict[tuple[str, str], Entry]
    files: list[Path]

    def orgs(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind == "org"]

    def models(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind == "model"]

    def get(self, kind: str, name: str) -> Entry | None:
        return self.entries.get((kind, name))

    def problems(self) -> list[str]:
        """Inconsistencies an analyst must fix: one alias on two entries, unknown links."""
        out = []
        owner: dict[str, Entry] = {}
        for e in self.entries.values():
            for alias in e.all_names():
                key = name_key(alias)
                other = owner.setdefault(key, e)
                if other is not e and other.name != e.name:
                    out.append(f"alias {alias!r} is used by {other.kind} {other.name!r} ({other.source}) "
                               f"and {e.kind} {e.name!r} ({e.source})")
            if e.org and ("org", e.org) not in self.entries:
                out.append(f"model {e.name!r} ({e.source}): developer {e.org!r} is not an organization in the KB")
            if e.family and ("model", e.family) not in self.entries:
                out.append(f"model {e.name!r} ({e.source}): family {e.family!r} is not a model in the KB")
        return out


def extra_paths() -> list[Path]:
    """Analysts' files: $OPENWATCH_DATA_DIR/kb/*.yaml and OPENWATCH_KB_EXTRA."""
    from openwatch.config import get_settings

    paths = sorted((Path(get_settings().data_dir) / "kb").glob("*.yaml"))
    env = os.environ.get("OPENWATCH_KB_EXTRA", "")
    paths += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    return paths


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise KBError(f"cannot read knowledge-base file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise KBError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not set(data) <= {"orgs", "models"}:
        raise KBError(f"{path}: expected a mapping with the keys 'orgs' and/or 'models'")
    return data


def _entry(raw, kind: str, path: Path, i: int) -> Entry:
    where = f"{path.name}: {kind}[{i}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise KBError(f"{where}: every entry needs a 'name' string")
    unknown = set(raw) - {"name", "aliases", "org", "family", "context", "referee"}
    if unknown:
        raise KBError(f"{where} ({raw['name']}): unknown field(s) {sorted(unknown)}")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise KBError(f"{where} ({raw['name']}): 'aliases' must be a list of non-empty strings")
    if kind == "orgs" and ("org" in raw or "family" in raw):
        raise KBError(f"{where} ({raw['name']}): 'org' and 'family' belong to models")
    if kind == "models" and "referee" in raw:
        raise KBError(f"{where} ({raw['name']}): 'referee' belongs to organizations")
    return Entry(name=raw["name"].strip(), kind="org" if kind == "orgs" else "model",
                 aliases=[a.strip() for a in aliases], org=raw.get("org"), family=raw.get("family"),
                 context=bool(raw.get("context", False)), referee=bool(raw.get("referee", False)),
                 source=path.name)


def load_kb(paths: list[Path] | None = None, with_extras: bool = True) -> KnowledgeBase:
    """Load the bundled files (or `paths`) and, unless told otherwise, the analysts' extra files."""
    files = list(paths or BUNDLED)
    if with_extras:
        files += extra_paths()
    entries: dict[tuple[str, str], Entry] = {}
    for path in files:
        data = _read(Path(path))
        for kind in ("orgs", "models"):
            items = data.get(kind) or []
            if not isinstance(items, list):
                raise KBError(f"{path}: '{kind}' must be a list")
            for i, raw in enumerate(items):
                e = _entry(raw, kind, Path(path), i)
                known = entries.get((e.kind, e.name))
                if known is None:
                    entries[(e.kind, e.name)] = e
                else:  # a later file extends an entry
                    known.aliases += [a for a in e.aliases if a not in known.aliases]
                    known.org = e.org or known.org
                    known.family = e.family or known.family
    return KnowledgeBase(entries=entries, files=[Path(p) for p in files])
