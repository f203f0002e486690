# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The report's "What this means, where the time goes" section, from the figures of one run."""

from __future__ import annotations

from .constants import REALISTIC
from .fleet_report import fleet_bullet
from .stats import fmt, median


def api_calls_bullet(results):
    """What the API call counts mean."""
    api = results["api_calls"]
    lines = []
    modules = dict((entry["label"], entry["counts"]) for entry in api["modules"])
    attach1 = next((c for label, c in modules.items() if label.startswith("Attach 1")), None)
    attach4 = next((c for label, c in modules.items() if label.startswith("Attach 4")), None)
    rerun = next((e["counts"] for e in api["roles"] if e["target"] == "nochange"), None)
    if attach1 and attach4 and rerun:
        lines.append(
            "* **API calls.** A no-op module run reads the ENIs once and stops; the role's no-change re-run makes %d call(s), "
            "the plan's single read of the ENIs, and never reads the instance. A change reads the ENIs and the instance once "
            "each, makes one call per ENI, then polls every ENI of the run with one read per poll: attaching 4 ENIs polls as "
            "often as attaching 1 (%d and %d reads in all). Most calls of a role run are polls of the stop and start waits."
            % (rerun["total"], attach1["reads"], attach4["reads"]))
    return lines


def waits_bullet(results):
    """What the wait overshoot costs and buys."""
    waits = results["waits"]
    lines = []
    parts = []
    for transition in sorted(set(s["transition"] for s in waits["samples"])):
        chosen = [s for s in waits["samples"] if s["transition"] == transition]
        c = [s for s in chosen if s["side"] == "collection"]
        b = [s for s in chosen if s["side"] == "baseline"]
        parts.append("%g s: %s s late with %s polls, against %s s and %s polls for the 5 s poller"
                     % (transition, fmt(median([s["overshoot"] for s in c])), fmt(median([s["polls"] for s in c]), 0),
                        fmt(median([s["overshoot"] for s in b])), fmt(median([s["polls"] for s in b]), 0)))
    latency = results["latency"]["median"]
    long_c = [s["polls"] for s in waits["samples"] if s["transition"] >= 60 and s["side"] == "collection"]
    long_b = [s["polls"] for s in waits["samples"] if s["transition"] >= 60 and s["side"] == "baseline"]
    extra = (", about %s more reads than the 5 s poller over a 60 s wait" % fmt(median(long_c) - median(long_b), 0)
             if long_c and long_b else "")
    w = waits["waiter"]
    lines.append(
        ("* **Waits.** The growing interval (%g s, +%g s per second waited for the first %g s, then +%g s per second, "
         "at most %g s, up to %d%% shorter at random) "
         % (w["first"], w["early_growth"], w["early_seconds"], w["late_growth"], w["cap"], round(100 * w["jitter"])))
        + "notices a change about half "
        "an interval after it happens; a fixed 5 s poll notices it 2.5 s late on average once changes last longer than 5 s, "
        "and 5 s minus the change's length late for shorter ones. Medians: %s. The price is the extra polls%s: each poll is one read for all "
        "the ENIs (or instances) of the run, %s ms of API time here, and counts against the account's read quota. With "
        "transitions of exactly the same length every time (the confirming module runs), where the change falls between "
        "two polls is less random and single runs vary more."
        % ("; ".join(parts), extra, fmt(latency * 1000, 1)))
    return lines


def downtime_bullet(results):
    """Where the role's maintenance window goes."""
    api = results["api_calls"]
    lines = []
    runs = [e for e in api["roles"] if e["downtime"] and e["target"] is None]
    if runs:
        def med(name):
            return median([e["downtime"]["parts"][name] for e in runs])
        window = median([e["downtime"]["downtime"] for e in runs])
        transitions = med("stop_transition") + med("attach_transition") + med("start_transition")
        late = med("stop_seen_late") + med("attach_seen_late")
        startup = med("module_startup")
        handoff = med("module_exit_and_controller") + med("pre_call_reads") + med("attach_calls")
        lines.append(
            "* **Downtime.** Over all role runs the window is %s s (median): %s s of transitions the simulator imposes "
            "(%d%%), %s s of noticing the stop and the attach late (%d%%), %s s of module start-up (%d%%): the attach module "
            "and the power module that starts the instance both start inside the window, and %s s of module exits, "
            "controller work, pre-call reads and the attach calls themselves (%d%%). The number of ENIs changes only the "
            "back-to-back attach calls (milliseconds each): one wait covers them all, where attaching one ENI at a time "
            "would add %g s per ENI."
            % (fmt(window, 1), fmt(transitions, 1), round(100 * transitions / window), fmt(late, 1), round(100 * late / window),
               fmt(startup, 1), round(100 * startup / window), fmt(handoff, 1), round(100 * handoff / window), REALISTIC["attach"]))
    return lines


def startup_bullet(results):
    """Why an API module starts slower than ping."""
    su = results["startup"]
    lines = []
    info = median([r["wall"] for r in su["module"]["info"]])
    ping = median([r["wall"] for r in su["module"]["ping"]])
    sdk = su["imports"].get("alibabacloud_ens20171110.client")
    basic = su["imports"].get("ansible.module_utils.basic")
    lines.append(
        "* **Start-up.** The `ens_eni_info` process runs %s s against %s s for `ping`%s; %s MiB peak against %s MiB. The "
        "difference is the SDK: `alibabacloud_ens20171110.client` takes %s s to import (its config model pulls in "
        "`alibabacloud_credentials` and, through it, aiohttp, requests and apscheduler), where `ansible.module_utils.basic`, "
        "which both load, takes %s s. The collection imports the SDK only when a call is needed, so input errors fail "
        "fast, but every API module run pays it once."
        % (fmt(info), fmt(ping), (" (its API call comes %s s after it starts)" % fmt(median(su["first_call"]))) if su["first_call"] else "",
           fmt(median([r["maxrss_kb"] for r in su["module"]["info"]]) / 1024.0, 0),
           fmt(median([r["maxrss_kb"] for r in su["module"]["ping"]]) / 1024.0, 0), fmt(sdk), fmt(basic)))
    return lines


def interpret(results):
    """The "what this means / where the time goes" section, from the figures of this run."""
    lines = ["## What this means, where the time goes", ""]
    lines += api_calls_bullet(results)
    lines += waits_bullet(results)
    lines += downtime_bullet(results)
    bullet = fleet_bullet(results["fleet"])
    if bullet:
        lines.append(bullet)
    lines += startup_bullet(results)
    lines.append("")
    return lines
