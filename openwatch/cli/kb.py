"""`openwatch kb`: show and validate the knowledge base of organizations and models."""
from __future__ import annotations

from typing import Optional

import typer

from openwatch.cli.common import UserError, console


def register(app: typer.Typer) -> None:
    @app.command()
    def kb(kind: Optional[str] = typer.Option(None, "--list", help="list entries: org or model"),
           search: Optional[str] = typer.Option(None, "--search", help="only entries whose names contain this"),
           check: bool = typer.Option(False, "--check", help="exit 2 when the KB has problems")) -> None:
        """Show the knowledge base (bundled files plus $OPENWATCH_DATA_DIR/kb/*.yaml and OPENWATCH_KB_EXTRA) and validate it.

        Example: OPENWATCH_KB_EXTRA=my-models.yaml openwatch kb --list model --search Qwen --check
        """
        from rich.table import Table

        from nlp.kb import KBError, load_kb

        if kind not in (None, "org", "model"):
            raise UserError(f"--list takes 'org' or 'model', not {kind!r}")
        try:
            base = load_kb()
        except KBError as exc:
            raise UserError(f"{exc}; fix the file and run `openwatch kb --check` again") from exc
        console.print(f"files: {', '.join(str(f) for f in base.files)}", highlight=False)
        console.print(f"{len(base.orgs())} organizations, {len(base.models())} models, "
                      f"{sum(len(e.aliases) for e in base.entries.values())} aliases")
        if kind:
            table = Table("name", "aliases", "developer", "family", "file")
            for e in sorted(base.entries.values(), key=lambda e: e.name.lower()):
                if e.kind == kind and (not search or any(search.lower() in n.lower() for n in e.all_names())):
                    table.add_row(e.name, ", ".join(e.aliases), e.org or "", e.family or "", e.source)
            console.print(table)
        problems = base.problems()
        for p in problems:
            console.print(f"[yellow]problem:[/] {p}", highlight=False)
        if problems and check:
            raise UserError(f"{len(problems)} knowledge-base problem(s), listed above")
        if not problems:
            console.print("no problems found")
