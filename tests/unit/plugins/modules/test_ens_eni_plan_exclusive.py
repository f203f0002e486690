# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ens_eni_plan with exclusive=true over a fake API: which reads it makes, what it plans, what it refuses first."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.alibabacloud.ens.plugins.module_utils._listing import Listing
from ansible_collections.alibabacloud.ens.plugins.modules import ens_eni_plan

REGION, NETWORK = "cn-tianjin-cmcc", "n-main"


def eni(eni_id, status="InUse", instance_id="i-1", type_="Secondary"):
    return {"NetworkInterfaceId": eni_id, "Status": status, "InstanceId": instance_id, "Type": type_,
            "EnsRegionId": REGION, "NetworkId": NETWORK}


class FakeApi:
    """The reads ens_eni_plan makes, answered from a list of ENIs and instances; every call is recorded."""

    def __init__(self, enis, instances):
        self.enis = enis
        self.instances = instances
        self.calls = []

    def describe_network_interfaces(self, network_interface_ids=None, **filters):
        self.calls.append(("DescribeNetworkInterfaces", sorted(network_interface_ids) if network_interface_ids else filters))
        if network_interface_ids is not None:
            found = [item for item in self.enis if item["NetworkInterfaceId"] in network_interface_ids]
        else:
            found = [item for item in self.enis if item["InstanceId"] == filters["instance_id"]]
        return listing(found, "req-eni-%d" % len(self.calls))

    def describe_instances(self, instance_ids=None, **filters):
        self.calls.append(("DescribeInstances", list(instance_ids)))
        found = []
        for instance_id in instance_ids:
            if instance_id in self.instances:
                attached = [{"NetworkInterfaceId": item["NetworkInterfaceId"]} for item in self.enis
                            if item["InstanceId"] == instance_id]
                found.append({"InstanceId": instance_id, "Status": self.instances[instance_id], "EnsRegionId": REGION,
                              "NetworkAttributes": {"NetworkId": NETWORK},
                              "NetworkInterfaces": {"NetworkInterfaces": attached}})
        return listing(found, "req-ins-%d" % len(self.calls))


def listing(items, request_id):
    """A read's answer as the API wrapper gives it: the items, with the request id of the read."""
    found = Listing(items)
    found.request_id = request_id
    return found


def run(monkeypatch, capsys, api, **args):
    monkeypatch.setattr(ens_eni_plan.EnsEniPlan, "api", property(lambda self: api))
    with patch_module_args(dict({"instance_id": "i-1", "exclusive": True}, **args)):
        with pytest.raises(SystemExit) as exited:
            ens_eni_plan.main()
    return exited.value.code, json.loads(capsys.readouterr().out)


FLEET = [eni("eni-p", type_="Primary"), eni("eni-a"), eni("eni-x"), eni("eni-new", "Available", ""),
         eni("eni-q", "InUse", "i-2")]
BY_INSTANCE = ("DescribeNetworkInterfaces", {"instance_id": "i-1"})


@pytest.mark.parametrize("name,attach,allow_empty,to_detach,to_attach,current,desired,calls", [
    ("in line: one read, nothing to change", ["eni-x", "eni-a"], False, [], [], ["eni-a", "eni-x"], ["eni-a", "eni-x"],
     [BY_INSTANCE]),
    ("an extra secondary is detached", ["eni-a"], False, ["eni-x"], [], ["eni-a", "eni-x"], ["eni-a"],
     [BY_INSTANCE, ("DescribeInstances", ["i-1"])]),
    ("swap in one plan: detach the extra, attach the new", ["eni-a", "eni-new"], False, ["eni-x"], ["eni-new"],
     ["eni-a", "eni-x"], ["eni-a", "eni-new"],
     [BY_INSTANCE, ("DescribeNetworkInterfaces", ["eni-new"]), ("DescribeInstances", ["i-1"])]),
    ("empty set allowed: every secondary goes, the primary stays", [], True, ["eni-a", "eni-x"], [],
     ["eni-a", "eni-x"], [], [BY_INSTANCE, ("DescribeInstances", ["i-1"])]),
])
def test_exclusive_plans(monkeypatch, capsys, name, attach, allow_empty, to_detach, to_attach, current, desired, calls):
    api = FakeApi(FLEET, {"i-1": "Running", "i-2": "Running"})
    code, result = run(monkeypatch, capsys, api, attach=attach, allow_empty=allow_empty)
    assert code == 0, (name, result)
    assert result["to_detach"] == to_detach, name
    assert result["to_attach"] == to_attach, name
    assert (result["current"], result["desired"]) == (current, desired), name
    assert result["needs_change"] is bool(to_detach or to_attach)
    assert result["changed"] is False
    assert api.calls == calls, name


def test_diff_shows_current_and_desired(monkeypatch, capsys):
    api = FakeApi(FLEET, {"i-1": "Running"})
    code, result = run(monkeypatch, capsys, api, attach=["eni-a"], _ansible_diff=True, _ansible_check_mode=True)
    assert code == 0
    assert result["diff"] == {"before": {"secondary_network_interface_ids": ["eni-a", "eni-x"]},
                              "after": {"secondary_network_interface_ids": ["eni-a"]}}
    assert result["check_mode"] is True


@pytest.mark.parametrize("args,needle", [
    ({"attach": []}, "set allow_empty=true"),
    ({"attach": ["eni-a"], "detach": ["eni-x"]}, "cannot be combined with exclusive"),
    ({"attach": [], "detach": ["eni-x"], "allow_empty": True}, "cannot be combined with exclusive"),
])
def test_refused_before_any_api_call(monkeypatch, capsys, args, needle):
    api = FakeApi(FLEET, {"i-1": "Running"})
    code, result = run(monkeypatch, capsys, api, **args)
    assert code == 1 and result["failed"]
    assert needle in result["msg"] and "i-1" in result["msg"]
    assert result["msg"].startswith("Invalid input, nothing was done")
    assert api.calls == []


def test_without_exclusive_nothing_is_detached_and_no_sets_are_returned(monkeypatch, capsys):
    api = FakeApi(FLEET, {"i-1": "Running"})
    code, result = run(monkeypatch, capsys, api, attach=["eni-a"], exclusive=False)
    assert code == 0
    assert result["to_detach"] == [] and "current" not in result and "desired" not in result
    assert api.calls == [("DescribeNetworkInterfaces", ["eni-a"])]


def test_missing_instance_is_named(monkeypatch, capsys):
    api = FakeApi([eni("eni-new", "Available", "")], {})
    code, result = run(monkeypatch, capsys, api, instance_id="i-gone", attach=["eni-new"])
    assert code == 1
    assert "i-gone" in result["msg"] and "does not exist" in result["msg"]
    assert result["errors"][0]["error_code"] == "InstanceNotFound"
    assert result["errors"][0]["request_id"] == "req-ins-3"


def test_an_extra_eni_that_is_the_primary_of_another_instance_is_refused_not_moved(monkeypatch, capsys):
    api = FakeApi(FLEET, {"i-1": "Running", "i-2": "Running"})
    code, result = run(monkeypatch, capsys, api, attach=["eni-a", "eni-x", "eni-q"])
    assert code == 1
    assert "eni-q" in result["msg"] and "i-2" in result["msg"]
