#!/usr/bin/env python
"""Print, as JSON, every mutating call hit by a backend error or a lost answer whose next call about the same
resource was not a read: a blind resend. Usage: read_back_check.py SIMULATOR_URL."""

import json
import os
import sys

# ansible-test runs this from a copy of the target: the simulator package is in the collection under test
sys.path[:0] = [os.path.join(path, "ansible_collections", "alibabacloud", "ens", "tests", "simulator")
                for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if path]
from ens_simulator.control_client import ControlClient  # noqa: E402 pylint: disable=wrong-import-position
from ens_simulator.params import named_resources  # noqa: E402 pylint: disable=wrong-import-position

READS = ("DescribeNetworkInterfaces", "DescribeInstances")
UNSURE = ("interface_error", "interface_error_applied", "lost_answer")


def main():
    calls = ControlClient(sys.argv[1], timeout=30).calls()["calls"]
    unsure = [call for call in calls if call["mutating"] and call.get("injected") in UNSURE]
    blind = []
    for call in unsure:
        resource = call["params"].get("NetworkInterfaceId") or call["params"].get("InstanceId")
        following = [later for later in calls if later["seq"] > call["seq"] and resource in named_resources(later.get("params") or {})]
        if following and following[0]["action"] not in READS:
            blind.append({"seq": call["seq"], "action": call["action"], "resource": resource,
                          "next": following[0]["action"]})
    print(json.dumps({"unsure": len(unsure), "blind_resends": blind}))


if __name__ == "__main__":
    main()
