# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the extra vars of progress.yml: a fleet of COUNT running instances (one secondary ENI each, one free ENI
for each) with slow transitions, and the batch's changes (that ENI out, the free one in)."""

from __future__ import annotations

import json
import sys


def main(count):
    region, network = "cn-tianjin-cmcc", "n-prog"
    instances, enis, changes = [], [], []
    for number in range(1, count + 1):
        instance_id = "i-prog-%02d" % number
        instances.append({"InstanceId": instance_id, "InstanceName": "prog-%02d" % number, "Status": "Running",
                          "EnsRegionId": region, "NetworkId": network, "VSwitchId": "vsw-prog"})
        for suffix, kind, status, owner in (("p", "Primary", "InUse", instance_id), ("old", "Secondary", "InUse", instance_id),
                                            ("new", "Secondary", "Available", None)):
            eni = {"NetworkInterfaceId": "eni-prog-%02d-%s" % (number, suffix), "Type": kind, "Status": status,
                   "EnsRegionId": region, "NetworkId": network}
            if owner:
                eni["InstanceId"] = owner
            enis.append(eni)
        changes.append({"instance_id": instance_id, "detach": ["eni-prog-%02d-old" % number], "attach": ["eni-prog-%02d-new" % number]})
    fleet = {"transition_seconds": {"stop": 2.0, "detach": 2.0, "attach": 2.0, "start": 2.0},
             "instances": instances, "network_interfaces": enis}
    json.dump({"progress_fleet": fleet, "progress_changes": changes}, sys.stdout)


if __name__ == "__main__":
    main(int(sys.argv[1]))
