"""One organization or model: stance over time, signals, who says what, facts, evidence."""
from dataclasses import replace

import streamlit as st

from dashboard import factcheck, state, widgets

filters = state.setup("subject")
vocab = state.vocabulary(st.session_state["data_version"], st.session_state["db_url"])
st.title("Organizations & models")

kinds = {"Organization": "org", "Model": "model"}
kind_param = st.query_params.get("kind", "org")
left, right = st.columns([1, 3])
kind_label = left.radio("Subject type", list(kinds), horizontal=True,
                        index=list(kinds.values()).index(kind_param) if kind_param in kinds.values() else 0)
kind = kinds[kind_label]
names = vocab["organizations" if kind == "org" else "models"]
if not names:
    widgets.empty_state("organizations or models")
    st.stop()
wanted = st.query_params.get("subject")
subject = right.selectbox(kind_label, names, index=names.index(wanted) if wanted in names else 0)
st.query_params["kind"], st.query_params["subject"] = kind, subject

# the page's subject replaces the sidebar's organization/model filters
scope = replace(filters, organizations=(subject,), models=()) if kind == "org" \
    else replace(filters, models=(subject,), organizations=())
totals = state.run("totals", filters=scope)
by_stance = {s: totals[s] for s in ("open", "closed", "disputed")}
contested = by_stance["open"] > 0 and (by_stance["disputed"] > 0 or by_stance["closed"] > 0)

cols = st.columns(5)
cols[0].metric("Claims", f"{totals['claims']:,}")
for col, stance in zip(cols[1:4], by_stance):
    col.metric(stance.capitalize(), f"{by_stance[stance]:,}")
cols[4].metric("Signals", f"{totals['signals']:,}")
if contested:
    st.warning(f"**Contested**: {subject} is called open ({by_stance['open']:,} claims) and also "
               f"disputed ({by_stance['disputed']:,}) or closed ({by_stance['closed']:,}) in this period.",
               icon=":material/balance:")

if kind == "model":
    facts = factcheck.facts_frame([subject])
    st.subheader("Claims against facts")
    if facts.empty:
        st.caption(f"The knowledge base has no licence or openness grades for {subject}.")
    else:
        fact = facts.iloc[0]
        st.dataframe(facts.drop(columns=["model", "openwashing_reason"]), hide_index=True, width="stretch")
        if fact["openwashing_reason"] and by_stance["open"]:
            st.error(f"**Open-washing candidate**: {by_stance['open']:,} claims call {subject} open, but its "
                     f"{fact['openwashing_reason']}.", icon=":material/flag:")

if not totals["claims"] and not totals["signals"]:
    widgets.empty_state(f"claims about {subject}")
    st.stop()

left, right = st.columns(2)
with left:
    widgets.trend_chart(state.run("claims_per_day", filters=scope), "stance", f"Stance on {subject} over time",
                        scope, widgets.STANCE_COLORS)
with right:
    signals = state.run("signals_per_day", filters=scope)
    if signals.empty:
        st.caption("No open-washing signals about this subject in the period.")
    else:
        widgets.trend_chart(signals, "signal", f"Signals about {subject}", scope, labels=state.SIGNAL_LABELS)

st.subheader("Who says what")
widgets.table(state.run("who_says_what", subject, kind), f"who-says-what-{subject}", key="who")

st.subheader("Evidence")
evidence = state.run("claims_page", filters=scope)
evidence["evidence"] = [widgets.mark_subject(e, s) for e, s in zip(evidence["evidence"], evidence["subject"])]
widgets.table(evidence, f"claims-{subject}", links=True, key="evidence")
widgets.export_button("claims", scope, totals["claims"])
