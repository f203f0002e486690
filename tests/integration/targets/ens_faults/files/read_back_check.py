#!/usr/bin/env python
"""Print, as JSON, every mutating call hit by a backend error or a lost answer whose next call about the same
resource was not a read: a blind resend. Usage: read_back_check.py SIMULATOR_URL."""

import json
import sys
import urllib.request

READS = ("DescribeNetworkInterfaces", "DescribeInstances")
UNSURE = ("interface_error", "interface_error_applied", "lost_answer")


def named(call):
    """The resource ids a call names in its parameters."""
    ids = set()
    for key, value in (call.get("params") or {}).items():
        if key in ("InstanceId", "NetworkInterfaceId") or key.startswith("NetworkInterfaceIds."):
            ids.add(value)
        elif key == "InstanceIds":
            try:
                decoded = json.loads(value)
            except ValueError:
                decoded = value.split(",")
            ids.update(decoded if isinstance(decoded, list) else [decoded])
    return ids


def main():
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(sys.argv[1].rstrip("/") + "/_sim/calls", timeout=30) as answer:
        calls = json.loads(answer.read())["calls"]
    unsure = [call for call in calls if call["mutating"] and call.get("injected") in UNSURE]
    blind = []
    for call in unsure:
        resource = call["params"].get("NetworkInterfaceId") or call["params"].get("InstanceId")
        following = [later for later in calls if later["seq"] > call["seq"] and resource in named(later)]
        if following and following[0]["action"] not in READS:
            blind.append({"seq": call["seq"], "action": call["action"], "resource": resource,
                          "next": following[0]["action"]})
    print(json.dumps({"unsure": len(unsure), "blind_resends": blind}))


if __name__ == "__main__":
    main()
