# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ens_eni_batch's run over the fake cloud on a fake clock: its result (outcomes, summary, api, failed and msg), check
mode proven by the API's own call log, diff only in diff mode, bad options refused before any call."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._base import EnsInputError
from ansible_collections.alibabacloud.ens.plugins.module_utils._fleet import FleetWindow
from ansible_collections.alibabacloud.ens.plugins.modules import ens_eni_batch
from ansible_collections.alibabacloud.ens.tests.unit.plugins.module_utils.fake_cloud import Clock, FakeCloud, eni, instance


class FakeModule:
    """What the module class uses of AnsibleModule."""

    def __init__(self, params, check_mode, diff):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def params(changes, **options):
    values = dict(power_state="restore", exclusive=False, allow_empty=False, force_stop=False, rollback=True,
                  wait_timeout=300, power_wait_timeout=600, journal_dir=None, max_calls_per_second=40.0,
                  progress_file=None, progress_interval=15)
    values.update(options)
    values["changes"] = [dict(dict(attach=[], detach=[], power_state=None), **change) for change in changes]
    return values


def three_instances():
    instances = [instance("i-%d" % n, "Running", attached=("eni-p%d" % n, "eni-old%d" % n)) for n in (1, 2, 3)]
    enis = [eni("eni-old%d" % n, "InUse", "i-%d" % n) for n in (1, 2, 3)] + [eni("eni-new%d" % n) for n in (1, 2, 3)]
    enis.append(eni("eni-far", network="n-other"))
    return FakeCloud(Clock(), instances=instances, enis=enis)


SWAP_1_2_AND_NOTHING_FOR_3 = [
    {"instance_id": "i-1", "detach": ["eni-old1"], "attach": ["eni-new1"]},
    {"instance_id": "i-2", "detach": ["eni-old2"], "attach": ["eni-new2"]},
    {"instance_id": "i-3", "attach": ["eni-old3"]},
]


def run(cloud, module_params, check_mode=False, diff=True, monkeypatch=None):
    if monkeypatch is not None:  # waits on the fake clock
        monkeypatch.setattr(ens_eni_batch, "FleetWindow",
                            functools.partial(FleetWindow, clock=cloud.clock, sleep=cloud.clock.sleep))
    runner = ens_eni_batch.EnsEniBatch(FakeModule(module_params, check_mode, diff))
    runner._api = cloud
    runner.run()
    return runner


def test_check_mode_makes_no_mutating_call_and_reports_each_instance_with_its_diff():
    cloud = three_instances()
    runner = run(cloud, params(SWAP_1_2_AND_NOTHING_FOR_3), check_mode=True)
    result = runner.result
    assert cloud.mutating_calls() == [] and runner.request_ids == []
    assert result["changed"] is True and "failed" not in result
    assert result["summary"] == {"instances": 3, "changed": 2, "unchanged": 1, "failed": 0, "refused": 0}
    assert sorted(result["outcomes"]) == ["i-1", "i-2", "i-3"]
    after = result["outcomes"]["i-1"]["diff"]["after"]["network_interfaces"]
    assert after["eni-new1"] == {"status": "InUse", "instance_id": "i-1"}
    assert result["outcomes"]["i-3"]["changed"] is False
    assert result["api"]["max_calls_per_second"] == 40.0


def test_a_run_with_one_refused_and_one_failing_instance_fails_naming_both_and_reports_the_rest(monkeypatch):
    cloud = three_instances()
    cloud.fail[("AttachNetworkInterface", "eni-new2")] = "InvalidOperation.Conflict"
    changes = [dict(change) for change in SWAP_1_2_AND_NOTHING_FOR_3]
    changes[2] = {"instance_id": "i-3", "attach": ["eni-far"]}
    runner = run(cloud, params(changes), diff=False, monkeypatch=monkeypatch)
    result = runner.result
    assert result["failed"] is True
    assert result["msg"].startswith("2 of 3 instances failed or were refused: Attach the ENIs failed on i-2: ")
    assert "Cannot change the ENIs of instance i-3; nothing was stopped or changed" in result["msg"]
    assert result["summary"] == {"instances": 3, "changed": 1, "unchanged": 0, "failed": 1, "refused": 1}
    assert result["changed"] is True
    outcomes = result["outcomes"]
    assert outcomes["i-1"]["failed"] is False and outcomes["i-2"]["failed"] is True and outcomes["i-3"]["refused"] is True
    assert all("diff" not in outcome for outcome in outcomes.values())  # diff mode off
    # Every mutating call's request id is in the module's record, the StopInstances/StartInstances ones included.
    stops = [index for index, call in enumerate(cloud.calls) if call[0] == "StopInstances"]
    assert ["RQ-%d" % (index + 1) for index in stops][0] in runner.request_ids
    assert [call[1] for call in cloud.calls if call[0] in ("StopInstances", "StartInstances")] == ["i-1,i-2", "i-1,i-2"]


@pytest.mark.parametrize("option,value,message", [
    ("max_calls_per_second", 0, "max_calls_per_second must be more than 0, not 0"),
    ("wait_timeout", -1, "wait_timeout must be 0 or more, not -1"),
    ("power_wait_timeout", -5, "power_wait_timeout must be 0 or more, not -5"),
])
def test_bad_options_are_refused_before_any_call(option, value, message):
    cloud = three_instances()
    with pytest.raises(EnsInputError) as raised:
        run(cloud, params(SWAP_1_2_AND_NOTHING_FOR_3, **{option: value}))
    assert message in str(raised.value)
    assert cloud.calls == []
