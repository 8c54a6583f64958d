"""Claims explorer: the filtered claims with their evidence, newest first; export all of them."""
from datetime import date

import streamlit as st

from dashboard import state, widgets
from storage.queries import EVIDENCE_LIMIT

filters = state.setup("explorer")
st.title("Claims explorer")
total = state.run("claim_count")
if not total:
    widgets.empty_state("claims")
    st.stop()

# keyset paging: each page starts after the (day, id) of the previous page's last row, per filters
cursors = st.session_state.setdefault("explorer_cursors", {}).setdefault(filters, [None])
rows = state.run("claims_page", EVIDENCE_LIMIT, cursors[-1])
pages = max(1, -(-total // EVIDENCE_LIMIT))
st.markdown(f"**{total:,} claims** match; page {len(cursors):,} of {pages:,} ({EVIDENCE_LIMIT} per page, newest "
            f"first). The subject is marked ⟦like this⟧; select a row to read it in full.")
last = (date.fromisoformat(rows["published"].iloc[-1][:10]), int(rows["claim_id"].iloc[-1])) if len(rows) else None
newer, older, _ = st.columns([1, 1, 6])
newer.button("Newer", icon=":material/chevron_left:", disabled=len(cursors) == 1, on_click=cursors.pop,
             width="stretch")
older.button("Older", icon=":material/chevron_right:", disabled=len(cursors) >= pages or last is None,
             on_click=cursors.append, args=(last,), width="stretch")
page = len(cursors)
shown = rows.assign(evidence=[widgets.mark_subject(e, s) for e, s in zip(rows["evidence"], rows["subject"])])
event = widgets.table(shown, f"claims-page-{page}", links=True, key="claims", selectable=True,
                      height=480 if len(rows) > 12 else None)
widgets.export_button("claims", filters, total)

if event is not None and event.selection.rows:
    row = rows.iloc[event.selection.rows[0]]
    with st.container(border=True):
        st.markdown(f"**{widgets.escape_markdown(str(row['title'] or row['article_url']))}** · "
                    f"{widgets.escape_markdown(str(row['outlet'] or ''))} · {row['published']}")
        st.markdown(widgets.evidence_markdown(row["evidence"], row["subject"]))
        st.caption(f"{row['subject_type']} · stance **{row['stance']}** · speaker: "
                   f"{widgets.escape_markdown(str(row['speaker'] or 'unattributed'))} · signals: {row['signal_ids'] or 'none'}")
        if str(row["article_url"]).startswith(("http://", "https://")):
            st.link_button("Open the article", row["article_url"])
