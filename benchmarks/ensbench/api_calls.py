# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sections 1 and 3: API calls per operation, and the downtime of the eni_attach role's maintenance window."""

from __future__ import annotations

import os

from .constants import BENCH_DIR, DETACH_MODULE, ENI_MODULE, POWER_MODULE, REALISTIC
from .simulator import count_calls, eni_ids, first_read_after, history, reached, waits_in_run, with_calls


def section_api_calls(sim, runner, reps_downtime):
    results = {"modules": [], "roles": []}

    # Module runs on stopped instances.
    sim.reset({"generate": {"instances": 3, "free_enis_per_instance": 4, "secondary_enis_per_instance": 1,
                            "status": "Stopped", "prefix": "mod"}}, REALISTIC)
    scenarios = [
        ("No-op attach (ENI already InUse on the instance)", ENI_MODULE,
         {"instance_id": "i-mod-0001", "network_interface_ids": ["eni-mod-0001-s1"]}, "noop"),
        ("No-op detach (ENI already Available)", DETACH_MODULE,
         {"instance_id": "i-mod-0001", "network_interface_ids": ["eni-mod-0001-a"]}, "noop"),
        ("Attach 1 ENI (instance Stopped)", ENI_MODULE,
         {"instance_id": "i-mod-0001", "network_interface_ids": eni_ids("mod", 1, 1)}, None),
        ("Attach 4 ENIs (instance Stopped)", ENI_MODULE,
         {"instance_id": "i-mod-0002", "network_interface_ids": eni_ids("mod", 2, 4)}, None),
        ("Detach 1 ENI (instance Stopped)", DETACH_MODULE,
         {"instance_id": "i-mod-0001", "network_interface_ids": ["eni-mod-0001-s1"]}, None),
    ]
    for label, module, args, target in scenarios:
        print("  module run: %s" % label, flush=True)
        run = with_calls(sim, lambda module=module, args=args: runner.module(module, args))
        results["modules"].append({"label": label, "module": module, "target": target, "counts": count_calls(run["calls"]),
                                   "wall": run["wall"], "waits": waits_in_run(run)})

    # The eni_attach role on running instances: 1, 4 and 8 ENIs, then a no-change re-run.
    instances = 3 * reps_downtime + 1
    sim.reset({"generate": {"instances": instances, "free_enis_per_instance": 8, "status": "Running", "prefix": "role"}},
              REALISTIC)
    playbook = os.path.join(BENCH_DIR, "role_attach.yml")
    number = 0
    rerun_of = None
    for rep in range(reps_downtime):
        for count in (1, 4, 8):
            number += 1
            instance_id = "i-role-%04d" % number
            ids = eni_ids("role", number, count)
            label = "eni_attach role, running instance, %d ENI%s" % (count, "s" if count > 1 else "")
            print("  role run: %s (repetition %d)" % (label, rep + 1), flush=True)
            run = with_calls(sim, lambda instance_id=instance_id, ids=ids: runner.playbook(
                playbook, {"bench_instance_id": instance_id, "bench_network_interface_ids": ids}))
            entry = {"label": label, "enis": count, "rep": rep, "instance_id": instance_id, "eni_ids": ids,
                     "counts": count_calls(run["calls"]), "wall": run["wall"], "target": None,
                     "downtime": downtime_breakdown(run, instance_id, ids), "waits": waits_in_run(run)}
            results["roles"].append(entry)
            if count == 4 and rerun_of is None:
                rerun_of = (instance_id, ids)
    instance_id, ids = rerun_of
    print("  role run: no-change re-run", flush=True)
    run = with_calls(sim, lambda: runner.playbook(playbook, {"bench_instance_id": instance_id, "bench_network_interface_ids": ids}))
    results["roles"].append({"label": "eni_attach role, no-change re-run (4 ENIs already attached)", "enis": 4, "rep": 0,
                             "instance_id": instance_id, "counts": count_calls(run["calls"]), "wall": run["wall"],
                             "target": "nochange", "downtime": None, "waits": []})
    return results


def downtime_breakdown(run, instance_id, ids):
    """Split the instance's Running -> Running window into its parts (seconds)."""
    calls, state, timing = run["calls"], run["state"], run["timing"]
    hist = history(state, instance_id)
    leave = back = None
    for index in range(1, len(hist)):
        if leave is None and hist[index - 1][0] == "Running" and hist[index][0] != "Running":
            leave = hist[index][1]
        elif leave is not None and hist[index][0] == "Running":
            back = hist[index][1]
            break
    if leave is None or back is None:
        return None
    stopped = reached(state, instance_id, "Stopped", after=leave)
    stop_seen = first_read_after(calls, instance_id, stopped)["time"]
    attach_calls = [c for c in calls if c["action"] == "AttachNetworkInterface" and not c["code"]]
    first_attach, last_attach = attach_calls[0]["time"], attach_calls[-1]["time"]
    in_use = dict((eni_id, reached(state, eni_id, "InUse", after=first_attach - 1.0)) for eni_id in ids)
    last_eni = max(in_use, key=in_use.get)
    last_in_use = in_use[last_eni]
    in_use_seen = first_read_after(calls, last_eni, last_in_use)["time"]
    start_call = [c for c in calls if c["action"] == "StartInstance" and not c["code"]][0]["time"]

    def task_of(action, after):
        for entry in sorted(timing, key=lambda e: e["start"]):
            if entry["action"] == action and entry["start"] >= after and entry["status"] != "skipped":
                return entry
        return None

    def first_call_in(entry):
        inside = [c["time"] for c in calls if entry["start"] <= c["time"] <= entry["end"]]
        return min(inside) if inside else entry["start"]

    attach_task = task_of(ENI_MODULE, stop_seen)
    start_task = task_of(POWER_MODULE, in_use_seen)
    parts = {
        "stop_transition": stopped - leave,
        "stop_seen_late": stop_seen - stopped,
        "attach_calls": last_attach - first_attach,
        "attach_transition": last_in_use - last_attach,
        "attach_seen_late": in_use_seen - last_in_use,
        "start_transition": back - start_call,
    }
    # The two hand-offs: previous module's exit + controller work, next module's start-up, its reads.
    startup = exit_and_controller = reads = 0.0
    for seen, task, mutating_time in ((stop_seen, attach_task, first_attach), (in_use_seen, start_task, start_call)):
        if task is None:
            exit_and_controller += mutating_time - seen
            continue
        first = first_call_in(task)
        exit_and_controller += task["start"] - seen
        startup += first - task["start"]
        reads += mutating_time - first
    parts.update({"module_startup": startup, "module_exit_and_controller": exit_and_controller, "pre_call_reads": reads})
    total = back - leave
    return {"downtime": total, "parts": parts, "unaccounted": total - sum(parts.values())}
