# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The report's fleet part (section 4, its targets, its line of "What this means"), also spliced alone."""

from __future__ import annotations

import json
import statistics

from .fleet import FLEET_CALLS_TARGET, FLEET_CPU_TARGET, FLEET_WALL_RATIO_TARGET
from .stats import fmt, verdict
from .table import by_action, table


FLEET_HEADING = "## 4. Fleet"
FLEET_TARGET_PREFIX = "Fleet"
FLEET_BULLET = "* **Fleet.**"


def fleet_run_label(entry):
    if entry["kind"] == "single":
        return "single instance (localhost)"
    if entry["kind"] == "per-host":
        return "per-host role"
    return "batch mode, simulator flow control" if entry.get("behaviours") else "batch mode"


def fleet_runs(fleet, kind, throttled=False):
    return [e for e in fleet["runs"] if e["kind"] == kind and bool(e.get("behaviours")) == throttled]


def fleet_ok(entry):
    return entry["rc"] == 0 and not entry["wrong_count"]


def fleet_single_wall(fleet):
    walls = [e["wall"] for e in fleet_runs(fleet, "single") if fleet_ok(e)]
    return statistics.mean(walls) if walls else None


def fleet_targets(fleet):
    """(target, ok, measured) of issue 11, from the batch runs of this fleet section."""
    targets = []
    single = fleet_single_wall(fleet)
    batches = fleet_runs(fleet, "batch")
    largest = max(batches, key=lambda e: e["instances"]) if batches else None
    if largest and single:
        ratio = largest["wall"] / single
        targets.append(("%s: %d instances in one batch <= %gx the single-instance wall time" % (
            FLEET_TARGET_PREFIX, largest["instances"], FLEET_WALL_RATIO_TARGET), ratio <= FLEET_WALL_RATIO_TARGET and fleet_ok(largest),
            "%.1f s vs %.1f s (%.2fx)%s" % (largest["wall"], single, ratio, "" if fleet_ok(largest) else ", the batch run failed")))
    for entry in batches:
        # A failed run's figures prove nothing: its targets are missed.
        size, ok, failed = entry["instances"], fleet_ok(entry), "" if fleet_ok(entry) else ", the run failed"
        targets.append(("%s: <= %g API calls per instance, batch of %d" % (FLEET_TARGET_PREFIX, FLEET_CALLS_TARGET, size),
                        ok and entry["calls_per_instance"] <= FLEET_CALLS_TARGET,
                        "%.1f (%d calls)%s" % (entry["calls_per_instance"], entry["calls"], failed)))
        targets.append(("%s: busiest second <= the ceiling (%g), batch of %d" % (FLEET_TARGET_PREFIX, fleet["ceiling"], size),
                        ok and entry["busiest_second"] <= fleet["ceiling"], "%d calls%s" % (entry["busiest_second"], failed)))
        targets.append(("%s: controller CPU <= %g s per instance, batch of %d" % (FLEET_TARGET_PREFIX, FLEET_CPU_TARGET, size),
                        ok and entry["cpu_per_instance"] <= FLEET_CPU_TARGET,
                        "%.2f s (%.1f s in all)%s" % (entry["cpu_per_instance"], entry["cpu"], failed)))
    for entry in fleet_runs(fleet, "batch", throttled=True):
        targets.append(("%s: under flow control `%s` a batch of %d is throttled and still completes" % (
            FLEET_TARGET_PREFIX, json.dumps(entry["behaviours"]["rate_limits"]), entry["instances"]),
            fleet_ok(entry) and entry["throttled"] > 0,
            "%d throttled answers, %.1f s, rc %d, %d resources left wrong" % (
                entry["throttled"], entry["wall"], entry["rc"], entry["wrong_count"])))
    failed = [e for e in fleet["runs"] if not fleet_ok(e)]
    measured = "%d of %d runs" % (len(fleet["runs"]) - len(failed), len(fleet["runs"]))
    if failed:
        measured += "; failed: %s" % ", ".join("%s at %d (rc %d, %d wrong)" % (fleet_run_label(e), e["instances"], e["rc"],
                                                                               e["wrong_count"]) for e in failed)
    targets.append(("%s: every run swaps every instance and leaves it Running" % FLEET_TARGET_PREFIX, not failed, measured))
    return targets


def render_fleet(fleet):
    """Section 4 of the report, as lines."""
    out = []
    add = out.append
    m = fleet["measured"]
    tr = fleet["transitions"]
    add("%s: playbooks/swap.yml in batch mode beside the per-host role" % FLEET_HEADING)
    add("")
    add("Measured by `%s` on %s, commit %s, %s CPUs, load average before / after %s / %s; the section took %.0f s%s."
        % (m["command"], m["date"], m["commit"], m["nproc"], m["load_before"], m.get("load_after", "?"), fleet["duration"],
           " (quick mode)" if fleet.get("quick") else ""))
    add("")
    add("Every run swaps one ENI out and one in on each instance of the simulator's generated fleet, all Running (host vars "
        "`ens_instance_id`, `ens_detach_network_interface_ids: [eni-fleet-NNNN-s1]`, `ens_attach_network_interface_ids: "
        "[eni-fleet-NNNN-a]`), in one stop/start window per instance. Transitions: stop %g s, detach %g s, attach %g s, start %g s, "
        "so one window's floor is %g s, and so is each run's: every instance is in one serial batch (`batch_size` unset). "
        "Runs: **single instance**: `ansible-playbook playbooks/swap.yml -e instance_id=i-fleet-0001 -e "
        "detach_network_interface_ids=... -e attach_network_interface_ids=...` on localhost (the single-host role); "
        "**batch mode**: `ansible-playbook playbooks/swap.yml -i <inventory> -e target_hosts=ens_fleet --forks %d`, the default "
        "over an inventory (one `ens_eni_batch` module run for the batch); **per-host role**: the same with `-e batch_mode=false` "
        "and the forks shown."
        % (tr["stop"], tr["detach"], tr["attach"], tr["start"], fleet["floor"], fleet["batch_forks"]))
    add("")
    add("Forks in batch mode: the cloud's waits all happen in the one module process, so forks only run the per-host "
        "controller tasks before and after it (the id check, `set_fact`, `ens_eni_batch_result`), short and CPU-bound; on %s "
        "CPUs more forks cannot run more of them at once and only add worker processes, fewer leave the controller waiting "
        "on each round of results: %d, a small multiple of the CPUs." % (m["nproc"], fleet["batch_forks"]))
    add("")
    single = fleet_single_wall(fleet)
    rows = []
    for entry in fleet["runs"]:
        b = entry["breakdown"]
        split = " / ".join(fmt(b[k], 1) for k in ("lead_in", "api_span", "tail"))
        if b.get("batch_task") is not None:
            split += " (module task %s)" % fmt(b["batch_task"], 1)
        result = "ok" if fleet_ok(entry) else "**rc %d, %d resources wrong**%s" % (
            entry["rc"], entry["wrong_count"], (": " + ", ".join(entry["wrong"][:3])) if entry["wrong"] else "")
        rows.append([fleet_run_label(entry), entry["instances"], entry["forks"] or "-", fmt(entry["wall"], 1),
                     fmt(entry["floor_ratio"], 1) + "x", fmt(entry["wall"] / single, 2) + "x" if single else "-",
                     "%s (%d, %d mutating)" % (fmt(entry["calls_per_instance"], 1), entry["calls"], entry["mutating"]),
                     entry["busiest_second"], entry["throttled"],
                     "%s (%s)" % (fmt(entry["cpu_per_instance"], 2), fmt(entry["cpu"], 1)), split, result])
    add(table(["Run", "Instances", "Forks", "Wall, s", "Wall / floor", "Wall / single", "API calls per instance (total, mutating)",
               "Busiest second, calls (ceiling %g)" % fleet["ceiling"], "Throttled answers",
               "Controller CPU per instance, s (total)", "Before first call / calls / after last call, s", "Result"], rows))
    add("")
    for note in fleet.get("notes", []):
        add("Not measured as planned: %s." % note)
        add("")
    add("`Wall / single`: against the single-instance runs' mean (%s). `API calls per instance`: every call of the run in the "
        "simulator's call log (reads, mutating, retries, throttled) over the instances. `Busiest second`: the most calls the "
        "simulator logged in one calendar second; the ceiling is `ens_eni_batch`'s `max_calls_per_second` (default %g), which the "
        "per-host role does not have. `Controller CPU`: user + system CPU of the whole `ansible-playbook` process tree "
        "(controller, workers, module processes), from `os.wait4` on the command (cross-checked with the growth of "
        "`getrusage(RUSAGE_CHILDREN)`): Linux adds a process's CPU to its parent's once the parent has waited for it, and "
        "ansible waits for every worker and module process, so the whole tree is counted once; the simulator is a separate "
        "process and is not. `Before first call / calls / after last call`: the command's start to its first API call "
        "(controller start-up, per-host tasks, module start-up), first to last call, last call to the command's end; in batch "
        "mode the `ens_eni_batch` task's own time follows (timing callback)."
        % (", ".join(fmt(e["wall"], 1) + " s" for e in fleet_runs(fleet, "single")), fleet["ceiling"]))
    add("")
    rows = [[fleet_run_label(e), e["instances"], by_action(e)] for e in fleet["runs"] if e["kind"] != "single" or e is
            fleet_runs(fleet, "single")[0]]
    add(table(["Run", "Instances", "API calls by action"], rows))
    add("")
    for entry in fleet_runs(fleet, "batch", throttled=True):
        plain = [e for e in fleet_runs(fleet, "batch") if e["instances"] == entry["instances"]]
        add("Flow control: the batch of %d again with the simulator's `rate_limits` `%s` (a call past that many in one calendar "
            "second is answered `Throttling.User`), under the module's default ceiling of %g: %s s against %s s without it, "
            "%d throttled answers, %s calls per instance, and the run %s."
            % (entry["instances"], json.dumps(entry["behaviours"]["rate_limits"]), fleet["ceiling"], fmt(entry["wall"], 1),
               fmt(plain[0]["wall"], 1) if plain else "-", entry["throttled"], fmt(entry["calls_per_instance"], 1),
               "completed with every instance swapped and Running" if fleet_ok(entry)
               else "FAILED (rc %d, %d resources wrong)" % (entry["rc"], entry["wrong_count"])))
        add("")
    return out


def fleet_bullet(fleet):
    """The fleet line of "What this means", from this run's figures."""
    batches = dict((e["instances"], e) for e in fleet_runs(fleet, "batch"))
    per_host = dict((e["instances"], e) for e in fleet_runs(fleet, "per-host"))
    both = sorted(set(batches) & set(per_host))
    if not both:
        return None
    size = both[-1]
    b, p = batches[size], per_host[size]
    split = b["breakdown"]
    where = ""
    if split["api_span"] is not None:
        figures = (fmt(b["wall"], 1), fmt(split["lead_in"], 1), fmt(split["api_span"], 1), fleet["floor"], fmt(split["tail"], 1))
        where = (" Of batch mode's %s s, %s s pass before its first API call (controller start-up, the role's per-host tasks, "
                 "the module's start-up), %s s from its first call to its last (the floor is %g s) and %s s after it (the "
                 "per-host outcomes)." % figures)
    return ("%s At %d instances batch mode takes %s s (%sx the floor) where the per-host role with forks %d takes %s s (%sx); "
            "%s API calls per instance against %s, a busiest second of %d calls against %d, and %s s of controller CPU per "
            "instance against %s s. The per-host role starts several module processes per host, each importing the SDK, and "
            "polls each instance on its own; batch mode starts one module process for the whole batch and shares its polls "
            "across the instances, paced under its ceiling.%s"
            % (FLEET_BULLET, size, fmt(b["wall"], 1), fmt(b["floor_ratio"], 1), p["forks"], fmt(p["wall"], 1),
               fmt(p["floor_ratio"], 1), fmt(b["calls_per_instance"], 1), fmt(p["calls_per_instance"], 1), b["busiest_second"],
               p["busiest_second"], fmt(b["cpu_per_instance"], 2), fmt(p["cpu_per_instance"], 2), where))


def splice_fleet(report, fleet):
    """`report` (a whole docs/benchmarks.md) with its fleet section, fleet targets and fleet line replaced by `fleet`'s."""
    lines = report.rstrip("\n").split("\n")
    # Section 4: from its heading to the next section's.
    start = next((i for i, line in enumerate(lines) if line.startswith(FLEET_HEADING)), None)
    if start is None:
        raise ValueError("no line starting with %r" % FLEET_HEADING)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    lines[start:end] = render_fleet(fleet)
    # The targets table: the old fleet rows out, this run's at its end.
    head = next((i for i, line in enumerate(lines) if line == "## Targets"), None)
    first = next((i for i in range(head + 1, len(lines)) if lines[i].startswith("|")), None) if head is not None else None
    if first is None:
        raise ValueError("no table under '## Targets'")
    last = first
    while last + 1 < len(lines) and lines[last + 1].startswith("|"):
        last += 1
    kept = [line for line in lines[first:last + 1] if not line.startswith("| %s" % FLEET_TARGET_PREFIX)]
    new_rows = table(["Target", "Measured", "Result"], [[name, measured, verdict(ok)] for name, ok, measured
                                                        in fleet_targets(fleet)]).split("\n")[2:]
    lines[first:last + 1] = kept + new_rows
    # The fleet line of "What this means": replaced, or put before the start-up line.
    bullet = fleet_bullet(fleet)
    old = next((i for i, line in enumerate(lines) if line.startswith(FLEET_BULLET)), None)
    if old is not None:
        if bullet:
            lines[old] = bullet
        else:
            del lines[old]
    elif bullet:
        where = next((i for i, line in enumerate(lines) if line.startswith("* **Start-up.**")), len(lines))
        lines.insert(where, bullet)
    return "\n".join(lines) + "\n"


def render_fleet_alone(fleet):
    """A report holding the fleet part only (when there is no full report to splice it into)."""
    rows = [[name, measured, verdict(ok)] for name, ok, measured in fleet_targets(fleet)]
    head = ["# Benchmarks", "",
            "Generated by `%s`: the fleet section only. `make bench` writes the whole report." % fleet["measured"]["command"], "",
            "## Targets", "", table(["Target", "Measured", "Result"], rows), ""]
    bullet = fleet_bullet(fleet)
    tail = ["## What this means, where the time goes", "", bullet, ""] if bullet else []
    return "\n".join(head + render_fleet(fleet) + tail).rstrip() + "\n"
