# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The benchmark behind `make bench`: API calls, wait overshoot, downtime, fleet wall time, start-up.

The command line: run the sections, write results.json and docs/benchmarks.md (or rewrite it from results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import time

from .api_calls import section_api_calls
from .constants import LAG_SECONDS, ROOT
from .fleet import BATCH_FORKS, FLEET_BUDGET, FLEET_SIZES, section_fleet
from .fleet_report import fleet_targets, render_fleet_alone, splice_fleet
from .lag import section_lag
from .machine import machine
from .report import render
from .runner import Runner
from .simulator import Sim
from .startup import api_latency, section_startup
from .timeouts import section_timeouts
from .waits import section_waits


def sizes_arg(text):
    """`--fleet-sizes`: instance counts, comma-separated."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("instance counts, comma-separated (e.g. 20,100): %r" % text) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("at least one instance count, each >= 1: %r" % text)
    return sizes


def write_fleet_report(path, fleet):
    """Splice the fleet part into the report at `path` (the other sections stay as they are), or write it alone."""
    report = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            try:
                report = splice_fleet(handle.read(), fleet)
            except ValueError as exc:
                print("bench: %s has no fleet part to replace (%s): writing the fleet section alone" % (path, exc))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(report if report is not None else render_fleet_alone(fleet))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, fleet at 20 instances only (a fast look)")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--work", default=os.path.join(os.environ.get("ENS_BUILD_DIR", os.path.join(ROOT, ".build")), "bench"))
    parser.add_argument("--command", default="make bench", help="the command line shown in the report")
    parser.add_argument("--sections", choices=("all", "fleet"), default="all",
                        help="fleet: run section 4 only and splice it into the existing report (about 15 minutes)")
    parser.add_argument("--fleet-sizes", type=sizes_arg, default=None,
                        help="fleet sizes, comma-separated (default %s; quick mode 20)" % ",".join(str(n) for n in FLEET_SIZES))
    parser.add_argument("--batch-forks", type=int, default=BATCH_FORKS, help="forks of the batch-mode fleet runs")
    parser.add_argument("--fleet-budget", type=float, default=FLEET_BUDGET,
                        help="seconds the fleet section may take: the per-host run at the largest size shrinks to fit (0: no limit)")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the report from the last run's results.json (with --sections fleet: results-fleet.json)")
    args = parser.parse_args()
    # Commands run in the work folder: every path handed to them must be absolute.
    args.work, args.out = os.path.abspath(args.work), os.path.abspath(args.out)
    if not args.render_only and not os.environ.get("ENS_SIM_URL"):
        parser.error("ENS_SIM_URL is not set: run through hacking/with_simulator.sh (make bench does)")
    return args


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json(path, data):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, default=str)


def render_only(args):
    """Rewrite the report from the last run's results (the fleet part alone with --sections fleet)."""
    if args.sections == "fleet":
        write_fleet_report(args.out, read_json(os.path.join(args.work, "results-fleet.json")))
        return 0
    report, _targets = render(read_json(os.path.join(args.work, "results.json")))
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(report)
    return 0


def print_targets(targets):
    for name, ok, measured in targets:
        print("  %-4s %s: %s" % ("ok" if ok else "MISS", name, measured))


def fleet_section(args, sim, runner):
    """Section 4 with the machine it ran on."""
    measured = machine(args.command)
    fleet_sizes = args.fleet_sizes or ([20] if args.quick else list(FLEET_SIZES))
    fleet = section_fleet(sim, runner, fleet_sizes, args.batch_forks, args.fleet_budget)
    measured["load_after"] = "%.2f %.2f %.2f" % os.getloadavg()
    fleet["measured"] = measured
    fleet["quick"] = args.quick
    return fleet


def run_fleet_only(args, sim, runner, started):
    """`--sections fleet`: section 4 alone, spliced into the existing report and the last full run's results."""
    print("bench: 4. fleet", flush=True)
    fleet = fleet_section(args, sim, runner)
    write_json(os.path.join(args.work, "results-fleet.json"), fleet)
    # The last full run's results take this fleet part, so that --render-only gives the report just written.
    results_path = os.path.join(args.work, "results.json")
    if os.path.exists(results_path):
        results = read_json(results_path)
        results["fleet"] = fleet
        write_json(results_path, results)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    write_fleet_report(args.out, fleet)
    print("\nbench: wrote the fleet part of %s in %.0f s" % (args.out, time.monotonic() - started))
    print_targets(fleet_targets(fleet))
    return 0


def run_all(args, sim, runner, started):
    """Every section, then results.json and the report."""
    results = {"machine": machine(args.command), "quick": args.quick}
    if args.quick:
        startup_reps, downtime_reps = 3, 1
        wait_plan = [(2.0, 1, 4), (10.0, 1, 4), (60.0, 1, 8)]
        confirm = [(2.0, 1), (10.0, 1)]
    else:
        startup_reps, downtime_reps = 6, 2
        wait_plan = [(2.0, 3, 8), (10.0, 2, 12), (60.0, 1, 30)]
        confirm = [(2.0, 4), (10.0, 4)]

    print("bench: API round trip", flush=True)
    results["latency"] = api_latency(sim, runner)
    print("bench: 5. module start-up", flush=True)
    results["startup"] = section_startup(sim, runner, startup_reps)
    print("bench: 1 and 3. API calls per operation, role downtime", flush=True)
    results["api_calls"] = section_api_calls(sim, runner, downtime_reps)
    print("bench: 2. wait overshoot", flush=True)
    results["waits"] = section_waits(sim, runner, wait_plan, confirm)
    print("bench: 2c. read-after-write lag", flush=True)
    results["lag"] = section_lag(sim, runner, (0.0, LAG_SECONDS), 1 if args.quick else 3)
    print("bench: 2b. timeouts", flush=True)
    results["timeouts"] = section_timeouts(sim, runner, 2 if args.quick else 4)
    print("bench: 4. fleet", flush=True)
    results["fleet"] = fleet_section(args, sim, runner)
    results["duration"] = time.monotonic() - started
    results["machine"]["load_after"] = "%.2f %.2f %.2f" % os.getloadavg()
    write_json(os.path.join(args.work, "results.json"), results)
    report, targets = render(results)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(report)
    print("\nbench: wrote %s in %.0f s" % (args.out, results["duration"]))
    print_targets(targets)
    return 0


def main():
    args = parse_args()
    if args.render_only:
        return render_only(args)
    os.makedirs(args.work, exist_ok=True)
    sim = Sim(os.environ["ENS_SIM_URL"])
    runner = Runner(sim, args.work)
    started = time.monotonic()
    if args.sections == "fleet":
        return run_fleet_only(args, sim, runner, started)
    return run_all(args, sim, runner, started)
