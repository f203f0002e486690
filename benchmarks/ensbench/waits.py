# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Section 2: wait overshoot, the collection's Waiter beside a fixed 5 s poller, same simulator, same time."""

from __future__ import annotations

import json
import os
import random
import threading
import time

from .constants import ACCESS_KEY_ID, ACCESS_KEY_SECRET, ENI_MODULE, READ_ACTIONS, REALISTIC, TRANSITION_SPREAD
from .runner import import_collection
from .simulator import eni_ids, first_read_after, named, reached, waits_in_run, with_calls


def collection_wait(sim, modules, instance_id, eni_id, seconds, delay, out):
    """One wait of the collection's Waiter, through EniExecution, as an attach returns."""
    _client, _eni, _planning, _waiter, _baseline = modules
    api = _client.EnsApi.from_params({"endpoint": sim.url, "access_key_id": ACCESS_KEY_ID, "access_key_secret": ACCESS_KEY_SECRET})
    time.sleep(delay)
    started = time.time()
    sim.set_status(eni_id, "Attaching", seconds, instance_id)
    found = {eni_id: {"NetworkInterfaceId": eni_id, "Status": "Attaching", "InstanceId": instance_id}}
    plan = _planning.plan_attach(instance_id, [eni_id], found)
    waiter = _waiter.Waiter(600)
    _eni.EniExecution(plan, api, lambda request_id: None, waiter, True).run()
    out.update(started=started, polls_client=waiter.polls, noticed_client=time.time())


def baseline_wait(sim, modules, instance_id, eni_id, seconds, delay, out):
    """One wait of the fixed 5 s poller (benchmarks/baseline_poller.py), as an attach returns."""
    baseline_poller = modules[4]
    poller = baseline_poller.FixedIntervalPoller(baseline_poller.sdk_client(sim.endpoint, ACCESS_KEY_ID, ACCESS_KEY_SECRET))
    time.sleep(delay)
    started = time.time()
    sim.set_status(eni_id, "Attaching", seconds, instance_id)
    poller.wait_for_eni(eni_id)
    out.update(started=started, polls_client=poller.polls, noticed_client=time.time())


def guarded(target, *args):
    """Run one wait in its thread; a failure is recorded in its `out` (the last argument)."""
    try:
        target(*args)
    except Exception as exc:  # pylint: disable=broad-except
        args[-1]["error"] = repr(exc)


def parallel_waits(sim, modules, batches):
    """Both sides' waits of every batch, in parallel threads; the longest batch beside the others. Returns their `out`s."""
    rng = random.Random(20240301)
    total = sum(2 * rounds * per_side for _t, rounds, per_side in batches)
    sim.reset({"generate": {"instances": total, "free_enis_per_instance": 1, "status": "Stopped", "prefix": "w"}}, REALISTIC)
    numbers = iter(range(1, total + 1))
    lock = threading.Lock()
    outs = []

    def stratified(transition, count):
        """`count` transition times spread evenly over nominal +-spread, in random order (stratified sampling)."""
        with lock:
            values = [transition * (1.0 - TRANSITION_SPREAD + 2.0 * TRANSITION_SPREAD * (index + rng.random()) / count)
                      for index in range(count)]
            rng.shuffle(values)
        return values

    def run_batch(transition, rounds, per_side):
        durations = {"collection": stratified(transition, rounds * per_side), "baseline": stratified(transition, rounds * per_side)}
        for round_number in range(rounds):
            print("  waits: %g s transitions, round %d/%d, %d waits per side in parallel"
                  % (transition, round_number + 1, rounds, per_side), flush=True)
            jobs = []
            for index in range(2 * per_side):
                side = "collection" if index % 2 == 0 else "baseline"
                seconds = durations[side].pop()
                with lock:
                    number = next(numbers)
                    delay = rng.uniform(0.0, 1.0)
                out = {"side": side, "transition": transition, "seconds": seconds, "eni": "eni-w-%04d-a" % number}
                target = collection_wait if side == "collection" else baseline_wait
                jobs.append(threading.Thread(target=guarded, args=(target, sim, modules, "i-w-%04d" % number, out["eni"], seconds,
                                                                   delay, out)))
                outs.append(out)
            for thread in jobs:
                thread.start()
            for thread in jobs:
                thread.join()

    ordered = sorted(batches, key=lambda batch: -batch[0])
    longest = threading.Thread(target=run_batch, args=ordered[0])
    longest.start()
    for batch in ordered[1:]:
        run_batch(*batch)
    longest.join()
    return outs


def overshoot_samples(sim, runner, outs):
    """Each wait's overshoot and polls, from the simulator's history and call log (kept in waits-calls.json)."""
    calls = sim.calls_since(0)
    state = sim.state()
    with open(os.path.join(runner.work, "waits-calls.json"), "w", encoding="utf-8") as handle:
        json.dump({"calls": calls, "state": state, "outs": outs}, handle)
    samples = []
    for out in outs:
        if "started" not in out:
            raise RuntimeError("a wait failed: %s" % out)
        when = reached(state, out["eni"], "InUse", after=out["started"])
        seen = first_read_after(calls, out["eni"], when)
        polls = [c for c in calls if c["action"] in READ_ACTIONS and out["started"] <= c["time"] <= seen["time"]
                 and out["eni"] in named(c)]
        out.update(reached=when, seen=seen["time"], overshoot=seen["time"] - when, polls=len(polls))
        samples.append(out)
    return samples


def confirm_waits(sim, runner, confirm_runs):
    """A few full module runs to confirm: ens_eni_attach with 2 s and 10 s attach transitions."""
    confirm = []
    sim.reset({"generate": {"instances": 1, "free_enis_per_instance": sum(n for _t, n in confirm_runs), "status": "Stopped",
                            "prefix": "conf"}}, REALISTIC)
    letters = iter(eni_ids("conf", 1, sum(n for _t, n in confirm_runs)))
    for transition, runs in confirm_runs:
        sim.set_transition({"attach": transition})
        for _run in range(runs):
            eni_id = next(letters)
            print("  waits: module run, %g s attach" % transition, flush=True)
            args = {"instance_id": "i-conf-0001", "network_interface_ids": [eni_id]}
            run = with_calls(sim, lambda args=args: runner.module(ENI_MODULE, args))
            for wait in waits_in_run(run):
                wait["transition"] = transition
                confirm.append(wait)
    return confirm


def section_waits(sim, runner, batches, confirm_runs):
    """`batches`: (transition, rounds, waits per side). The longest batch runs beside the others, all on one fleet."""
    modules = import_collection(runner)
    _waiter = modules[3]
    results = {"samples": [], "confirm": [], "waiter": {
        "first": _waiter.FIRST_POLL_SECONDS, "early_growth": _waiter.EARLY_GROWTH_PER_SECOND,
        "early_seconds": _waiter.EARLY_SECONDS, "late_growth": _waiter.LATE_GROWTH_PER_SECOND,
        "cap": _waiter.MAX_POLL_INTERVAL_SECONDS, "jitter": _waiter.JITTER_FRACTION}}
    outs = parallel_waits(sim, modules, batches)
    results["samples"] = overshoot_samples(sim, runner, outs)
    results["confirm"] = confirm_waits(sim, runner, confirm_runs)
    return results
