# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Simulator control and checks of `ansible-inventory --list` output for the inventory_ens target.

Usage: python check.py INTEGRATION_CONFIG COMMAND [ARGS...]
  reset                      load the fleet below, clear the call log
  clear                      clear the call log
  set-status ID STATUS       hold an instance in STATUS
  list-all FILE              check the listing of sources/all.ens.yml
  list-running-gen FILE      check the listing of sources/running_gen.ens.yml
  list-not-running FILE      check the listing of sources/not_running.ens.yml
  list-cached FILE STATUS CALLS   i-bj-1 has STATUS; the API was read (CALLS=yes) or not (CALLS=no)
  cache-dir DIR              the cache holds the hosts and no credential
  swapped                    the swap over sources/swap.ens.yml happened
  reset-untrusted            load the UNTRUSTED fleet (template names, names colliding with localhost and others)
  list-untrusted FILE ERR    check the listing of sources/untrusted.ens.yml (ERR: its stderr, with the warnings)
  untrusted-after DIR [OUT]  no payload ran (DIR is empty); OUT (playbook output) shows the literal payloads
  payload WHERE              print the template that creates $ENS_PWNED_DIR/WHERE if it runs
"""

from __future__ import annotations

import json
import os
import sys

import yaml
from ansible.release import __version__ as core_version

# ansible-test runs this from a copy of the target: the simulator package is in the collection under test
sys.path[:0] = [os.path.join(path, "ansible_collections", "alibabacloud", "ens", "tests", "simulator")
                for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if path]
from ens_simulator.control_client import ControlClient  # noqa: E402 pylint: disable=wrong-import-position

# 120 generated running instances (3 pages of DescribeInstances at 50 a page) in one zone and network, each with
# a primary ENI, one attached secondary (-s1) and two free ENIs (-a, -b); plus hand-made ones elsewhere.
FLEET = {
    "transition_seconds": {"attach": 0.2, "detach": 0.2, "stop": 0.3, "start": 0.3},
    "generate": {"instances": 120, "free_enis_per_instance": 2, "secondary_enis_per_instance": 1,
                 "ens_region_id": "cn-tianjin-cmcc", "network_id": "n-gen"},
    "instances": [
        {"InstanceId": "i-bj-1", "InstanceName": "bj-1", "Status": "Stopped", "EnsRegionId": "cn-beijing-cmcc", "NetworkId": "n-bj"},
        {"InstanceId": "i-bj-2", "InstanceName": "bj-2", "Status": "Running", "EnsRegionId": "cn-beijing-cmcc", "NetworkId": "n-bj"},
        {"InstanceId": "i-sh-1", "InstanceName": "sh-1", "Status": "Expired", "EnsRegionId": "cn-shanghai-cmcc", "NetworkId": "n-sh"},
    ],
    "network_interfaces": [
        {"NetworkInterfaceId": "eni-bj-1-p", "Type": "Primary", "InstanceId": "i-bj-1"},
        {"NetworkInterfaceId": "eni-bj-1-s", "InstanceId": "i-bj-1"},
        {"NetworkInterfaceId": "eni-bj-2-p", "Type": "Primary", "InstanceId": "i-bj-2"},
        {"NetworkInterfaceId": "eni-sh-1-p", "Type": "Primary", "InstanceId": "i-sh-1"},
    ],
}
GENERATED = ["i-gen-%04d" % n for n in range(1, 121)]


def payload(where):
    """A template that would create the file $ENS_PWNED_DIR/<where> if it ran (no dot: it survives a split on '.')."""
    return "{{ lookup('pipe', 'touch $ENS_PWNED_DIR/%s') }}" % where


def untrusted_instance(instance_id, name, **fields):
    instance = {"InstanceId": instance_id, "InstanceName": name, "Status": "Running", "EnsRegionId": "cn-wuxi-telecom",
                "NetworkId": "n-evil"}
    instance.update(fields)
    return instance


# Values an API user may set (names, host names) or that a compromised endpoint may send (anything).
UNTRUSTED_FLEET = {
    "instances": [
        untrusted_instance("i-evil", payload("instance_name"), HostName=payload("host_name"), SpecName=payload("spec_name")),
        untrusted_instance("i-loc", "localhost"),
        untrusted_instance("i-twin-1", "twin"),
        untrusted_instance("i-twin-2", "twin", HostName="twin-2-host"),
        untrusted_instance("i-shadow", "i-twin-1"),
        untrusted_instance("i-plain", "plain"),
    ],
    "network_interfaces": [
        {"NetworkInterfaceId": "eni-evil-p", "Type": "Primary", "InstanceId": "i-evil", "NetworkInterfaceName": payload("eni_name")},
        {"NetworkInterfaceId": "eni-plain-p", "Type": "Primary", "InstanceId": "i-plain"},
    ],
}
# hostnames: [instance_name, host_name, instance_id]
UNTRUSTED_HOSTS = {"i-evil": "i-evil", "i-loc": "i-loc", "i-twin-1": "i-twin-1", "i-twin-2": "twin-2-host",
                   "i-shadow": "i-shadow", "i-plain": "plain"}


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def plain(value):
    """ansible-inventory (ansible-core 2.19+) prints values not trusted as templates as {"__ansible_unsafe": ...}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def load(path):
    with open(path) as f:
        listing = plain(json.load(f))
    hostvars = listing["_meta"]["hostvars"]
    groups = {name: sorted(group.get("hosts", [])) for name, group in listing.items() if name != "_meta"}
    return hostvars, groups


def instance_queries(sim):
    """The filters of each DescribeInstances call, without paging, and the page numbers."""
    calls = sim.calls("DescribeInstances")["calls"]
    queries = [{k: v for k, v in call["params"].items() if k not in ("PageNumber", "PageSize")} for call in calls]
    return queries, [call["params"]["PageNumber"] for call in calls]


def list_all(sim, path):
    hostvars, groups = load(path)
    check(len(hostvars) == 123, "123 hosts, got %d" % len(hostvars))
    queries, pages = instance_queries(sim)
    check(pages == ["1", "2", "3"] and queries == [{}, {}, {}], "every page once, no filter: %s %s" % (pages, queries))
    enis = sim.calls("DescribeNetworkInterfaces")["calls"]
    check(len(enis) == 10, "ENIs listed once for the three zones (484 ENIs, 10 pages): %d calls" % len(enis))

    gen = hostvars["i-gen-0042"]
    expected = {
        "ens_instance_id": "i-gen-0042", "ens_instance_name": "gen-0042", "ens_status": "Running",
        "ens_region_id": "cn-tianjin-cmcc", "ens_network_id": "n-gen", "ens_vswitch_id": "vsw-gen",
        "ens_detach_network_interface_ids": ["eni-gen-0042-s1"],
    }
    for key, value in expected.items():
        check(gen.get(key) == value, "i-gen-0042 %s: %r" % (key, gen.get(key)))
    check([(e["network_interface_id"], e["type"], e["status"]) for e in gen["ens_network_interfaces"]]
          == [("eni-gen-0042-p", "Primary", "InUse"), ("eni-gen-0042-s1", "Secondary", "InUse")],
          "i-gen-0042 ENIs: %s" % gen["ens_network_interfaces"])
    check(gen["ansible_host"] == gen["ens_private_ip_address"] == gen["ens_network_interfaces"][0]["primary_ip"],
          "compose ansible_host from the primary IP")
    check(gen["ens_private_ip_addresses"] == [gen["ens_private_ip_address"]], "private IPs")
    check(gen["ens_instance"]["instance_id"] == "i-gen-0042", "the full API entry in ens_instance")

    check(groups["zone_cn_tianjin_cmcc"] == sorted(GENERATED), "keyed group by zone")
    check(groups["zone_cn_beijing_cmcc"] == ["i-bj-1", "i-bj-2"], "keyed group zone_cn_beijing_cmcc")
    check(groups["status_Stopped"] == ["i-bj-1"] and groups["status_Expired"] == ["i-sh-1"], "keyed group by status")
    check(len(groups["status_Running"]) == 121, "running hosts")
    check(groups["network_n_sh"] == ["i-sh-1"], "keyed group by network")
    check(groups["with_secondary_eni"] == sorted(GENERATED + ["i-bj-1"]), "composed group")
    print("list-all: 123 hosts over 3 pages, host vars, keyed and composed groups ok")


def list_running_gen(sim, path):
    hostvars, groups = load(path)
    check(sorted(hostvars) == sorted(name[2:] for name in GENERATED), "the 120 generated instances, named by name")
    check(hostvars["gen-0007"]["ens_instance_id"] == "i-gen-0007", "ens_instance_id host var")
    queries, pages = instance_queries(sim)
    check(pages == ["1", "2", "3"], "pages %s" % pages)
    check(all(q == {"EnsRegionId": "cn-tianjin-cmcc", "NetworkId": "n-gen", "Status": "Running"} for q in queries),
          "filters sent to the API: %s" % queries)
    eni_networks = {call["params"].get("NetworkId") for call in sim.calls("DescribeNetworkInterfaces")["calls"]}
    check(eni_networks == {"n-gen"}, "ENIs listed in the filtered network only: %s" % eni_networks)
    print("list-running-gen: server-side filters ok")


def list_not_running(sim, path):
    hostvars, groups = load(path)
    check(sorted(hostvars) == ["i-bj-1", "i-sh-1"], "stopped and expired: %s" % sorted(hostvars))
    queries, pages = instance_queries(sim)
    check(queries == [{"Status": "Stopped"}, {"Status": "Expired"}], "one query per status: %s" % queries)
    check(sim.calls("DescribeNetworkInterfaces")["calls"] == [], "network_interfaces: false reads no ENI")
    check([e["network_interface_id"] for e in hostvars["i-bj-1"]["ens_network_interfaces"]] == ["eni-bj-1-p", "eni-bj-1-s"],
          "ENIs from the instance answer")
    print("list-not-running: statuses and network_interfaces=false ok")


def list_cached(sim, path, status, api_read):
    hostvars, groups = load(path)
    check(sorted(hostvars) == ["i-bj-1", "i-bj-2"], "cached hosts %s" % sorted(hostvars))
    check(hostvars["i-bj-1"]["ens_status"] == status, "i-bj-1 status %s, expected %s" % (hostvars["i-bj-1"]["ens_status"], status))
    calls = sim.calls()["calls"]
    if api_read == "yes":
        check(len([c for c in calls if c["action"] == "DescribeInstances"]) == 1, "the API was read: %s" % calls)
    else:
        check(calls == [], "served from the cache, yet %d API calls" % len(calls))
    print("list-cached: status %s, API read: %s" % (status, api_read))


def cache_dir(config, path):
    files = [os.path.join(path, name) for name in os.listdir(path)]
    check(len(files) == 1, "one cache file: %s" % files)
    with open(files[0]) as f:
        text = f.read()
    check("i-bj-1" in text, "the cache holds the hosts")
    check(config["ens_access_key_secret"] not in text and config["ens_access_key_id"] not in text, "no credential in the cache")
    print("cache-dir: %s holds the hosts and no credential" % os.path.basename(files[0]))


def swapped(sim):
    state = sim.state()
    for number in (1, 2):
        instance = "i-gen-%04d" % number
        attached = sorted(eni_id for eni_id, eni in state["network_interfaces"].items()
                          if eni.get("InstanceId") == instance and eni["Status"] == "InUse")
        expected = sorted("eni-gen-%04d-%s" % (number, suffix) for suffix in ("p", "a", "b"))
        check(attached == expected, "%s has %s, expected %s" % (instance, attached, expected))
        check(state["instances"][instance]["Status"] == "Running", "%s is running again" % instance)
    # Over an inventory swap.yml changes the batch in one module run: one StopInstances naming every host.
    stops = [call["params"]["InstanceIds"] for call in sim.calls("StopInstances")["calls"]]
    check(stops == ["i-gen-0001,i-gen-0002"] or stops == ["i-gen-0002,i-gen-0001"],
          "one StopInstances for the hosts of the inventory: %s" % stops)
    check(sim.calls("StopInstance")["calls"] == [], "no per-host stop in batch mode")
    print("swapped: playbooks/swap.yml ran over the inventory, both instances swapped and running")


def list_untrusted(path, err_path):
    hostvars, groups = load(path)
    names = {host: values["ens_instance_id"] for host, values in hostvars.items()}
    check(names == {host: instance for instance, host in UNTRUSTED_HOSTS.items()}, "host names: %s" % names)
    evil = hostvars["i-evil"]
    check(evil["ens_instance_name"] == payload("instance_name") and evil["ens_host_name"] == payload("host_name"),
          "the literal names: %r %r" % (evil["ens_instance_name"], evil["ens_host_name"]))
    check(evil["ens_instance"]["spec_name"] == payload("spec_name"), "the literal spec: %r" % evil["ens_instance"]["spec_name"])
    check(evil["ens_network_interfaces"][0]["network_interface_name"] == payload("eni_name"), "the literal ENI name")
    check(evil["ens_composed_name"] == payload("instance_name"), "compose copies the literal name")
    check(hostvars["plain"]["ens_composed_label"] == "label-plain", "compose still works")
    check("i-loc" in groups["name_localhost"] and "i-twin-1" in groups["name_twin"] and "twin-2-host" in groups["name_twin"],
          "keyed groups by name: %s" % groups)
    check(not any("localhost" == host for host in hostvars), "no host named localhost")
    with open(path) as f:
        raw = json.load(f)["_meta"]["hostvars"]
    check(isinstance(raw["i-evil"]["ens_instance_name"], dict), "a template name is listed as unsafe")
    if tuple(int(part) for part in core_version.split(".")[:2]) < (2, 19):  # 2.19 lists every plugin value so
        check(raw["plain"]["ens_instance_name"] == "plain", "a plain name is listed as it is (AWX imports it)")
    with open(err_path) as f:
        err = "".join(f.read().split())  # ansible-core 2.16 wraps warnings at 79 columns, also after hyphens
    for needle in ('name "localhost" of instance i-loc is a name of the controller',
                   'instances i-twin-1, i-twin-2 would all be named "twin"',
                   'name "i-twin-1" of instance i-shadow is the instance id of instance i-twin-1',
                   'of instance i-evil contains a template marker'):
        check("".join(needle.split()) in err, "a warning says %r: %s" % (needle, err))
    print("list-untrusted: literal API values, reserved and colliding names refused with warnings")


def untrusted_after(pwned_dir, out_path=None):
    ran = sorted(os.listdir(pwned_dir))
    check(ran == [], "API data ran as a template: %s created in %s" % (ran, pwned_dir))
    if out_path:
        with open(out_path) as f:
            out = f.read()
        for where in ("instance_name", "host_name", "spec_name", "eni_name"):
            check(payload(where) in out, "the playbook output shows the literal %s payload" % where)
        print("untrusted-after: no payload ran; the playbook showed the four payloads as text")
    else:
        print("untrusted-after: no payload ran")


def main():
    config_path, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(config_path) as f:
        config = yaml.safe_load(f)
    sim = ControlClient(config["ens_sim_url"], timeout=30)
    if command == "reset":
        sim.reset(fleet=FLEET)
    elif command == "clear":
        sim.clear_calls()
    elif command == "set-status":
        sim.set_status(args[0], args[1], -1)
    elif command == "list-all":
        list_all(sim, args[0])
    elif command == "list-running-gen":
        list_running_gen(sim, args[0])
    elif command == "list-not-running":
        list_not_running(sim, args[0])
    elif command == "list-cached":
        list_cached(sim, *args)
    elif command == "cache-dir":
        cache_dir(config, args[0])
    elif command == "swapped":
        swapped(sim)
    elif command == "reset-untrusted":
        sim.reset(fleet=UNTRUSTED_FLEET)
    elif command == "list-untrusted":
        list_untrusted(*args)
    elif command == "untrusted-after":
        untrusted_after(*args)
    elif command == "payload":
        print(payload(args[0]))
    else:
        raise SystemExit("unknown command %s" % command)


if __name__ == "__main__":
    main()
