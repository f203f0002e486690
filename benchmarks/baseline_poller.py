# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The baseline of the wait benchmark: a fixed 5 s poller, as the best-known peer modules wait.

Peer cloud modules wait with a fixed delay between status reads (botocore waiters, the older Alibaba Cloud
modules): read, and if the resource is not there yet, sleep 5 s and read again. This poller does exactly
that with the official ENS SDK, so that it and the collection's Waiter are measured against the same
simulator, at the same time, through the same HTTP stack.
"""

from __future__ import annotations

import time

BASELINE_INTERVAL_SECONDS = 5.0


def sdk_client(endpoint, access_key_id, access_key_secret):
    """An official SDK client for `endpoint` ('host:port', plain http: the local simulator)."""
    from alibabacloud_ens20171110.client import Client
    from alibabacloud_tea_openapi.utils_models import Config

    return Client(Config(access_key_id=access_key_id, access_key_secret=access_key_secret,
                         endpoint=endpoint, protocol="http", connect_timeout=5000, read_timeout=15000))


class FixedIntervalPoller:
    """Reads one ENI every `interval` seconds until it has `target` status; counts its polls."""

    def __init__(self, client, interval=BASELINE_INTERVAL_SECONDS, timeout=600.0):
        from alibabacloud_ens20171110 import models

        self.client = client
        self.models = models
        self.interval = interval
        self.timeout = timeout
        self.polls = 0

    def eni_status(self, eni_id):
        request = self.models.DescribeNetworkInterfacesRequest(network_interface_ids=[eni_id], page_number=1, page_size=50)
        body = self.client.describe_network_interfaces(request).body.to_map()
        found = (body.get("NetworkInterfaceSets") or {}).get("NetworkInterfaceSet") or []
        return found[0].get("Status") if found else None

    def wait_for_eni(self, eni_id, target="InUse"):
        """Poll at once, then every `interval` seconds; returns the number of polls."""
        deadline = time.monotonic() + self.timeout
        while True:
            self.polls += 1
            if self.eni_status(eni_id) == target:
                return self.polls
            if time.monotonic() + self.interval > deadline:
                raise TimeoutError("%s did not become %s within %d s" % (eni_id, target, self.timeout))
            time.sleep(self.interval)
