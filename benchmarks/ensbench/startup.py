# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Section 5: module start-up, ens_eni_info beside ansible.builtin.ping; and the API round trip."""

from __future__ import annotations

import json
import os
import shutil
import time

from .constants import ACCESS_KEY_ID, ACCESS_KEY_SECRET, INFO_MODULE, REALISTIC
from .runner import import_collection, run_measured
from .stats import median, p90


def find_ansiballz(root, name):
    for directory, _dirs, files in os.walk(root):
        for file_name in files:
            if file_name == "AnsiballZ_%s.py" % name:
                return os.path.join(directory, file_name)
    return None


def section_startup(sim, runner, reps):
    sim.reset({"generate": {"instances": 1, "free_enis_per_instance": 1, "status": "Running", "prefix": "su"}}, REALISTIC)
    info_args = {"network_interface_ids": ["eni-su-0001-a"]}
    results = {"cli": {"info": [], "ping": []}, "module": {"info": [], "ping": []}, "first_call": [], "imports": {}}
    # Keep one AnsiballZ payload of each to time the module process alone.
    keep = os.path.join(runner.work, "kept")
    shutil.rmtree(keep, ignore_errors=True)
    env_keep = {"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": keep}
    runner.execute([os.path.join(runner.bin, "ansible"), "localhost", "-m", INFO_MODULE, "-a", json.dumps(info_args),
                    "-e", "ansible_python_interpreter=%s" % runner.python], extra_env=env_keep)
    runner.execute([os.path.join(runner.bin, "ansible"), "localhost", "-m", "ansible.builtin.ping",
                    "-e", "ansible_python_interpreter=%s" % runner.python], extra_env=env_keep)
    payloads = {"info": find_ansiballz(keep, "ens_eni_info"), "ping": find_ansiballz(keep, "ping")}
    env = runner.env()
    for rep in range(reps):
        print("  start-up: repetition %d/%d" % (rep + 1, reps), flush=True)
        order = ["info", "ping"] if rep % 2 == 0 else ["ping", "info"]
        for which in order:
            if which == "info":
                run = runner.module(INFO_MODULE, info_args)
            else:
                run = runner.module("ansible.builtin.ping", {})
            results["cli"][which].append({"wall": run["wall"], "maxrss_kb": run["maxrss_kb"]})
        for which in order:
            before = sim.mark()
            measured = run_measured([runner.python, payloads[which]], env, runner.work)
            results["module"][which].append({"wall": measured["wall"], "maxrss_kb": measured["maxrss_kb"]})
            if which == "info":
                calls = sim.calls_since(before)
                sim.mark()
                if calls:
                    results["first_call"].append(calls[0]["time"] - measured["started"])
    # Where the module's start-up goes: one run with -X importtime.
    measured = run_measured([runner.python, "-X", "importtime", payloads["info"]], env, runner.work)
    cumulative = {}
    for line in measured["stderr"].splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _self_us, cumulative_us, name = line[len("import time:"):].split("|", 2)
        try:
            cumulative[name.strip()] = int(cumulative_us) / 1e6
        except ValueError:
            continue
    for name in ("ansible.module_utils.basic", "alibabacloud_ens20171110.client", "alibabacloud_tea_openapi.utils_models",
                 "alibabacloud_credentials.client", "aiohttp", "requests", "tenacity", "alibabacloud_ens20171110.models"):
        if name in cumulative:
            results["imports"][name] = cumulative[name]
    return results


def api_latency(sim, runner, count=40):
    """Median round trip of one DescribeNetworkInterfaces through the collection's client (warm)."""
    _client, _eni, _planning, _waiter, _baseline = import_collection(runner)
    sim.reset({"generate": {"instances": 1, "free_enis_per_instance": 1, "status": "Running", "prefix": "lat"}}, REALISTIC)
    api = _client.EnsApi.from_params({"endpoint": sim.url, "access_key_id": ACCESS_KEY_ID, "access_key_secret": ACCESS_KEY_SECRET})
    api.describe_network_interfaces(["eni-lat-0001-a"])
    times = []
    for _call in range(count):
        t0 = time.monotonic()
        api.describe_network_interfaces(["eni-lat-0001-a"])
        times.append(time.monotonic() - t0)
    return {"median": median(times), "p90": p90(times), "count": count}
