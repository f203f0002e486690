# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The simulator's control API and what the bench reads from its call log and history."""

from __future__ import annotations

import os
import sys
import urllib.parse

from .constants import READ_ACTIONS, ROOT

sys.path.insert(0, os.path.join(ROOT, "tests", "simulator"))
from ens_simulator import ControlClient  # noqa: E402 pylint: disable=wrong-import-position
from ens_simulator.params import named_resources  # noqa: E402 pylint: disable=wrong-import-position


class Sim:
    """The simulator's control API plus call-log and history helpers."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.endpoint = urllib.parse.urlparse(self.url).netloc
        self.control = ControlClient(self.url, timeout=60)
        self.seq = 0

    def reset(self, fleet, transitions):
        self.control.reset(fleet=fleet, transition_seconds=transitions)
        self.seq = 0

    def set_transition(self, transitions):
        self.control.set_transition(transitions)

    def calls_since(self, seq):
        status, payload = self.control.call("GET", "/_sim/calls?since=%d" % seq)
        if status != 200:
            raise RuntimeError("GET /_sim/calls failed: %s %s" % (status, payload))
        return payload["calls"]

    def mark(self):
        """The seq of the last call logged so far."""
        calls = self.calls_since(self.seq)
        if calls:
            self.seq = calls[-1]["seq"]
        return self.seq

    def state(self):
        return self.control.state()

    def set_status(self, resource_id, status, remaining=None, instance_id=None):
        return self.control.set_status(resource_id, status, remaining, instance_id)

    def set_behaviours(self, behaviours):
        """The simulator's real-cloud behaviours (read_lag, ...); a reset returns them to the server's defaults."""
        self.control.set_behaviours(behaviours)


def named(call):
    """The resource ids a call names in its parameters."""
    return named_resources(call.get("params") or {})


def history(state, resource_id):
    resource = state["instances"].get(resource_id) or state["network_interfaces"].get(resource_id)
    return resource["history"] if resource else []


def reached(state, resource_id, status, after=0.0):
    """When `resource_id` last reached `status` after `after` (from the simulator's history), or None."""
    times = [since for name, since in history(state, resource_id) if name == status and since >= after]
    return times[-1] if times else None


def first_read_after(calls, resource_id, when):
    """The first read naming `resource_id` handled at or after `when`: the poll that saw the change."""
    for call in calls:
        if call["action"] in READ_ACTIONS and call["time"] >= when and resource_id in named(call) and not call["code"]:
            return call
    return None


def count_calls(calls):
    counts = {}
    for call in calls:
        counts[call["action"]] = counts.get(call["action"], 0) + 1
    reads_per_resource = {}
    for call in calls:
        if call["action"] in READ_ACTIONS:
            for resource_id in named(call):
                reads_per_resource[resource_id] = reads_per_resource.get(resource_id, 0) + 1
    return {
        "total": len(calls),
        "by_action": counts,
        "mutating": sum(1 for call in calls if call["mutating"]),
        "reads": sum(1 for call in calls if call["action"] in READ_ACTIONS),
        "max_reads_per_resource": max(reads_per_resource.values()) if reads_per_resource else 0,
        "errors": sum(1 for call in calls if call["code"]),
    }


def with_calls(sim, run_fn):
    """Run `run_fn()` and attach the API calls it made (from the call log) and the state after it."""
    before = sim.mark()
    result = run_fn()
    result["calls"] = sim.calls_since(before)
    sim.mark()
    result["state"] = sim.state()
    return result


def eni_ids(prefix, number, count):
    letters = list("abcdefghijklmnoqrstuvwxyz")[:count]
    return ["eni-%s-%04d-%s" % (prefix, number, letter) for letter in letters]


def waits_in_run(run):
    """Every wait inside a module or role run: (kind, resource, reached, seen call, polls)."""
    calls, state = run["calls"], run["state"]
    waits = []
    changes = {
        "AttachNetworkInterface": ("attach", "NetworkInterfaceId", "InUse"),
        "DetachNetworkInterface": ("detach", "NetworkInterfaceId", "Available"),
        "StopInstance": ("stop", "InstanceId", "Stopped"),
        "StartInstance": ("start", "InstanceId", "Running"),
    }
    for call in calls:
        if call["action"] not in changes or call["code"]:
            continue
        kind, key, target = changes[call["action"]]
        resource_id = call["params"][key]
        when = reached(state, resource_id, target, after=call["time"] - 1.0)
        if when is None:
            continue
        seen = first_read_after(calls, resource_id, when)
        if seen is None:
            continue
        polls = [c for c in calls if c["action"] in READ_ACTIONS and call["time"] < c["time"] <= seen["time"]
                 and resource_id in named(c)]
        waits.append({"kind": kind, "resource": resource_id, "call_time": call["time"], "reached": when,
                      "seen": seen["time"], "overshoot": seen["time"] - when, "polls": len(polls)})
    return waits
