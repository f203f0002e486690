# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Section 2b: how late a wait that runs out of time fails, with and without throttled polls."""

from __future__ import annotations

import threading
import time

from .constants import ENI_MODULE, READ_ACTIONS, REALISTIC
from .simulator import eni_ids


def section_timeouts(sim, runner, reps, timeout=3):
    """How late a wait that runs out of time fails: ens_eni_attach with `timeout` against a 60 s attach,
    `reps` runs as is and `reps` runs where every poll is throttled from the attach call on."""
    results = []
    sim.reset({"generate": {"instances": 1, "free_enis_per_instance": 2 * reps, "status": "Stopped", "prefix": "tmo"}},
              dict(REALISTIC, attach=60.0))
    letters = iter(eni_ids("tmo", 1, 2 * reps))
    for throttled in (False, True):
        for _run in range(reps):
            print("  timeouts: module run, %d s timeout, 60 s attach%s" % (timeout, ", every poll throttled" if throttled else ""),
                  flush=True)
            sim.control.set_faults({})
            eni_id = next(letters)
            before = sim.mark()
            args = {"instance_id": "i-tmo-0001", "network_interface_ids": [eni_id], "wait_timeout": timeout}
            out = {}
            worker = threading.Thread(target=lambda args=args: out.update(runner.module(ENI_MODULE, args, check=False)))
            worker.start()
            attach = None
            while attach is None and worker.is_alive():
                attach = next((c for c in sim.calls_since(before) if c["action"] == "AttachNetworkInterface"), None)
                if attach is None:
                    time.sleep(0.02)
            if throttled and attach is not None:
                # From here on every read is refused with Throttling.User, as under a fleet-wide quota squeeze.
                sim.control.set_faults({"throttling_rate": 1.0, "actions": list(READ_ACTIONS), "seed": 1})
            worker.join()
            sim.control.set_faults({})
            calls = sim.calls_since(before)
            sim.mark()
            if attach is None or out.get("rc") == 0 or "Timed out after" not in out.get("output", ""):
                raise RuntimeError("the timeout run did not time out as planned: %s" % out.get("output", "")[-2000:])
            polls = [c for c in calls if c["action"] in READ_ACTIONS and c["time"] > attach["time"]]
            deadline = attach["time"] + timeout
            results.append({"throttled": throttled, "timeout": timeout, "polls": len(polls),
                            "throttled_polls": sum(1 for c in polls if c["code"]),
                            "last_poll_late": polls[-1]["time"] - deadline if polls else None,
                            "failed_late": out["end"] - deadline})
    return results
