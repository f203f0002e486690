# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Section 2c: wait overshoot and role downtime with the simulator's read-after-write lag on and off."""

from __future__ import annotations

import os

from .api_calls import downtime_breakdown
from .constants import BENCH_DIR, ENI_MODULE, REALISTIC
from .simulator import count_calls, eni_ids, waits_in_run, with_calls


def section_lag(sim, runner, lags, reps):
    """Wait overshoot and role downtime with the simulator's read-after-write lag on, beside the same runs with it off.

    Per lag: `reps` ens_eni_attach runs (1 ENI, stopped instance) and `reps` eni_attach role runs with 1 and 4 ENIs on
    running instances, at the realistic transitions. The lag is seeded, so both sides see the same draws."""
    results = []
    playbook = os.path.join(BENCH_DIR, "role_attach.yml")
    for index, lag in enumerate(lags):
        prefix = "lag%d" % index
        sim.reset({"generate": {"instances": reps, "free_enis_per_instance": 1, "status": "Stopped", "prefix": prefix + "m"}},
                  REALISTIC)
        sim.set_behaviours({"read_lag": lag, "seed": 31})
        for number in range(1, reps + 1):
            print("  lag %g s: module run %d/%d" % (lag, number, reps), flush=True)
            args = {"instance_id": "i-%sm-%04d" % (prefix, number), "network_interface_ids": eni_ids(prefix + "m", number, 1)}
            run = with_calls(sim, lambda args=args: runner.module(ENI_MODULE, args))
            results.append({"lag": lag, "kind": "module", "enis": 1, "wall": run["wall"], "counts": count_calls(run["calls"]),
                            "waits": waits_in_run(run)})
        sim.reset({"generate": {"instances": 2 * reps, "free_enis_per_instance": 4, "status": "Running", "prefix": prefix + "r"}},
                  REALISTIC)
        sim.set_behaviours({"read_lag": lag, "seed": 37})
        number = 0
        for _rep in range(reps):
            for count in (1, 4):
                number += 1
                instance_id = "i-%sr-%04d" % (prefix, number)
                ids = eni_ids(prefix + "r", number, count)
                print("  lag %g s: eni_attach role, %d ENI(s)" % (lag, count), flush=True)
                run = with_calls(sim, lambda instance_id=instance_id, ids=ids: runner.playbook(
                    playbook, {"bench_instance_id": instance_id, "bench_network_interface_ids": ids}))
                results.append({"lag": lag, "kind": "role", "enis": count, "wall": run["wall"],
                                "counts": count_calls(run["calls"]), "downtime": downtime_breakdown(run, instance_id, ids),
                                "waits": waits_in_run(run)})
    return results
