# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check mode over a fake API: the module classes make no mutating call (proved by the API's own log)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.modules.ens_eni_attach import EnsEniAttach
from ansible_collections.alibabacloud.ens.plugins.modules.ens_eni_detach import EnsEniDetach
from ansible_collections.alibabacloud.ens.plugins.modules.ens_instance_power import EnsInstancePower
from ansible_collections.alibabacloud.ens.tests.unit.plugins.module_utils.fake_cloud import Clock, FakeCloud, eni, instance


class FakeModule:
    """What the module classes use of AnsibleModule."""

    def __init__(self, params, check_mode):
        self.params = dict(params)
        self.check_mode = check_mode
        self._diff = True
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def run(module_class, params, check_mode):
    cloud = FakeCloud(Clock(), instances=[instance("i-1", "Stopped"), instance("i-2", "Running")],
                      enis=[eni("eni-a"), eni("eni-b", "InUse", "i-1")])
    runner = module_class(FakeModule(dict(params, wait=True, wait_timeout=300), check_mode))
    runner._api = cloud
    runner.waiter = lambda: cloud.waiter(300)
    runner.run()
    return runner, cloud


CASES = [
    (EnsEniAttach, {"instance_id": "i-1", "network_interface_id": None, "network_interface_ids": ["eni-a"]}),
    (EnsEniDetach, {"instance_id": "i-1", "network_interface_id": "eni-b", "network_interface_ids": None}),
    (EnsInstancePower, {"instance_id": None, "instance_ids": ["i-1", "i-2"], "state": "restarted", "force_stop": False}),
]


@pytest.mark.parametrize("module_class,params", CASES)
def test_check_mode_makes_no_mutating_call_but_a_real_run_does(module_class, params):
    runner, cloud = run(module_class, params, check_mode=True)
    assert runner.result["changed"] is True
    assert cloud.mutating_calls() == []
    assert runner.request_ids == []

    runner, cloud = run(module_class, params, check_mode=False)
    assert runner.result["changed"] is True
    assert cloud.mutating_calls() != []


def test_check_mode_reports_what_a_real_run_would_leave():
    runner, cloud = run(*CASES[0], check_mode=True)
    assert [(item["network_interface_id"], item["status"], item["instance_id"]) for item in runner.result["network_interfaces"]] == [
        ("eni-a", "InUse", "i-1")]
    assert runner.result["diff"]["before"] == {"eni-a": {"status": "Available", "instance_id": ""}}
