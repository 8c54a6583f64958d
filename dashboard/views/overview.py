"""Overview: articles, claims and signals over time, top subjects, what changed."""
import streamlit as st

from dashboard import state, widgets

filters = state.setup("overview")
st.title("Overview")
st.caption(f"{filters.start} – {filters.end}, compared with the {(filters.end - filters.start).days + 1} days before"
           if filters.start and filters.end else "All dates")

now = state.run("totals")
before = state.run("totals", filters=filters.previous_period()) if filters.start and filters.end else None
cols = st.columns(6)
for col, key in zip(cols, ("articles", "claims", "signals", "open", "closed", "disputed")):
    col.metric(key.capitalize(), f"{now[key]:,}", delta=None if before is None else f"{now[key] - before[key]:+,}",
               delta_color="off" if key in ("closed", "open") else "normal")

if not now["claims"] and not now["articles"]:
    widgets.empty_state("articles or claims")
    st.stop()

left, right = st.columns(2)
with left:
    widgets.trend_chart(state.run("claims_per_day"), "stance", "Claims by stance", filters, widgets.STANCE_COLORS)
with right:
    widgets.trend_chart(state.run("articles_per_day"), "", "Articles", filters)
widgets.trend_chart(state.run("signals_per_day"), "signal", "Open-washing signals by type", filters,
                    labels=state.SIGNAL_LABELS)

top = state.run("top_subjects")  # both rankings, all of the models for what changed
left, right = st.columns(2)
with left:
    st.subheader("Top organizations")
    st.caption("Claims about the organization and its models; *change* is versus the previous period")
    widgets.table(top["org"].head(15), "top-organizations", key="top-orgs")
with right:
    st.subheader("Top models")
    st.caption("*contested*: the same subject is called open and also closed or disputed in the period")
    models = top["model"]
    widgets.table(models.head(15), "top-models", key="top-models")

if filters.start and filters.end:
    st.subheader("What changed")
    if "change" in models and not models.empty:
        columns = ["name", "claims", "previous", "change"]
        rising = models[models["change"] > 0].sort_values("change", ascending=False).head(5)
        falling = models[models["change"] < 0].sort_values("change").head(5)
        left, right = st.columns(2)
        for col, title, frame, none in ((left, "Most new claims", rising, "No model gained claims."),
                                        (right, "Biggest drops", falling, "No model lost claims.")):
            col.markdown(f"**{title}**")
            if frame.empty:
                col.caption(f"{none} (versus {filters.previous_period().start} – {filters.previous_period().end})")
            else:
                col.dataframe(frame[columns], hide_index=True, width="stretch")
