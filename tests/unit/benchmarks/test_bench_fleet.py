# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet section's measurements in benchmarks/run.py: busiest second, calls per instance, process-tree CPU, the report."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", os.path.join(ROOT, "benchmarks", "run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def call(when, action="DescribeInstances", code=None, mutating=False):
    return {"time": when, "action": action, "code": code, "mutating": mutating, "params": {}}


def swapped_state(bench, count, stopped=(), unmoved=()):
    """A simulator state after a swap over `count` fleet instances; `stopped` / `unmoved` instance numbers went wrong."""
    state = {"instances": {}, "network_interfaces": {}}
    for number in range(1, count + 1):
        instance_id = bench.fleet_instance(number)
        out, into = bench.swap_enis(number)
        state["instances"][instance_id] = {"Status": "Stopped" if number in stopped else "Running"}
        if number in unmoved:
            state["network_interfaces"][out] = {"Status": "InUse", "InstanceId": instance_id}
            state["network_interfaces"][into] = {"Status": "Available", "InstanceId": ""}
        else:
            state["network_interfaces"][out] = {"Status": "Available", "InstanceId": ""}
            state["network_interfaces"][into] = {"Status": "InUse", "InstanceId": instance_id}
    return state


def fake_run(bench, calls, count, cpu=3.0, rc=0, **state_kwargs):
    return {"calls": calls, "state": swapped_state(bench, count, **state_kwargs), "timing": [], "rc": rc, "wall": 20.0,
            "start": calls[0]["time"] - 2.0 if calls else 0.0, "end": calls[-1]["time"] + 1.0 if calls else 0.0,
            "cpu": cpu, "cpu_children": cpu}


def test_busiest_second_counts_calls_per_calendar_second(bench):
    # 3 calls in second 100, 2 in 101 (100.95 and 101.05 are 0.1 s apart but in different calendar seconds), 1 in 103.
    calls = [call(100.1), call(100.5), call(100.95), call(101.05), call(101.9), call(103.0)]
    assert bench.busiest_second(calls) == (3, 100)


def test_busiest_second_tie_gives_the_earliest_and_empty_log_gives_none(bench):
    assert bench.busiest_second([call(7.2), call(5.1), call(7.9), call(5.8)]) == (2, 5)
    assert bench.busiest_second([]) == (0, None)


def test_throttled_answers_counts_only_throttling_codes(bench):
    calls = [call(1.0, code="Throttling.User"), call(1.1, code="Throttling"), call(1.2, code="Throttling.Api"),
             call(1.3, code="IncorrectInstanceStatus"), call(1.4), call(1.5, code="")]
    assert bench.throttled_answers(calls) == 3


def test_fleet_figures_per_instance(bench):
    calls = [call(50.0 + 0.1 * index, mutating=index % 4 == 0) for index in range(40)]
    calls.append(call(58.0, code="Throttling.User"))
    figures = bench.fleet_figures(fake_run(bench, calls, 20, cpu=7.0), 20)
    assert figures["calls"] == 41
    assert figures["calls_per_instance"] == pytest.approx(41 / 20.0)
    assert figures["mutating"] == 10
    assert figures["busiest_second"] == 10
    assert figures["throttled"] == 1
    assert figures["cpu_per_instance"] == pytest.approx(7.0 / 20)
    assert figures["floor_ratio"] == pytest.approx(20.0 / bench.FLEET_FLOOR)
    assert figures["wrong_count"] == 0
    assert figures["breakdown"]["lead_in"] == pytest.approx(2.0)
    assert figures["breakdown"]["api_span"] == pytest.approx(8.0)
    assert figures["breakdown"]["tail"] == pytest.approx(1.0)


def test_fleet_state_errors_name_what_the_swap_left_wrong(bench):
    state = swapped_state(bench, 5, stopped=(2,), unmoved=(4,))
    wrong = bench.fleet_state_errors(state, range(1, 6))
    assert wrong == ["i-fleet-0002 Stopped", "eni-fleet-0004-s1 InUse", "eni-fleet-0004-a Available on -"]
    assert bench.fleet_state_errors(swapped_state(bench, 5), range(1, 6)) == []


def test_floor_is_the_four_transitions_of_one_window(bench):
    # The simulator's transition_seconds keys, 16 s per window (issue 11).
    assert sorted(bench.FLEET_TRANSITIONS) == ["attach", "detach", "start", "stop"]
    assert bench.FLEET_FLOOR == 16.0


def test_wait_tree_counts_the_cpu_of_waited_for_grandchildren(bench, tmp_path):
    # The child only waits; its child (the grandchild) burns 0.4 s of CPU. Only the grandchild's CPU can make the total.
    script = tmp_path / "tree.py"
    script.write_text(textwrap.dedent("""
        import subprocess, sys, time
        if sys.argv[1:] == ["burn"]:
            while time.process_time() < 0.4:
                pass
        else:
            subprocess.run([sys.executable, __file__, "burn"], check=True)
    """))
    process = subprocess.Popen([sys.executable, str(script)])  # pylint: disable=consider-using-with
    status, usage, children = bench.wait_tree(process.pid)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0
    assert bench.cpu_seconds(usage) >= 0.4
    assert children >= 0.4
    assert children == pytest.approx(bench.cpu_seconds(usage), abs=0.05)


def fleet_result(bench, single_wall=20.0, batch_wall=25.0, batch_cpu=20.0, batch_calls=600, throttled=12, failed_rc=0):
    """A fleet section's results as section_fleet returns them, with figures chosen by the test."""
    def entry(kind, count, wall, calls, cpu, forks=None, behaviours=None, rc=0, throttled_calls=0):
        return {"kind": kind, "instances": count, "forks": forks, "behaviours": behaviours, "rc": rc, "wrong": [],
                "wrong_count": 0, "wall": wall, "floor_ratio": wall / bench.FLEET_FLOOR, "calls": calls, "mutating": 4 * count,
                "by_action": {"DescribeInstances": calls}, "calls_per_instance": calls / float(count), "busiest_second": 38,
                "throttled": throttled_calls, "cpu": cpu, "cpu_children": cpu, "cpu_per_instance": cpu / count,
                "breakdown": {"lead_in": 2.0, "api_span": wall - 3.0, "tail": 1.0, "batch_task": None}}
    return {
        "transitions": bench.FLEET_TRANSITIONS, "floor": bench.FLEET_FLOOR, "ceiling": 40.0, "sizes": [100], "batch_forks": 10,
        "rate_limits": {"*": 20}, "budget": 900.0, "notes": [], "duration": 300.0, "quick": False,
        "measured": {"command": "make bench BENCH_SECTIONS=fleet", "date": "2026-11-30 05:00 UTC", "commit": "abc1234",
                     "nproc": 2, "load_before": "1 1 1", "load_after": "2 2 2"},
        "runs": [entry("single", 1, single_wall, 40, 4.0),
                 entry("batch", 100, batch_wall, batch_calls, batch_cpu, forks=10),
                 entry("single", 1, single_wall, 40, 4.0),
                 entry("batch", 100, 60.0, 700, 25.0, forks=10, behaviours={"rate_limits": {"*": 20}}, rc=failed_rc,
                       throttled_calls=throttled),
                 entry("per-host", 100, 500.0, 5500, 1000.0, forks=50)],
    }


def test_fleet_targets_pass_within_the_issue_targets(bench):
    targets = bench.fleet_targets(fleet_result(bench))
    assert [ok for _name, ok, _measured in targets] == [True] * len(targets)
    assert targets[0][0] == "Fleet: 100 instances in one batch <= 1.5x the single-instance wall time"
    assert targets[0][2] == "25.0 s vs 20.0 s (1.25x)"


def test_fleet_targets_miss_when_a_figure_is_over(bench):
    fleet = fleet_result(bench, batch_wall=31.0, batch_cpu=60.0, batch_calls=1200, throttled=0)
    missed = [name for name, ok, _measured in bench.fleet_targets(fleet) if not ok]
    assert missed == ["Fleet: 100 instances in one batch <= 1.5x the single-instance wall time",
                      "Fleet: <= 10 API calls per instance, batch of 100",
                      "Fleet: controller CPU <= 0.5 s per instance, batch of 100",
                      'Fleet: under flow control `{"*": 20}` a batch of 100 is throttled and still completes']


def test_fleet_targets_miss_when_the_throttled_run_fails(bench):
    missed = [name for name, ok, _measured in bench.fleet_targets(fleet_result(bench, failed_rc=2)) if not ok]
    assert missed == ['Fleet: under flow control `{"*": 20}` a batch of 100 is throttled and still completes',
                      "Fleet: every run swaps every instance and leaves it Running"]


OLD_REPORT = """# Benchmarks

## Targets

| Target | Measured | Result |
|---|---|---|
| Downtime <= 1.3x lower bound, 1 ENI(s) | 32.6 s | **pass** |
| Fleet: an old fleet row | 1 | **MISS** |

## Machine

text

## 3. Downtime

section three

## 4. Fleet: playbooks/attach.yml over 20 instances x 2 ENIs

old fleet text

## 5. Module start-up

section five

## What this means, where the time goes

* **Downtime.** downtime line
* **Fleet.** old fleet line
* **Start-up.** start-up line
"""


def test_splice_fleet_replaces_the_fleet_part_only(bench):
    fleet = fleet_result(bench)
    report = bench.splice_fleet(OLD_REPORT, fleet)
    assert "old fleet" not in report
    assert "an old fleet row" not in report
    for kept in ("| Downtime <= 1.3x lower bound, 1 ENI(s) | 32.6 s | **pass** |", "## 3. Downtime\n\nsection three\n\n## 4. Fleet",
                 "## 5. Module start-up\n\nsection five", "* **Downtime.** downtime line", "* **Start-up.** start-up line"):
        assert kept in report
    assert "\n".join(bench.render_fleet(fleet)) in report
    assert report.index("## 4. Fleet") < report.index("## 5. Module start-up")
    rows = [line for line in report.split("\n") if line.startswith("| Fleet")]
    assert len(rows) == len(bench.fleet_targets(fleet))
    # The fleet rows end the targets table, which stays one table.
    table = report.split("## Targets\n\n", 1)[1].split("\n\n", 1)[0].split("\n")
    assert table[-len(rows):] == rows
    assert report.index(bench.fleet_bullet(fleet)) < report.index("* **Start-up.**")
    # Splicing again gives the same report: nothing is added twice.
    assert bench.splice_fleet(report, fleet) == report


def test_splice_fleet_refuses_a_report_without_a_fleet_section(bench):
    with pytest.raises(ValueError, match="## 4. Fleet"):
        bench.splice_fleet("# Benchmarks\n\n## Targets\n\n| a |\n|---|\n", fleet_result(bench))


def test_render_fleet_shows_every_run_and_the_flow_control_line(bench):
    text = "\n".join(bench.render_fleet(fleet_result(bench)))
    assert "| batch mode | 100 | 10 | 25.0 | 1.6x | 1.25x | 6.0 (600, 400 mutating) | 38 | 0 | 0.20 (20.0) |" in text
    assert "| per-host role | 100 | 50 | 500.0 | 31.2x | 25.00x | 55.0 (5500, 400 mutating) |" in text
    assert "Flow control: the batch of 100 again" in text
    assert "60.0 s against 25.0 s without it, 12 throttled answers" in text


def test_per_host_projection_is_rounds_of_forks_or_cpu_bound(bench):
    done = {"instances": 20, "forks": 20, "wall": 100.0, "cpu_per_instance": 10.0}
    # 100 instances at forks 50: two rounds of the 20-instance run, or 1000 s of CPU on 2 CPUs: the CPU bound wins.
    assert bench.per_host_projection(done, 100, 50, 2) == pytest.approx(500.0)
    assert bench.per_host_projection(dict(done, cpu_per_instance=1.0), 100, 50, 2) == pytest.approx(200.0)


def test_fleet_targets_of_a_failed_batch_run_are_missed(bench):
    # A batch run that failed before its calls has tiny figures: they must not pass its targets.
    fleet = fleet_result(bench)
    fleet["runs"][1].update(rc=2, calls=0, calls_per_instance=0.0, busiest_second=0, cpu=1.0, cpu_per_instance=0.01)
    missed = [name for name, ok, _measured in bench.fleet_targets(fleet) if not ok]
    assert missed == ["Fleet: 100 instances in one batch <= 1.5x the single-instance wall time",
                      "Fleet: <= 10 API calls per instance, batch of 100",
                      "Fleet: busiest second <= the ceiling (40), batch of 100",
                      "Fleet: controller CPU <= 0.5 s per instance, batch of 100",
                      "Fleet: every run swaps every instance and leaves it Running"]


def test_write_fleet_report_splices_or_writes_the_fleet_part_alone(bench, tmp_path):
    fleet = fleet_result(bench)
    full = tmp_path / "full.md"
    full.write_text(OLD_REPORT)
    bench.write_fleet_report(str(full), fleet)
    assert full.read_text() == bench.splice_fleet(OLD_REPORT, fleet)
    for name, text in (("missing.md", None), ("other.md", "# Something else\n")):
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        bench.write_fleet_report(str(path), fleet)
        alone = path.read_text()
        assert alone == bench.render_fleet_alone(fleet)
        assert "\n".join(bench.render_fleet(fleet)) in alone
        assert alone.count("| Fleet") == len(bench.fleet_targets(fleet))
