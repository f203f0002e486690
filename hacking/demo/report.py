"""Print the demo fleet's ENIs as a table, and after the run each instance's downtime (stdlib only)."""

import json
import sys
import urllib.request


def fetch(url, path):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url + path, timeout=10) as response:
        return json.load(response)


def eni_table(state):
    by_instance = {}
    for eni in state["network_interfaces"].values():
        by_instance.setdefault(eni.get("InstanceId") or "", []).append(eni)
    rows = []
    for instance_id, instance in sorted(state["instances"].items()):
        enis = sorted(by_instance.get(instance_id, []), key=lambda e: (e["Type"] != "Primary", e["NetworkInterfaceId"]))
        names = ", ".join("%s (%s)" % (e["NetworkInterfaceId"], e["Type"].lower()) for e in enis)
        rows.append((instance.get("InstanceName", ""), instance_id, instance["Status"], names))
    free = sorted(by_instance.get("", []), key=lambda e: e["NetworkInterfaceId"])
    rows.append(("(free)", "", "", ", ".join("%s [%s]" % (e["NetworkInterfaceId"], e["NetworkId"]) for e in free)))
    return rows


def downtime(instance):
    """Seconds from leaving Running to Running again, over the instance's status history."""
    total, left = 0.0, None
    for status, since in instance.get("history", []):
        if status != "Running" and left is None:
            left = since
        elif status == "Running" and left is not None:
            total += since - left
            left = None
    return total


def print_table(headers, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, headers))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join("%-*s" % (w, c) for w, c in zip(widths, row)))


def main(url, when):
    state = fetch(url, "/_sim/state")
    print()
    print_table(["instance", "id", "status", "ENIs attached"], eni_table(state))
    if when == "after":
        calls = fetch(url, "/_sim/calls")
        print()
        rows = [(i.get("InstanceName", ""), iid, "%.1f s" % downtime(i) if downtime(i) else "none (never stopped)")
                for iid, i in sorted(state["instances"].items())]
        print_table(["instance", "id", "downtime"], rows)
        times = fetch(url, "/_sim/transition")["transition_seconds"]
        floor = times["stop"] + times["detach"] + times["attach"] + times["start"]
        print("\nThe floor for a swap is %.1f s: the cloud's own stop %.1f s + detach %.1f s + attach %.1f s + start %.1f s;"
              % (floor, times["stop"], times["detach"], times["attach"], times["start"]))
        print("the rest is Ansible starting each step's module and noticing each change.")
        counts = ", ".join("%s %d" % item for item in sorted(calls["counts"].items()))
        print("\nAPI calls made: %d (%s); %d of them changed something." % (len(calls["calls"]), counts, calls["mutating"]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
