"""Claims explorer: the filtered claims with their evidence, newest first; export all of them."""
import streamlit as st

from dashboard import state, widgets
from storage.queries import EVIDENCE_LIMIT

filters = state.setup("explorer")
st.title("Claims explorer")
total = state.run("totals")["claims"]
if not total:
    widgets.empty_state("claims")
    st.stop()

pages = max(1, -(-total // EVIDENCE_LIMIT))
left, right = st.columns([3, 1])
page = right.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, value=1, step=1)
left.markdown(f"**{total:,} claims** match; showing {EVIDENCE_LIMIT} per page, newest first. "
              f"The subject is marked ⟦like this⟧; select a row to read it in full.")
rows = state.run("claims_page", EVIDENCE_LIMIT, (page - 1) * EVIDENCE_LIMIT)
shown = rows.assign(evidence=[widgets.mark_subject(e, s) for e, s in zip(rows["evidence"], rows["subject"])])
event = widgets.table(shown, f"claims-page-{page}", links=True, key="claims", selectable=True, height=480)
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
