"""Campaigns: build an audience, watch its reach, grow it with lookalikes, save it and export it with a holdout."""

from dataclasses import replace

import streamlit as st

from insight.targeting import PrivacyUnavailable, privacy_rules
from insight.ui import campaign_results, charts, resources, segments, tables, widgets
from insight.ui import campaigns as cd
from insight.ui.resources import data_version
from insight.ui.text import code, md

st.header("Campaigns")
version = data_version()
if cd.base_size(version) == 0:
    widgets.empty_store()
    st.stop()
try:
    rules = privacy_rules()
    rules.ensure_available()
except (ValueError, PrivacyUnavailable) as exc:
    st.error(f"Check the privacy settings: {md(exc)}")
    st.stop()
run = resources.current_run("segments")
run_id = run["run_id"] if run else None
if run is None:
    st.info("Segments, interests and lookalikes need interest profiles: start **Segments** on the Jobs page.")
    st.page_link("pages/data/jobs.py", label="Go to Jobs", icon=":material/play_circle:")
else:
    widgets.run_caption(run, version)
    cd.warm_encoder(run["model"])
st.caption("An audience is defined on all the data: the sidebar filters do not narrow it.")
labels = dict(segments.cards(run_id)[["segment_id", "label"]].values) if run else {}
names = {i: charts.segment_name(i, labels) for i in labels}
saved, saved_state = cd.saved(rules), cd.saved_key()
saved_names = dict(zip(saved["audience_id"], saved["name"], strict=True))

build, preview = st.columns([2, 3], gap="large")
with build:
    st.subheader("Build")
    definition = cd.builder(names, saved_names, cd.categories(version), profiles=run is not None)
    if run is not None and definition.interest:
        reach_curve = cd.interest_curve(definition.interest, version, run_id, rules)
        st.plotly_chart(cd.interest_curve_chart(reach_curve, definition.interest_strength), key="interest_curve")
        st.caption(f"Users it reaches at each strength (counts under {rules.k}, or all but fewer, are not drawn).")
    core_spec, strength, show_curve = definition.to_json(), None, False
    if run is not None:
        st.subheader("Grow with lookalikes")
        seed = cd.core(core_spec, version, run_id, saved_state)
        found = cd.lookalikes(core_spec, version, run_id, saved_state) if len(seed) >= rules.k else None
        if found is None:
            st.caption(f"Lookalikes grow an audience of at least {rules.k} users; build one first.")
        elif found.addable(rules.k) == 0:
            st.caption(f"Fewer than {rules.k} profiled users are left outside the audience to add as lookalikes.")
        else:
            most, show_curve = found.addable(rules.k), True
            st.session_state["aud_grow"] = min(st.session_state.get("aud_grow", 0), most) // rules.k * rules.k
            grow = st.slider(
                "Lookalike users to add",
                0,
                most,
                key="aud_grow",
                step=rules.k,
                help="The profiled users whose interests stand out as closest to the audience's mean, added "
                f"{rules.k} at a time (INSIGHT_MIN_AUDIENCE), so that two positions never differ by fewer "
                f"than {rules.k} people.",
            )
            strength = found.threshold_for(grow)
definition = replace(definition, lookalike_strength=strength)
spec = definition.to_json()

with preview:
    st.subheader("Reach")
    st.caption(md(definition.describe(names, saved_names)))
    result = cd.reach(spec, version, run_id, saved_state, rules)
    if result.suppressed:
        st.warning(md(result.reason))
        if not definition.is_everyone:
            st.caption("Users each condition matches on its own:")
            tables.show(cd.conditions(spec, version, run_id, saved_state, rules))
    else:
        widgets.kpi_row({"Audience": result.size, "Share of users": f"{result.share:.1%}", "All users": result.base})
        if result.noisy:
            st.caption(f"Counts carry differential-privacy noise (ε = {rules.epsilon:g} per preview).")
        if not result.overlaps.empty:
            st.markdown("**Overlap with saved audiences**")
            cd.show_overlaps(result)
        st.markdown("**Who they are**")
        cd.show_card(result.card, names, rules.k)
    if show_curve:
        st.markdown("**Audience size against match strength**")
        figure = cd.curve_chart(cd.curve(core_spec, version, run_id, saved_state, rules), strength, result.size)
        st.plotly_chart(figure, width="stretch", key="lookalike_curve")

st.subheader("Save and export")
if result.suppressed:
    st.caption(f"Saving and exporting need an audience of at least {rules.k} users.")
else:
    name_col, save_col = st.columns([3, 1], vertical_alignment="bottom")
    name = name_col.text_input("Audience name", placeholder="e.g. trail runners, autumn", key="aud_name")
    if save_col.button("Save audience", type="primary", key="aud_save"):
        try:
            audience_id = cd.save(name, definition, run_id)
        except ValueError as exc:  # no name, or refused by the privacy rules (AudienceRefused), with the reason
            st.error(md(exc))
        else:
            st.success(f"Saved **{md(name.strip())}** as {code(audience_id)}; it is re-evaluated when you refresh it.")
    share = st.slider("Holdout share (left out of the campaign, to measure it)", 0.0, 0.5, 0.1, 0.05, key="aud_holdout")
    seed_value = int(st.number_input("Holdout seed", 0, step=1, key="aud_holdout_seed"))
    csv_col, parquet_col = st.columns(2)
    for column, fmt in ((csv_col, "csv"), (parquet_col, "parquet")):  # CSV formulas neutralised by the library
        widgets.download_file(
            cd.download(spec, version, run_id, saved_state, fmt, share, seed_value),
            f"audience.{fmt}",
            f"Download {fmt.upper()}",
            key=f"aud_download_{fmt}",
            where=column,
            on_click=campaign_results.record_export,
            args=(spec, version, run_id, saved_state, share, seed_value),
        )
    st.caption(
        "Columns: user_id (pseudonymised), group (target or holdout), segment. Each download is remembered "
        "with its groups, for its results below."
    )

st.subheader("Saved audiences")
saved = cd.saved(rules)
if saved.empty:
    st.caption("None yet. Build one above, or lasso users on the Segments page.")
else:
    stale = saved["stale"].sum()
    if stale:
        st.warning(f"{stale} saved audience(s) were built on older data or an older segmentation.")
        if st.button("Refresh stale audiences", key="aud_refresh"):
            done = cd.refresh_stale(run_id)
            st.success(f"Refreshed {len(done.changed)} audience(s) on current data.")
            for audience_id, reason in done.refused.items():
                st.warning(f"{code(audience_id)} kept its members: {md(reason)}")
            saved = cd.saved(rules)
    tables.show(cd.saved_table(saved))

st.subheader("Campaign results")
campaign_results.show_results()
