"""Knowledge base: names the extractor found that the knowledge base does not know yet."""
import streamlit as st

from dashboard import state, widgets

state.setup("knowledge")

st.title("Knowledge base")
summary = state.run("kb_summary")
if summary.empty:
    widgets.empty_state("entities")
    st.stop()
known = int(summary.loc[summary["in_kb"].astype(bool), "entities"].sum())
cols = st.columns(2)
cols[0].metric("In the knowledge base", known)
cols[1].metric("Unknown names found", int(summary["entities"].sum()) - known)

st.subheader("Unknown names")
st.caption("Found by shape or context, not in `nlp/data/kb.yaml`; claims counted in the chosen period. "
           "To promote one, add it (with its organization and aliases) to `nlp/data/kb.yaml` and re-run "
           "`openwatch extract`.")
unknown = state.run("unknown_names")
if unknown.empty:
    st.caption("The extractor has found no unknown names.")
else:
    widgets.table(unknown, "unknown-names", key="unknown")
