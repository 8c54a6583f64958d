"""Charts, tables and downloads the pages share. Scraped text is only ever shown as data
(dataframe cells) or as escaped Markdown; nothing renders as HTML."""
from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import state
from storage import export
from storage.queries import Filters, bucket

STANCE_COLORS = alt.Scale(domain=["open", "closed", "disputed"], range=["#2e7d32", "#757575", "#ef6c00"])
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"
# evidence tables show what was said before where it was said (the CSV keeps the export column order)
EVIDENCE_FIRST = ["published", "subject", "stance", "signal", "evidence", "speaker", "outlet", "article_url",
                  "signal_ids"]


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown syntax so scraped text shows literally (no links, images, HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def mark_subject(evidence: str, subject: str | None) -> str:
    """Plain-text highlight: the subject's occurrences wrapped in ⟦ ⟧ (case-insensitive)."""
    if not subject or not isinstance(evidence, str):
        return evidence
    return re.sub(re.escape(subject), lambda m: f"{MARK_OPEN}{m.group(0)}{MARK_CLOSE}", evidence, flags=re.IGNORECASE)


def evidence_markdown(evidence: str, subject: str | None) -> str:
    """Escaped Markdown with the subject in bold."""
    parts = re.split(f"({re.escape(subject)})", evidence, flags=re.IGNORECASE) if subject else [evidence]
    return "".join(f"**{escape_markdown(p)}**" if subject and p.lower() == subject.lower() else escape_markdown(p)
                   for p in parts)


def empty_state(what: str) -> None:
    st.info(f"No {what} for these filters. Widen the period or clear some filters in the sidebar; "
            "a new database fills with `openwatch demo` or `openwatch crawl` followed by `openwatch extract`.",
            icon=":material/search_off:")


def trend_chart(daily: pd.DataFrame, by: str, title: str, filters: Filters, colors: alt.Scale | None = None,
                labels: dict | None = None) -> None:
    """Stacked bars per day/week/month, coloured by `by` (stance, signal)."""
    frame = bucket(daily, filters.granularity, [by] if by else [])
    step = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1)}
    frame["until"] = frame["period"] + step[filters.granularity]
    if labels:
        frame[by] = frame[by].map(lambda v: labels.get(v, v))
    color = alt.Color(f"{by}:N", title=by.capitalize(), scale=colors or alt.Undefined,
                      legend=alt.Legend(orient="bottom", columns=3, labelLimit=260)) if by else alt.Undefined
    chart = (alt.Chart(frame, title=title).mark_bar(stroke="white", strokeWidth=0.5)
             .encode(x=alt.X("period:T", title=filters.granularity.capitalize(),
                                   axis=alt.Axis(format="%b %Y" if filters.granularity == "month" else "%d %b")),
                     x2="until:T",
                     y=alt.Y("sum(count):Q", title="Count"), color=color,
                     tooltip=[alt.Tooltip("period:T", title="From"), *([by] if by else []), "count:Q"]))
    st.altair_chart(chart, width="stretch")


def table(frame: pd.DataFrame, name: str, *, links: bool = False, height: int | None = None, key: str | None = None,
          selectable: bool = False):
    """A dataframe with a CSV download of exactly these rows (formula cells neutralized)."""
    config = {}
    if links and "article_url" in frame:
        config["article_url"] = st.column_config.LinkColumn("Article", display_text=r"https?://([^/]+)/")
    order = [c for c in EVIDENCE_FIRST if c in frame] + [c for c in frame if c not in EVIDENCE_FIRST]
    event = st.dataframe(frame, hide_index=True, column_config=config, width="stretch", height=height or "auto",
                         key=key, column_order=order, on_select="rerun" if selectable else "ignore",
                         selection_mode="single-row" if selectable else "multi-row")
    st.download_button(f"Download {len(frame):,} rows (CSV)", frame_csv(frame), file_name=f"openwatch-{name}.csv",
                       mime="text/csv", key=f"dl-{key or name}", icon=":material/download:", on_click="ignore")
    return event


def frame_csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    columns = list(frame.columns)
    rows = export.safe_rows(frame.itertuples(index=False, name=None), columns,
                            [c for c in columns if frame[c].dtype == object])
    export.write_csv([rows], columns, out, lambda n: None)
    return out.getvalue().encode("utf-8-sig")


def export_button(kind: str, filters: Filters, rows: int, label: str | None = None) -> None:
    """Export ALL filtered rows of `kind`: written to a temporary file with a progress bar when asked
    for, then offered for download (until the filters change)."""
    url = st.session_state["db_url"]
    key = f"export-{kind}"
    ready = st.session_state.get(key)
    if not (ready and ready[0] == filters and Path(ready[1]).exists()):
        if not st.button(label or f"Export all {rows:,} filtered {kind} (CSV)", key=f"{key}-start",
                         icon=":material/file_export:", type="primary"):
            return
        if ready:
            Path(ready[1]).unlink(missing_ok=True)
        path = Path(tempfile.mkdtemp(prefix="openwatch-export-")) / f"{kind}.csv"
        bar = st.progress(0.0, text=f"Writing {rows:,} {kind}…")
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            bar.progress(min(1.0, done / max(rows, 1)), text=f"Writing {kind}: {done:,} of {rows:,} rows")

        export.export(state.engine(url), kind, filters, path, bom=True, progress=advance)
        bar.empty()
        ready = st.session_state[key] = (filters, str(path))
    st.download_button(f"Download {rows:,} {kind} (CSV)", Path(ready[1]).read_bytes(), file_name=f"openwatch-{kind}.csv",
                       mime="text/csv", key=key, icon=":material/download:", on_click="ignore", type="primary")
