# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alibabacloud.ens.ens inventory plugin against the in-process ENS simulator (official SDK, real HTTP)."""

from __future__ import annotations

import json
import socket

import pytest
import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.module_utils.basic import env_fallback
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar
from ansible.utils.unsafe_proxy import AnsibleUnsafe
from ansible.utils.display import Display

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 treats every string as a template unless it is marked unsafe
    def trust_as_template(value):
        return value

from ansible_collections.alibabacloud.ens.plugins.inventory import ens as ens_inventory
from ansible_collections.alibabacloud.ens.plugins.module_utils._host_record import ENI_FIELDS
from ansible_collections.alibabacloud.ens.plugins.module_utils._options import ens_argument_spec
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsMissingLibrary

ACCESS_KEY_ID = "LTAIsimulatorKey0001"
ACCESS_KEY_SECRET = "simSecret-Q7v9Xk2pRt"
ENV_NAMES = [
    "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_REGION_ID",
    "ALIBABA_CLOUD_ENS_ENDPOINT", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_REGION",
    "ALIBABA_CLOUD_ENS_API_RETRIES", "ALIBABA_CLOUD_ENS_API_RETRY_MAX_SECONDS", "ALIBABA_CLOUD_ENS_CONNECT_TIMEOUT",
    "ALIBABA_CLOUD_ENS_READ_TIMEOUT",
]

# 120 generated running instances (3 pages of DescribeInstances) in one zone and network, each with a primary ENI,
# one attached secondary and two free ENIs; plus a few hand-made ones in other zones, networks and states.
FLEET = {
    "transition_seconds": 0.05,
    "generate": {"instances": 120, "free_enis_per_instance": 2, "secondary_enis_per_instance": 1,
                 "ens_region_id": "cn-tianjin-cmcc", "network_id": "n-gen"},
    "instances": [
        {"InstanceId": "i-bj-1", "InstanceName": "bj-1", "Status": "Stopped", "EnsRegionId": "cn-beijing-cmcc", "NetworkId": "n-bj"},
        {"InstanceId": "i-bj-2", "InstanceName": "bj-2", "Status": "Running", "EnsRegionId": "cn-beijing-cmcc", "NetworkId": "n-bj",
         "PublicIpAddresses": {"PublicIpAddress": [{"Ip": "203.0.113.7", "GateWay": "203.0.113.1"}]}},
        {"InstanceId": "i-sh-1", "InstanceName": "gen-0001", "Status": "Expired", "EnsRegionId": "cn-shanghai-cmcc",
         "NetworkId": "n-sh"},
    ],
    "network_interfaces": [
        {"NetworkInterfaceId": "eni-bj-1-p", "Type": "Primary", "InstanceId": "i-bj-1"},
        {"NetworkInterfaceId": "eni-bj-1-s", "InstanceId": "i-bj-1", "Status": "Detaching", "TransitionRemaining": -1},
        {"NetworkInterfaceId": "eni-bj-2-p", "Type": "Primary", "InstanceId": "i-bj-2"},
        {"NetworkInterfaceId": "eni-bj-2-s", "InstanceId": "i-bj-2"},
        {"NetworkInterfaceId": "eni-sh-1-p", "Type": "Primary", "InstanceId": "i-sh-1"},
    ],
}
TOTAL = 123


@pytest.fixture
def sim(ens_simulator_shared):
    ens_simulator_shared.simulator.reset(fleet=FLEET)
    return ens_simulator_shared


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")


def calls(sim, action=None):
    return [call for call in sim.control.calls()["calls"] if action is None or call["action"] == action]


def write_config(tmp_path, sim=None, name="test.ens.yml", **options):
    config = {"plugin": "alibabacloud.ens.ens"}
    if sim is not None:
        config.update(endpoint=sim.url, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET)
    config.update(options)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))
    return str(path)


def parse(path, cache=True):
    inventory = InventoryData()
    plugin = inventory_loader.get("alibabacloud.ens.ens")
    assert plugin.verify_file(path)
    plugin.parse(inventory, DataLoader(), path, cache=cache)
    try:  # as ansible.inventory.manager does after every parse
        plugin.update_cache_if_changed()
    except AttributeError:  # no cache configured
        pass
    return inventory


def hostvars(inventory, name):
    return inventory.get_host(name).get_vars()


def group_hosts(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


@pytest.mark.parametrize("name,ok", [
    ("ens.yml", True), ("edge.ens.yaml", True), ("edge_ens.yml", True), ("edge.yml", False), ("ens.json", False),
])
def test_verify_file(tmp_path, name, ok):
    path = tmp_path / name
    path.write_text("plugin: alibabacloud.ens.ens\n")
    assert inventory_loader.get("alibabacloud.ens.ens").verify_file(str(path)) is ok


def test_verify_file_missing(tmp_path):
    assert not inventory_loader.get("alibabacloud.ens.ens").verify_file(str(tmp_path / "absent.ens.yml"))


def test_auth_options_match_the_modules():
    """Same options as the modules, same environment variables; the modules' first name wins (listed last here)."""
    from ansible.constants import config

    plugin = inventory_loader.get("alibabacloud.ens.ens")
    definitions = config.get_configuration_definitions("inventory", plugin._load_name)
    spec = ens_argument_spec()
    assert set(ens_inventory.AUTH_OPTIONS) == set(spec)
    for option, module_option in spec.items():
        env = [entry["name"] for entry in definitions[option].get("env", [])]
        fallback_names = module_option["fallback"][1]
        assert module_option["fallback"][0] is env_fallback
        assert env == list(reversed(fallback_names)), option
        assert definitions[option]["type"] == module_option["type"]


def test_env_precedence_as_the_modules(tmp_path, monkeypatch, sim):
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", "LTAIwrongKey")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET)
    monkeypatch.setenv("ALIBABA_CLOUD_ENS_ENDPOINT", sim.url)
    inventory = parse(write_config(tmp_path, instance_ids=["i-bj-2"]))
    assert list(inventory.hosts) == ["i-bj-2"]
    assert {call["access_key_id"] for call in calls(sim)} == {ACCESS_KEY_ID}


def test_every_page_and_host_vars(tmp_path, sim):
    inventory = parse(write_config(tmp_path, sim))
    assert len(inventory.hosts) == TOTAL
    pages = [call["params"]["PageNumber"] for call in calls(sim, "DescribeInstances")]
    assert pages == ["1", "2", "3"]
    # ENIs: one region-wide listing of the three zones (123 + 120 * 3 + 4 ENIs, 50 a page)
    eni_calls = calls(sim, "DescribeNetworkInterfaces")
    assert len(eni_calls) == 10
    assert sorted(v for k, v in eni_calls[0]["params"].items() if k.startswith("EnsRegionIds.")) == [
        "cn-beijing-cmcc", "cn-shanghai-cmcc", "cn-tianjin-cmcc"]

    gen = hostvars(inventory, "i-gen-0007")
    assert gen["ens_instance_id"] == "i-gen-0007"
    assert gen["ens_instance_name"] == "gen-0007"
    assert gen["ens_status"] == "Running"
    assert gen["ens_region_id"] == "cn-tianjin-cmcc"
    assert gen["ens_network_id"] == "n-gen" and gen["ens_vswitch_id"] == "vsw-gen"
    assert gen["ens_private_ip_address"] == gen["ens_network_interfaces"][0]["primary_ip"]
    assert gen["ens_private_ip_addresses"] == [gen["ens_private_ip_address"]]
    assert gen["ens_public_ip_addresses"] == []
    assert [(eni["network_interface_id"], eni["type"], eni["status"]) for eni in gen["ens_network_interfaces"]] == [
        ("eni-gen-0007-p", "Primary", "InUse"), ("eni-gen-0007-s1", "Secondary", "InUse")]
    assert set(gen["ens_network_interfaces"][0]) == set(ENI_FIELDS)
    assert gen["ens_instance"]["spec_name"] and gen["ens_instance"]["instance_id"] == "i-gen-0007"

    bj1 = hostvars(inventory, "i-bj-1")
    assert bj1["ens_status"] == "Stopped" and bj1["ens_network_id"] == "n-bj"
    assert [(eni["network_interface_id"], eni["status"]) for eni in bj1["ens_network_interfaces"]] == [
        ("eni-bj-1-p", "InUse"), ("eni-bj-1-s", "Detaching")]
    assert hostvars(inventory, "i-bj-2")["ens_public_ip_addresses"] == ["203.0.113.7"]
    # no free ENI is taken for an attached one
    assert not any(eni["network_interface_id"].endswith(("-a", "-b"))
                   for host in inventory.hosts.values() for eni in host.get_vars()["ens_network_interfaces"])


@pytest.mark.parametrize("options,expected,queries", [
    ({"ens_region_ids": ["cn-beijing-cmcc"]}, ["i-bj-1", "i-bj-2"], [{"EnsRegionId": "cn-beijing-cmcc"}]),
    ({"ens_region_ids": ["cn-beijing-cmcc", "cn-shanghai-cmcc"]}, ["i-bj-1", "i-bj-2", "i-sh-1"],
     [{"EnsRegionIds": json.dumps(["cn-beijing-cmcc", "cn-shanghai-cmcc"])}]),
    ({"statuses": ["Stopped", "Expired"]}, ["i-bj-1", "i-sh-1"], [{"Status": "Stopped"}, {"Status": "Expired"}]),
    ({"network_ids": ["n-bj", "n-sh"], "statuses": ["Running"]}, ["i-bj-2"],
     [{"Status": "Running", "NetworkId": "n-bj"}, {"Status": "Running", "NetworkId": "n-sh"}]),
    ({"instance_ids": ["i-bj-1", "i-gen-0120"], "ens_region_ids": ["cn-beijing-cmcc"]}, ["i-bj-1"],
     [{"InstanceIds": json.dumps(["i-bj-1", "i-gen-0120"]), "EnsRegionId": "cn-beijing-cmcc"}]),
])
def test_filters_are_sent_to_the_api(tmp_path, sim, options, expected, queries):
    inventory = parse(write_config(tmp_path, sim, **options))
    assert sorted(inventory.hosts) == expected
    sent = [{k: v for k, v in call["params"].items() if k not in ("PageNumber", "PageSize")}
            for call in calls(sim, "DescribeInstances")]
    assert sent == queries


def test_few_instances_read_their_enis_one_by_one(tmp_path, sim):
    parse(write_config(tmp_path, sim, instance_ids=["i-gen-0001", "i-gen-0002"]))
    assert [call["params"].get("InstanceId") for call in calls(sim, "DescribeNetworkInterfaces")] == ["i-gen-0001", "i-gen-0002"]


def test_network_filter_narrows_the_eni_listing(tmp_path, sim):
    inventory = parse(write_config(tmp_path, sim, network_ids=["n-gen"]))
    assert len(inventory.hosts) == 120
    eni_calls = calls(sim, "DescribeNetworkInterfaces")
    assert {call["params"]["NetworkId"] for call in eni_calls} == {"n-gen"} and len(eni_calls) == 10


def test_without_network_interfaces_no_eni_call(tmp_path, sim):
    inventory = parse(write_config(tmp_path, sim, network_interfaces=False))
    assert calls(sim, "DescribeNetworkInterfaces") == []
    enis = hostvars(inventory, "i-gen-0003")["ens_network_interfaces"]
    assert [(eni["network_interface_id"], eni["type"]) for eni in enis] == [("eni-gen-0003-p", "Primary"), ("eni-gen-0003-s1", "Secondary")]
    assert "status" not in enis[0]


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(Display, "warning", lambda self, msg, *args, **kwargs: seen.append(msg))
    return seen


def host_names(inventory):
    """{host name: instance id} of every host."""
    return dict((name, host.get_vars()["ens_instance_id"]) for name, host in inventory.hosts.items())


def test_hostnames_by_name_with_duplicates(tmp_path, sim, warnings):
    inventory = parse(write_config(tmp_path, sim, hostnames=["instance_name", "instance_id"]))
    assert len(inventory.hosts) == TOTAL
    # i-sh-1 and i-gen-0001 are both named gen-0001: neither gets the name, each is named by its id
    assert "gen-0001" not in inventory.hosts
    assert hostvars(inventory, "i-sh-1")["ens_instance_id"] == "i-sh-1"
    assert hostvars(inventory, "i-gen-0001")["ens_instance_id"] == "i-gen-0001"
    assert hostvars(inventory, "bj-2")["ens_instance_id"] == "i-bj-2"
    assert warnings == ['ENS inventory: instances i-gen-0001, i-sh-1 would all be named "gen-0001": none of them gets that host name']


def instance(instance_id, name=None, **fields):
    entry = {"InstanceId": instance_id, "Status": "Running", "EnsRegionId": "cn-wuxi-telecom", "NetworkId": "n-x"}
    if name is not None:
        entry["InstanceName"] = name
    entry.update(fields)
    return entry


# Names that must never be host names: the controller, built-in groups, another instance's id, a shared name.
COLLIDING = [
    instance("i-loc", "localhost"), instance("i-loc-up", "LocalHost."), instance("i-lo4", "127.0.0.1"),
    instance("i-lo4-short", "127.1"), instance("i-lo6", "::1"), instance("i-any", "0.0.0.0"), instance("i-all", "ALL"),
    instance("i-ungrouped", "ungrouped"), instance("i-web-lo", "web.localhost"),
    instance("i-a", "i-b"), instance("i-b", "b"),                        # i-a is named like i-b's id
    instance("i-c", "i-c"),                                              # its own id: fine
    instance("i-t1", "twin"), instance("i-t2", "twin", HostName="twin-host"), instance("i-t3", "twin", HostName="twin-host"),
    instance("i-h", "", HostName="b"),                                   # no name; its host name is i-b's name
    instance("i-tpl", "{{ 7 * 6 }}", HostName="tpl-host"), instance("i-tpl2", "{% if true %}x{% endif %}"),
    instance("i-cmt", "{# c #}"),
    instance("i-ok", "ok"),
]
# hostnames: [instance_name, host_name, instance_id]
COLLIDING_HOSTS = {
    "i-loc": "i-loc", "i-loc-up": "i-loc-up", "i-lo4": "i-lo4", "i-lo4-short": "i-lo4-short", "i-lo6": "i-lo6",
    "i-any": "i-any", "i-all": "i-all", "i-ungrouped": "i-ungrouped", "i-web-lo": "i-web-lo",
    "i-a": "i-a", "i-b": "i-b", "i-h": "i-h",                           # "b" claimed by i-b (name) and i-h (host name)
    "i-c": "i-c", "i-t1": "i-t1", "i-t2": "i-t2", "i-t3": "i-t3",        # "twin", then "twin-host", both shared
    "i-tpl": "tpl-host", "i-tpl2": "i-tpl2", "i-cmt": "i-cmt", "i-ok": "ok",
}


@pytest.mark.parametrize("reverse", [False, True])
def test_hostnames_never_merge_nor_shadow(tmp_path, sim, warnings, reverse):
    fleet = list(reversed(COLLIDING)) if reverse else COLLIDING
    sim.simulator.reset(fleet={"instances": fleet})
    inventory = parse(write_config(tmp_path, sim, hostnames=["instance_name", "host_name", "instance_id"]))
    # every instance is one host, whatever the order of the API answer
    assert host_names(inventory) == dict((host, instance_id) for instance_id, host in COLLIDING_HOSTS.items())
    text = "\n".join(warnings)
    for needle in ('instance name "localhost" of instance i-loc is a name of the controller or of a built-in group',
                   'instance name "127.1" of instance i-lo4-short is an address of the controller',
                   'instance name "ALL" of instance i-all is a name of the controller',
                   'instance name "i-b" of instance i-a is the instance id of instance i-b',
                   'instances i-t1, i-t2, i-t3 would all be named "twin"',
                   'instances i-t2, i-t3 would all be named "twin-host"',
                   'instances i-b, i-h would all be named "b"',
                   'instance name "{{ 7 * 6 }}" of instance i-tpl contains a template marker'):
        assert needle in text
    # the reserved names stay the instances' data
    assert hostvars(inventory, "i-loc")["ens_instance_name"] == "localhost"


def test_instance_with_an_unusable_id_is_left_out(tmp_path, sim, warnings):
    sim.simulator.reset(fleet={"instances": [instance("localhost", "edge"), instance("i-{{ x }}", "tpl"), instance("i-ok", "ok")]})
    inventory = parse(write_config(tmp_path, sim, hostnames=["instance_name"]))
    assert host_names(inventory) == {"ok": "i-ok"}
    assert any('the instance id "localhost" is left out' in warning for warning in warnings)
    assert any('the instance id "i-{{ x }}" is left out' in warning for warning in warnings)


@pytest.mark.parametrize("name,reason", [
    ("localhost", "controller"), ("LOCALHOST", "controller"), ("localhost.", "controller"),
    ("localhost.localdomain", "controller"), ("ip6-localhost", "controller"), ("db.localhost", "controller"),
    ("all", "group"), ("ungrouped", "group"), ("127.0.0.1", "address"), ("127.8.9.10", "address"),
    ("127.1", "address"), ("2130706433", "address"), ("::1", "address"), ("[::1]", "address"), ("0.0.0.0", "address"),
    ("::", "address"), ("web-1", None), ("10.0.0.7", None), ("i-5p67acfmxazb4pxxxx", None), ("allow", None),
    ("local", None),
])
def test_reserved_names(name, reason):
    found = ens_inventory.reserved_name(name)
    assert (found is None) if reason is None else (reason in found)


def test_constructed_features(tmp_path, sim):
    inventory = parse(write_config(
        tmp_path, sim,
        keyed_groups=[{"key": "ens_region_id", "prefix": "zone"}, {"key": "ens_status", "prefix": "status"}],
        groups={"with_secondary": "ens_network_interfaces | selectattr('type', 'equalto', 'Secondary') | list | length > 0"},
        compose={"ens_detach_network_interface_ids": "ens_network_interfaces | selectattr('type', 'equalto', 'Secondary')"
                                                     " | map(attribute='network_interface_id') | list",
                 "ansible_host": "ens_private_ip_address"},
    ))
    assert group_hosts(inventory, "zone_cn_beijing_cmcc") == ["i-bj-1", "i-bj-2"]
    assert len(group_hosts(inventory, "zone_cn_tianjin_cmcc")) == 120
    assert group_hosts(inventory, "status_Expired") == ["i-sh-1"]
    assert len(group_hosts(inventory, "with_secondary")) == 122
    assert "i-sh-1" not in group_hosts(inventory, "with_secondary")
    assert hostvars(inventory, "i-gen-0042")["ens_detach_network_interface_ids"] == ["eni-gen-0042-s1"]
    assert hostvars(inventory, "i-gen-0042")["ansible_host"] == hostvars(inventory, "i-gen-0042")["ens_private_ip_address"]


def test_strict_fails_on_a_bad_expression(tmp_path, sim):
    path = write_config(tmp_path, sim, instance_ids=["i-bj-1"], strict=True, compose={"x": "ens_no_such_var.attr"})
    with pytest.raises(AnsibleError, match="Could not set x"):
        parse(path)
    # not strict: the variable is skipped
    inventory = parse(write_config(tmp_path, sim, instance_ids=["i-bj-1"], compose={"x": "ens_no_such_var.attr"}))
    assert "x" not in hostvars(inventory, "i-bj-1")


def test_cache(tmp_path, sim):
    cache_dir = tmp_path / "cache"
    path = write_config(tmp_path, sim, ens_region_ids=["cn-beijing-cmcc"], cache=True,
                        cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache_dir))
    first = parse(path, cache=True)
    assert len(calls(sim, "DescribeInstances")) == 1
    assert sorted(first.hosts) == ["i-bj-1", "i-bj-2"]
    cached = list(cache_dir.iterdir())
    assert len(cached) == 1
    text = cached[0].read_text()
    assert ACCESS_KEY_SECRET not in text and ACCESS_KEY_ID not in text

    sim.control.clear_calls()
    second = parse(path, cache=True)
    assert calls(sim) == []
    assert hostvars(second, "i-bj-1")["ens_network_interfaces"] == hostvars(first, "i-bj-1")["ens_network_interfaces"]

    # cache=False is what --flush-cache and meta: refresh_inventory pass: read the API, update the cache
    sim.control.set_status("i-bj-1", "Starting", -1)
    refreshed = parse(path, cache=False)
    assert len(calls(sim, "DescribeInstances")) == 1
    assert hostvars(refreshed, "i-bj-1")["ens_status"] == "Starting"
    sim.control.clear_calls()
    assert hostvars(parse(path, cache=True), "i-bj-1")["ens_status"] == "Starting"
    assert calls(sim) == []


def test_no_cache_by_default(tmp_path, sim):
    path = write_config(tmp_path, sim, ens_region_ids=["cn-beijing-cmcc"])
    parse(path)
    parse(path)
    assert len(calls(sim, "DescribeInstances")) == 2


def test_api_error_names_code_and_request_id(tmp_path, sim):
    path = write_config(tmp_path, sim, access_key_secret="wrong-secret-value", api_retries=0)
    with pytest.raises(AnsibleError) as info:
        parse(path)
    message = str(info.value)
    assert "SignatureDoesNotMatch" in message and "request id" in message and path in message
    assert "wrong-secret-value" not in message


def test_throttling_is_retried(tmp_path, sim):
    sim.control.fail_next({"action": "DescribeInstances", "code": "Throttling.User", "status": 400, "count": 2})
    inventory = parse(write_config(tmp_path, sim, ens_region_ids=["cn-beijing-cmcc"]))
    assert sorted(inventory.hosts) == ["i-bj-1", "i-bj-2"]
    assert [call["code"] for call in calls(sim, "DescribeInstances")] == ["Throttling.User", "Throttling.User", None]


def own_non_loopback_address():
    """An address of this machine that is not loopback (the one it would reach the network from), or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # UDP: no packet is sent, the kernel only picks the source address
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_plain_http_off_this_machine_needs_allow_insecure_http(tmp_path, ens_simulator_factory, warnings):
    address = own_non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    remote = ens_simulator_factory("default", host=address)
    remote.simulator.reset(fleet=FLEET)
    endpoint = "http://%s:%d" % (address, int(remote.url.rsplit(":", 1)[1]))
    path = write_config(tmp_path, None, endpoint=endpoint, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                        instance_ids=["i-bj-2"])
    with pytest.raises(AnsibleError, match="allow_insecure_http"):
        parse(path)
    assert remote.control.calls()["calls"] == []  # refused before any request
    inventory = parse(write_config(tmp_path, None, endpoint=endpoint, access_key_id=ACCESS_KEY_ID,
                                   access_key_secret=ACCESS_KEY_SECRET, instance_ids=["i-bj-2"], allow_insecure_http=True))
    assert list(inventory.hosts) == ["i-bj-2"]
    assert any("is plain http (allow_insecure_http is set)" in warning for warning in warnings)


def test_missing_sdk(tmp_path, sim, monkeypatch):
    def missing(params, warn=None):
        raise EnsMissingLibrary("alibabacloud-ens20171110", ImportError("No module named 'alibabacloud_ens20171110'"))

    monkeypatch.setattr(ens_inventory.EnsApi, "from_params", staticmethod(missing))
    with pytest.raises(AnsibleError, match="needs the Python library alibabacloud-ens20171110 on the controller"):
        parse(write_config(tmp_path, sim))


def test_wrong_plugin_name(tmp_path):
    path = tmp_path / "other.ens.yml"
    path.write_text("plugin: amazon.aws.aws_ec2\n")
    with pytest.raises(AnsibleError, match="Incorrect plugin name"):
        parse(str(path))


def test_host_record_of_a_bare_instance():
    record = ens_inventory.host_record({"InstanceId": "i-x", "Status": "Running", "NetworkId": "n-1", "VSwitchId": "vsw-1",
                                        "PublicIpAddress": {"IpAddress": ["198.51.100.1"]}}, [])
    assert record["ens_instance_id"] == "i-x" and record["ens_instance_name"] is None
    assert record["ens_network_id"] == "n-1" and record["ens_vswitch_id"] == "vsw-1"
    assert record["ens_public_ip_addresses"] == ["198.51.100.1"]
    assert record["ens_private_ip_address"] is None and record["ens_network_interfaces"] == []


TEMPLATE = "{{ 7 * 6 }}"


def rendered(variables, expression):
    """What a playbook gets for `{{ expression }}` over these variables (the expression itself is the user's)."""
    return Templar(loader=DataLoader(), variables=variables).template(trust_as_template("{{ %s }}" % expression))


def test_templates_run_in_trusted_vars():
    """The control: a template in a variable the user wrote does run, so the checks below can fail."""
    assert rendered({"x": trust_as_template(TEMPLATE)}, "x") in (42, "42")  # 2.19 renders natively


@pytest.mark.parametrize("cached", [False, True])
def test_api_values_are_never_templates(tmp_path, sim, cached):
    sim.simulator.reset(fleet={
        "instances": [instance("i-tpl", TEMPLATE, HostName=TEMPLATE, SpecName=TEMPLATE, EnsRegionId=TEMPLATE)],
        "network_interfaces": [{"NetworkInterfaceId": "eni-tpl-p", "Type": "Primary", "InstanceId": "i-tpl",
                                "NetworkInterfaceName": TEMPLATE}],
    })
    options = dict(compose={"ens_composed": "ens_instance_name", "ens_label": "'label-' ~ ens_host_name"},
                   keyed_groups=[{"key": "ens_instance_name", "prefix": "name"}])
    if cached:  # values read back from the cache are the API's too
        options.update(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(tmp_path / "cache"))
        parse(write_config(tmp_path, sim, **options))
    inventory = parse(write_config(tmp_path, sim, **options))
    variables = hostvars(inventory, "i-tpl")
    for expression in ("ens_instance_name", "ens_host_name", "ens_region_id", "ens_instance.spec_name",
                       "ens_instance.instance_name", "ens_network_interfaces[0].network_interface_name",
                       "ens_composed"):
        assert rendered(variables, expression) == TEMPLATE, expression
    assert rendered(variables, "ens_label") == "label-" + TEMPLATE
    assert rendered(variables, "ens_network_interfaces | map(attribute='network_interface_name') | list") == [TEMPLATE]
    # keyed_groups: ansible-core turns the braces of a group name into underscores
    assert [group for group in inventory.groups if group.startswith("name_")] == ["name____7___6___"]


def test_only_strings_that_could_be_templates_are_marked():
    """A string without a brace cannot be a template: it stays a plain str, so `ansible-inventory --list` and an AWX
    inventory import see the value itself rather than {"__ansible_unsafe": ...} (ansible-core 2.16-2.18)."""
    record = ens_inventory.make_unsafe({"name": "web-1", "tpl": TEMPLATE, "enis": [{"name": "eni-1", "x": "{# c #}"}],
                                        "count": 3, "none": None, "ok": True})
    assert not isinstance(record["name"], AnsibleUnsafe) and not isinstance(record["enis"][0]["name"], AnsibleUnsafe)
    assert (record["count"], record["none"], record["ok"]) == (3, None, True)
    assert rendered(record, "tpl") == TEMPLATE
    assert rendered(record, "enis[0].x") == "{# c #}"


@pytest.mark.parametrize("option,value,message", [
    ("instance_ids", ["i-a1", 7], "option instance_ids: element 2 (7) is an integer"),
    ("statuses", ["Running", ""], 'option statuses: element 2 ("") is an empty string'),
    ("network_ids", [None], "option network_ids: element 1 (null) is null"),
    ("ens_region_ids", ["cn-a", ["cn-b"]], 'option ens_region_ids: element 2 (["cn-b"]) is a list'),
    ("instance_ids", [True], "option instance_ids: element 1 (true) is a boolean"),
    ("network_ids", [{"id": "n-1"}], 'option network_ids: element 1 ({"id": "n-1"}) is a mapping'),
    ("statuses", ["  "], 'option statuses: element 1 ("  ") is an empty string'),
])
def test_list_options_are_validated(tmp_path, sim, option, value, message):
    path = write_config(tmp_path, sim, **{option: value})
    with pytest.raises(AnsibleParserError) as info:
        parse(path)
    assert message in str(info.value) and path in str(info.value) and "must be a non-empty string" in str(info.value)
    assert calls(sim) == []  # refused before any API call


def test_hostnames_choice_is_validated_by_ansible(tmp_path, sim):
    with pytest.raises(AnsibleError, match="hostnames"):
        parse(write_config(tmp_path, sim, hostnames=["instance_name", 7]))
