# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/benchmarks.md from a run's results: one function per report section."""

from __future__ import annotations

from .constants import DOWNTIME_RATIO_TARGET, OVERSHOOT_TARGETS, POLL_RATIO_TARGET_AT_60, REALISTIC, TIMEOUT_LATE_TARGET, TRANSITION_SPREAD
from .fleet_report import fleet_targets, render_fleet
from .interpret import interpret
from .stats import fmt, median, median_ci, p90, verdict
from .table import Blocks, by_action, table


def render_machine(results):
    """The machine table: where and how the figures were measured."""
    m = results["machine"]
    latency = results["latency"]
    return Blocks("## Machine", table(["", ""], [
        ["Command", "`%s`, i.e. `hacking/with_simulator.sh --state-dir .build/bench -- .venv/bin/python benchmarks/run.py%s`"
         % (m["command"], " --quick" if results.get("quick") else "")],
        ["Date", m["date"]],
        ["CPUs (nproc)", "%s x %s" % (m["nproc"], m["cpu"])],
        ["Memory", m["memory"]],
        ["OS", m["os"]],
        ["Python (modules and controller)", m["python"]],
        ["ansible-core", m["ansible_core"]],
        ["SDK", m["sdk"]],
        ["tenacity", m["tenacity"]],
        ["Collection commit", m["commit"]],
        ["Load average before / after", "%s / %s" % (m["load_before"], m.get("load_after", "?"))],
        ["Duration of the run", "%.0f s" % results.get("duration", 0)],
        ["Simulator transitions", "stop %(stop)g s, start %(start)g s, attach %(attach)g s, detach %(detach)g s "
         "(fleet: see section 4)" % REALISTIC],
        ["API round trip (warm client, one DescribeNetworkInterfaces)",
         "median %s ms, p90 %s ms (n=%d)" % (fmt(latency["median"] * 1000, 1), fmt(latency["p90"] * 1000, 1), latency["count"])],
    ]))


def render_api_calls(results, targets):
    """Section 1: API calls per operation; adds its targets to `targets`."""
    api = results["api_calls"]
    out = Blocks("## 1. API calls per operation",
                 "Counted from the simulator's call log for each run (module runs: `ansible localhost -m ...`; role runs: "
                 "`benchmarks/role_attach.yml`, the `alibabacloud.ens.eni_attach` role on one instance). Polls depend on the "
                 "transition times (attach and detach 5 s, stop 10 s, start 15 s).")
    rows = []
    seen_roles = set()
    entries = list(api["modules"])
    for entry in api["roles"]:
        key = entry["label"]
        if key in seen_roles:
            continue
        seen_roles.add(key)
        entries.append(entry)
    for entry in entries:
        counts = entry["counts"]
        if entry["target"] == "noop":
            ok = counts["total"] == 1
            target = "1 API call: %s" % verdict(ok)
            targets.append(("No-op module run is one API call: " + entry["label"], ok, "%d call(s)" % counts["total"]))
        elif entry["target"] == "nochange":
            ok = counts["mutating"] == 0 and counts["max_reads_per_resource"] <= 1
            target = "no mutating call, <= 1 read per resource: %s" % verdict(ok)
            targets.append(("No-change role run: no mutating call, <= 1 read per resource", ok,
                            "%d mutating, at most %d read(s) of one resource" % (counts["mutating"], counts["max_reads_per_resource"])))
        else:
            target = "-"
        rows.append([entry["label"], counts["total"], by_action(counts), counts["mutating"], counts["max_reads_per_resource"],
                     fmt(entry["wall"], 1, " s"), target])
    out.add(table(["Operation", "API calls", "By action", "Mutating", "Most reads of one resource", "Wall time", "Target"], rows))
    return out


def render_waits(results, targets):
    """Section 2: wait overshoot beside the 5 s poller; adds its targets to `targets`."""
    waits = results["waits"]
    out = Blocks("## 2. Wait overshoot and its cost",
                 "Overshoot: from the moment the simulator reached the target state (its `history`) to the poll that saw it "
                 "(its call log). The collection's `Waiter` (through `EniExecution`, one `DescribeNetworkInterfaces` per poll) and the "
                 "baseline (`benchmarks/baseline_poller.py`: the official SDK polling at once, then every 5 s, as the best-known peer "
                 "modules do) wait at the same time against the same simulator, on different ENIs, in parallel threads. Each wait starts "
                 "as an attach returns (the ENI is put in `Attaching`); its transition lasts the nominal time +-%d%% (uniform): real "
                 "transitions vary, and with a fixed multiple of 5 s the 5 s poller would always poll just after (or just before) "
                 "the change. The durations of each side are spread evenly over that range (stratified), because every wait of one "
                 "kind polls on nearly the same schedule and two close durations would count the same luck twice. The 90%% "
                 "interval is a bootstrap interval of the median: how far the median of this many waits wanders from run to run."
                 % round(100 * TRANSITION_SPREAD))
    rows = []
    baseline_polls_60 = collection_polls_60 = None
    for transition in sorted(set(s["transition"] for s in waits["samples"])):
        side = dict((name, [s for s in waits["samples"] if s["transition"] == transition and s["side"] == name])
                    for name in ("collection", "baseline"))
        c_over = [s["overshoot"] for s in side["collection"]]
        b_over = [s["overshoot"] for s in side["baseline"]]
        c_polls = [s["polls"] for s in side["collection"]]
        b_polls = [s["polls"] for s in side["baseline"]]
        limit = OVERSHOOT_TARGETS.get(int(transition))
        ok = median(c_over) <= limit
        low, high = median_ci(c_over)
        targets.append(("Median overshoot at %g s <= %g s" % (transition, limit), ok, "%.2f s, 90%% interval %s-%s, n=%d "
                        "(baseline %.2f s)" % (median(c_over), fmt(low), fmt(high), len(c_over), median(b_over))))
        ratio = median(c_polls) / median(b_polls)
        if int(transition) == 60:
            collection_polls_60, baseline_polls_60 = median(c_polls), median(b_polls)
        rows.append(["%g s" % transition, "%d / %d" % (len(c_over), len(b_over)),
                     "%s (%s-%s) / %s" % (fmt(median(c_over)), fmt(low), fmt(high), fmt(p90(c_over))),
                     "%s / %s" % (fmt(median(b_over)), fmt(p90(b_over))),
                     "%s / %s" % (fmt(median(c_polls), 1), fmt(p90(c_polls), 0)),
                     "%s / %s" % (fmt(median(b_polls), 1), fmt(p90(b_polls), 0)), fmt(ratio, 1) + "x",
                     "<= %g s: %s" % (limit, verdict(ok))])
    out.add(table(["Transition", "Waits (collection / baseline)", "Collection overshoot median (90% interval) / p90 (s)",
                   "Baseline overshoot median / p90 (s)", "Collection polls median / p90", "Baseline polls median / p90",
                   "Polls ratio", "Target (median overshoot)"], rows))
    if baseline_polls_60:
        ok = collection_polls_60 <= POLL_RATIO_TARGET_AT_60 * baseline_polls_60
        targets.append(("Polls at 60 s <= 3x the baseline's", ok, "%.1f vs %.1f (%.1fx)"
                        % (collection_polls_60, baseline_polls_60, collection_polls_60 / baseline_polls_60)))
        out.add("Polls at 60 s: %.1f for the collection, %.1f for the baseline: %.1fx, target <= 3x: %s."
                % (collection_polls_60, baseline_polls_60, collection_polls_60 / baseline_polls_60, verdict(ok)))
    return out


def render_wait_confirm(results):
    """Section 2's confirming module runs and the waits inside sections 1 and 3."""
    waits, api = results["waits"], results["api_calls"]
    out = Blocks("Confirmed by full module runs (`ens_eni_attach`, one ENI, attach transition set to the value shown; polls counted "
                 "after the attach call) and by every wait inside the module and role runs of sections 1 and 3:")
    rows = []
    confirm = waits["confirm"]
    for transition in sorted(set(w["transition"] for w in confirm)):
        chosen = [w for w in confirm if w["transition"] == transition]
        over = [w["overshoot"] for w in chosen]
        rows.append(["ens_eni_attach module, attach %g s" % transition, len(chosen), fmt(median(over)), fmt(p90(over)),
                     fmt(median([w["polls"] for w in chosen]), 1)])
    inside = [w for entry in api["modules"] + api["roles"] for w in entry["waits"]]
    for kind in ("stop", "attach", "detach", "start"):
        chosen = [w for w in inside if w["kind"] == kind]
        if not chosen:
            continue
        over = [w["overshoot"] for w in chosen]
        rows.append(["inside sections 1 and 3: %s (%g s)" % (kind, REALISTIC[kind]), len(chosen), fmt(median(over)), fmt(p90(over)),
                     fmt(median([w["polls"] for w in chosen]), 1)])
    out.add(table(["Wait", "Waits", "Overshoot median (s)", "Overshoot p90 (s)", "Polls (median)"], rows))
    return out


def render_timeouts(timeouts, targets):
    """Section 2b: waits that run out of time (the `timeouts` results); adds its targets to `targets`."""
    out = Blocks("### Waits that run out of time",
                 "`ens_eni_attach` with `wait_timeout: %d` against a 60 s attach. Late: from the deadline (attach call + "
                 "timeout) to the last poll, and to the module's end as `ansible` saw it (module exit and controller included). "
                 "Throttled: every read refused with `Throttling.User` from the attach call on. A poll is one attempt: a "
                 "throttled poll is \"not yet\", never retried with backoff past the deadline." % timeouts[0]["timeout"])
    rows = []
    for throttled in (False, True):
        chosen = [t for t in timeouts if t["throttled"] == throttled]
        if not chosen:
            continue
        late = [t["failed_late"] for t in chosen]
        ok = median(late) <= TIMEOUT_LATE_TARGET
        label = "every poll throttled" if throttled else "no faults"
        targets.append(("Wait that runs out of time fails <= %g s after wait_timeout, %s" % (TIMEOUT_LATE_TARGET, label), ok,
                        "%.2f s late (median, n=%d)" % (median(late), len(late))))
        rows.append([label, len(chosen), fmt(median([t["last_poll_late"] for t in chosen])), fmt(median(late)), fmt(max(late)),
                     "%s (%s throttled)" % (fmt(median([t["polls"] for t in chosen]), 1),
                                            fmt(median([t["throttled_polls"] for t in chosen]), 1)),
                     "<= %g s: %s" % (TIMEOUT_LATE_TARGET, verdict(ok))])
    out.add(table(["Polls", "Runs", "Last poll late, median (s)", "Failure late, median (s)", "Failure late, max (s)",
                   "Polls (median)", "Target (median)"], rows))
    return out


def render_lag(lag_runs):
    """Section 2c: the waits again with read-after-write lag (the `lag` results)."""
    out = Blocks("### With read-after-write lag",
                 "The same waits with the simulator's `read_lag` on: after each accepted call, reads of what it touched show the "
                 "previous view for a random time up to the lag (seeded, so both rows see the same draws). `ens_eni_attach`: one "
                 "ENI on a stopped instance; role: `eni_attach` on a running instance, downtime as in section 3. Realistic "
                 "transitions (attach %g s, stop %g s, start %g s)." % (REALISTIC["attach"], REALISTIC["stop"], REALISTIC["start"]))
    rows = []
    for lag in sorted(set(r["lag"] for r in lag_runs)):
        modules = [r for r in lag_runs if r["lag"] == lag and r["kind"] == "module"]
        over = [w["overshoot"] for r in modules for w in r["waits"] if w["kind"] == "attach"]
        row = ["%g s" % lag, len(modules), fmt(median(over)) if over else "-", fmt(p90(over)) if over else "-",
               fmt(median([r["counts"]["total"] for r in modules]), 1)]
        for count in (1, 4):
            roles = [r for r in lag_runs if r["lag"] == lag and r["kind"] == "role" and r["enis"] == count and r["downtime"]]
            downtimes = [r["downtime"]["downtime"] for r in roles]
            row.append("%s (n=%d)" % (fmt(median(downtimes), 1), len(downtimes)) if downtimes else "-")
        roles = [r for r in lag_runs if r["lag"] == lag and r["kind"] == "role"]
        row.append(fmt(median([r["counts"]["total"] for r in roles]), 1) if roles else "-")
        row.append(str(sum(r["counts"]["errors"] for r in modules + roles)))
        rows.append(row)
    out.add(table(["Lag", "Module runs", "Attach overshoot median (s)", "Attach overshoot p90 (s)", "API calls per module run",
                   "Role downtime, 1 ENI (s)", "Role downtime, 4 ENIs (s)", "API calls per role run",
                   "Refused calls (conflicts, all runs)"], rows))
    return out


def render_downtime(results, targets):
    """Section 3: the role's maintenance window; adds its targets to `targets`."""
    api = results["api_calls"]
    lower = REALISTIC["stop"] + REALISTIC["attach"] + REALISTIC["start"]
    out = Blocks("## 3. Maintenance-window downtime of the eni_attach role",
                 "Downtime: from the instance leaving `Running` to `Running` again, from the simulator's history. Lower bound: "
                 "stop + one attach + start = %g s (all attaches overlap). `k x attach`: the bound if the k ENIs were attached one "
                 "after the other, each waited for (stop + k x attach + start)." % lower)
    rows = []
    parts_rows = []
    part_names = [("stop_transition", "stop (simulated)"), ("stop_seen_late", "stop seen late"),
                  ("module_exit_and_controller", "module exit + controller"), ("module_startup", "module start-up"),
                  ("pre_call_reads", "reads before the calls"), ("attach_calls", "attach calls"),
                  ("attach_transition", "attach (simulated)"), ("attach_seen_late", "attach seen late"),
                  ("start_transition", "start (simulated)")]
    for count in (1, 4, 8):
        runs = [e for e in api["roles"] if e["enis"] == count and e["downtime"] and e["target"] is None]
        if not runs:
            continue
        downtimes = [e["downtime"]["downtime"] for e in runs]
        value = median(downtimes)
        ok = value <= DOWNTIME_RATIO_TARGET * lower
        sequential = REALISTIC["stop"] + count * REALISTIC["attach"] + REALISTIC["start"]
        targets.append(("Downtime <= 1.3x lower bound, %d ENI(s)" % count, ok, "%.1f s = %.2fx of %g s" % (value, value / lower, lower)))
        rows.append([count, len(runs), "%s (%s)" % (fmt(value, 1), ", ".join(fmt(d, 1) for d in downtimes)), "%g" % lower,
                     fmt(value / lower) + "x", "%g" % sequential, fmt(value / sequential) + "x",
                     "<= 1.3x: %s" % verdict(ok)])
        parts = dict((name, median([e["downtime"]["parts"][name] for e in runs])) for name, _label in part_names)
        parts_rows.append([count] + ["%s (%d%%)" % (fmt(parts[name], 1), round(100 * parts[name] / value)) for name, _l in part_names])
    out.add(table(["ENIs", "Runs", "Downtime median (each run), s", "Lower bound, s", "Ratio", "k x attach bound, s",
                   "Ratio to k x attach", "Target"], rows))
    out.add("Where the window goes (medians, seconds and share of the window). `module start-up`: from the attach (or power) "
            "task's start to its first API call; `module exit + controller`: from the poll that saw the previous step done to the "
            "next module task's start (the previous module returning, the controller handling the result and the tasks in between).")
    out.add(table(["ENIs"] + [label for _name, label in part_names], parts_rows))
    return out


def render_startup(results):
    """Section 5: module start-up beside ansible.builtin.ping."""
    su = results["startup"]
    out = Blocks("## 5. Module start-up: ens_eni_info beside ansible.builtin.ping",
                 "A no-op `ens_eni_info` (one ENI by id) and `ansible.builtin.ping`, both on localhost with the venv's Python, "
                 "interleaved, %d repetitions each; medians. `ansible` CLI: the whole ad-hoc command; peak RSS is the largest process of "
                 "its tree (the controller, or the module when it is larger). Module process: the AnsiballZ payload of the same "
                 "run, executed alone." % len(su["cli"]["info"]))
    rows = []
    for label, group in (("ansible CLI, whole run", "cli"), ("module process alone", "module")):
        info, ping = su[group]["info"], su[group]["ping"]
        wi, wp = median([r["wall"] for r in info]), median([r["wall"] for r in ping])
        mi, mp = median([r["maxrss_kb"] for r in info]) / 1024.0, median([r["maxrss_kb"] for r in ping]) / 1024.0
        rows.append([label, fmt(wi), fmt(wp), fmt(wi - wp), fmt(wi / wp, 1) + "x", fmt(mi, 0), fmt(mp, 0)])
    out.add(table(["Measured", "ens_eni_info wall, s", "ping wall, s", "Difference, s", "Ratio", "ens_eni_info peak RSS, MiB",
                   "ping peak RSS, MiB"], rows))
    if su["first_call"]:
        out.add("The `ens_eni_info` process makes its API call %s s (median) after it starts. Import times in one "
                "`python -X importtime` run of the same payload (cumulative, nested):" % fmt(median(su["first_call"])))
        out.add(table(["Import", "Seconds"], [["`%s`" % name, fmt(seconds)] for name, seconds in
                                              sorted(su["imports"].items(), key=lambda item: -item[1])]))
    return out


def render_head(results, targets):
    """The title, what the figures are, and the targets first."""
    m = results["machine"]
    head = [
        "# Benchmarks",
        "",
        "Generated by `%s` (`benchmarks/run.py` against the local ENS API simulator, %s mode). Do not edit by hand: "
        "run `make bench` again (`make bench QUICK=1` for a fast look with fewer repetitions)."
        % (m["command"], "quick" if results.get("quick") else "full"),
        "",
        "Every comparison below is between figures measured in the same run on the same machine, which is shared and "
        "noisy (the load average is shown): read ratios, not absolute seconds. No test fails on a time; the targets are "
        "reported here only.",
        "",
        "## Targets",
        "",
        table(["Target", "Measured", "Result"], [[name, measured, verdict(ok)] for name, ok, measured in targets]),
        "",
    ]
    return head


def render(results):
    """The report (docs/benchmarks.md) and its targets, from the results of one run; records the targets in `results`."""
    targets = []
    out = render_machine(results)
    out += render_api_calls(results, targets)
    out += render_waits(results, targets)
    out += render_wait_confirm(results)
    out += render_timeouts(results["timeouts"], targets) if results.get("timeouts") else []
    out += render_lag(results["lag"]) if results.get("lag") else []
    out += render_downtime(results, targets)
    out += render_fleet(results["fleet"])
    targets.extend(fleet_targets(results["fleet"]))
    out += render_startup(results)
    results["targets"] = [{"target": name, "pass": ok, "measured": measured} for name, ok, measured in targets]
    head = render_head(results, targets)
    return "\n".join(head + out + interpret(results)).rstrip() + "\n", targets
