# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documentation of results against real results: every module runs over the simulator (real HTTP, real
signatures), and what it returns is compared with its RETURN (successes) and with the notes of the doc fragment
alibabacloud.ens.common.modules (failures), both ways: nothing returned goes undocumented, nothing documented is
never returned."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from ansible.module_utils.testing import patch_module_args

from ansible_collections.alibabacloud.ens.plugins.doc_fragments.common import ModuleDocFragment
from ansible_collections.alibabacloud.ens.plugins.modules import (
    ens_eni_attach,
    ens_eni_batch,
    ens_eni_detach,
    ens_eni_info,
    ens_eni_plan,
    ens_instance_power,
)

MODULES = [ens_eni_attach, ens_eni_batch, ens_eni_detach, ens_eni_info, ens_eni_plan, ens_instance_power]
# Keys Ansible itself gives every result, documented by Ansible.
ANSIBLE_KEYS = {"changed", "failed", "msg", "invocation", "warnings", "deprecations", "diff"}
# The failure keys the fragment's notes introduce, each as "C(key) (type...".
NOTED_FAILURE_KEYS = set(re.findall(r"C\(([a-z_]+)\) \((?:str|int|list)", " ".join(yaml.safe_load(ModuleDocFragment.MODULES)["notes"])))


def returns(module):
    return yaml.safe_load(module.RETURN)


def run(module, sim, capsys, **args):
    params = dict(endpoint=sim.url, access_key_id="LTAIsimulatorKey0001", access_key_secret="simSecret-Q7v9Xk2pRt")
    params.update(args)
    with patch_module_args(params):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def assert_contains(doc, value, where, exact):
    """The keys of a returned value against the `contains` of its entry, recursively; `exact`: both ways."""
    contains = doc.get("contains")
    if not contains:
        return
    if doc["type"] == "list":
        items = value
    elif where == "outcomes":
        items = list(value.values())  # keyed by instance id: `contains` describes each value
    else:
        items = [value]
    assert items, "%s: nothing returned to compare with its documentation" % where
    for item in items:
        if exact:
            assert set(item) == set(contains), "%s: returned %s, documented %s" % (where, sorted(item), sorted(contains))
        else:
            assert set(contains) <= set(item), "%s: documented %s, returned %s" % (where, sorted(contains), sorted(item))
        for key, entry in contains.items():
            assert_contains(entry, item[key], "%s.%s" % (where, key), exact=True)


def assert_documented(module, result, exact=True):
    documented = returns(module)
    assert set(result) - ANSIBLE_KEYS == set(documented), "%s: returned %s, documented %s" % (
        module.__name__, sorted(set(result) - ANSIBLE_KEYS), sorted(documented))
    for key, entry in documented.items():
        assert_contains(entry, result[key], key, exact)


ENI_KEYS = set(returns(ens_eni_info)["network_interfaces"]["contains"])


def test_info_documents_every_key_of_an_eni(ens_simulator_fresh, capsys):
    result = run(ens_eni_info, ens_simulator_fresh, capsys, network_interface_ids=["eni-sim-stop-01-s1", "eni-sim-free-01"])
    assert len(result["network_interfaces"]) == 2
    assert_documented(ens_eni_info, result)


@pytest.mark.parametrize("module,args", [
    (ens_eni_attach, dict(instance_id="i-sim-stop-01", network_interface_id="eni-sim-free-01")),
    (ens_eni_detach, dict(network_interface_ids=["eni-sim-stop-01-s1"])),
    (ens_eni_plan, dict(instance_id="i-sim-run-02", attach=["eni-sim-free-02"], exclusive=True)),
])
def test_enis_of_attach_detach_and_plan_have_the_keys_of_ens_eni_info(ens_simulator_fresh, capsys, module, args):
    result = run(module, ens_simulator_fresh, capsys, **args)
    assert result.get("failed") is not True, result["msg"]
    # Their RETURN documents the keys that read differently there and points to ens_eni_info for the others.
    assert_documented(module, result, exact=False)
    assert "RV(alibabacloud.ens.ens_eni_info#module:network_interfaces)" in returns(module)["network_interfaces"]["description"][0]
    for eni in result["network_interfaces"]:
        assert set(eni) == ENI_KEYS


def test_power_documents_every_key_of_an_instance(ens_simulator_fresh, capsys):
    result = run(ens_instance_power, ens_simulator_fresh, capsys, instance_id="i-sim-run-01", state="stopped")
    assert result["instances"][0]["status"] == "Stopped"
    assert_documented(ens_instance_power, result)


def test_batch_documents_every_key_of_an_outcome(ens_simulator_fresh, capsys, tmp_path):
    changes = [{"instance_id": "i-sim-run-02", "attach": ["eni-sim-free-03"], "detach": ["eni-sim-run-02-s1"]},
               {"instance_id": "i-sim-stop-02", "attach": ["eni-sim-othernet-01"]}]
    result = run(ens_eni_batch, ens_simulator_fresh, capsys, changes=changes, journal_dir=str(tmp_path / "journal"),
                 _ansible_diff=True)
    # One instance changed, one refused: both kinds of outcome are compared with the documentation.
    assert result["summary"] == {"instances": 2, "changed": 1, "unchanged": 0, "failed": 0, "refused": 1}
    assert_documented(ens_eni_batch, result)


FAILURES = [
    ("a rule broken before any call", ens_eni_attach,
     dict(instance_id="i-sim-run-01", network_interface_id="eni-sim-othernet-01"), None),
    ("an API call refused", ens_eni_info, dict(instance_id="i-sim-run-01", access_key_secret="wrong"), None),
    ("a wait that runs out", ens_eni_attach,
     dict(instance_id="i-sim-stop-01", network_interface_id="eni-sim-free-02", wait_timeout=0), {"attach": 60}),
]


def test_every_key_of_a_failure_is_in_the_notes_and_every_noted_key_comes(ens_simulator_fresh, capsys):
    seen = set()
    for name, module, args, transitions in FAILURES:
        ens_simulator_fresh.simulator.reset(fixture="default", transition_seconds=transitions)
        result = run(module, ens_simulator_fresh, capsys, **args)
        assert result["failed"] is True, name
        # What a success also returns (request_ids) is in RETURN; the rest is described once, in the notes.
        keys = set(result) - ANSIBLE_KEYS - set(returns(module))
        assert keys and keys <= NOTED_FAILURE_KEYS, "%s: %s not in the notes %s" % (name, sorted(keys), sorted(NOTED_FAILURE_KEYS))
        seen.update(keys)
    assert seen == NOTED_FAILURE_KEYS


@pytest.mark.parametrize("module", MODULES, ids=[module.__name__.rsplit(".", 1)[1] for module in MODULES])
def test_every_module_takes_the_notes_and_documents_no_failure_key(module):
    fragments = yaml.safe_load(module.DOCUMENTATION)["extends_documentation_fragment"]
    assert "alibabacloud.ens.common.modules" in fragments
    assert not NOTED_FAILURE_KEYS & set(returns(module))
