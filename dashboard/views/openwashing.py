"""Open-washing: signals over time by type, subjects ranked by signals with their evidence,
and open claims that the knowledge base's facts contradict."""
from dataclasses import replace

import streamlit as st

from dashboard import factcheck, state, widgets

filters = state.setup("openwashing")
st.title("Open-washing")

daily = state.run("signals_per_day")
if daily.empty:
    widgets.empty_state("open-washing signals")
else:
    widgets.trend_chart(daily, "signal", "Signals by type", filters, labels=state.SIGNAL_LABELS)

    st.subheader("Subjects ranked by signals")
    st.caption("Select a row to read its evidence")
    ranked = state.run("signals_by_subject")
    event = widgets.table(ranked, "signals-by-subject", key="ranked", selectable=True)
    chosen = event.selection.rows if event is not None else []
    if chosen:
        row = ranked.iloc[chosen[0]]
        scope = replace(filters, organizations=(), models=(row["subject"],)) if row["kind"] == "model" \
            else replace(filters, organizations=(row["subject"],), models=())
        st.markdown(f"**Signals about {widgets.escape_markdown(row['subject'])}**")
        evidence = state.run("signals_page", filters=scope)
        evidence["evidence"] = [widgets.mark_subject(e, s) for e, s in zip(evidence["evidence"], evidence["subject"])]
        widgets.table(evidence, f"signals-{row['subject']}", links=True, key="signal-evidence")

st.subheader("Claims against facts")
st.caption("Models called **open** whose licence is not OSI-approved, that release weights only, or no weights "
           "(licence and openness grades from the knowledge base's model facts)")
flagged = factcheck.candidates(state.run("claims_by_subject"))
if flagged.empty:
    st.caption("No open claims about models with non-open facts in this period.")
else:
    widgets.table(flagged, "openwashing-candidates", key="candidates")
