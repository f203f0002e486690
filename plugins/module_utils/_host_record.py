# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The host vars the inventory plugin gives one ENS instance, from its API objects (pure, unit-tested)."""

from __future__ import annotations

from ansible_collections.alibabacloud.ens.plugins.module_utils._convert import to_snake

ENI_FIELDS = ("network_interface_id", "network_interface_name", "type", "status", "primary_ip", "mac_address",
              "network_id", "vswitch_id")


def _ips(entries, key):
    """The IPs of an API list such as [{"Ip": ...}] or ["10.0.0.1"], in order, without repeats."""
    found = []
    for entry in entries or []:
        value = entry.get(key) if isinstance(entry, dict) else entry
        if value and value not in found:
            found.append(value)
    return found


def _unwrapped(value, key):
    """The list inside an API wrapper such as {"PrivateIpAddress": [...]} (or the list itself)."""
    if isinstance(value, dict):
        value = value.get(key)
    return value if isinstance(value, list) else []


def _primary_first(enis):
    return sorted(enis, key=lambda eni: (eni.get("type") != "Primary", eni.get("network_interface_id") or ""))


def host_record(instance, enis=None):
    """The host vars of one instance: `instance` is a DescribeInstances entry, `enis` its DescribeNetworkInterfaces
    entries (None when ENIs were not read: the instance's own ENI list is used, without status)."""
    network = instance.get("NetworkAttributes") or {}
    private_ips = _ips(_unwrapped(instance.get("PrivateIpAddresses"), "PrivateIpAddress"), "Ip")
    for ip in _ips(_unwrapped(network.get("PrivateIpAddress"), "IpAddress"), None):
        if ip not in private_ips:
            private_ips.append(ip)
    public_ips = _ips(_unwrapped(instance.get("PublicIpAddresses"), "PublicIpAddress"), "Ip")
    for ip in _ips(_unwrapped(instance.get("PublicIpAddress"), "IpAddress"), None):
        if ip not in public_ips:
            public_ips.append(ip)
    if enis is None:
        interfaces = [
            {"network_interface_id": eni.get("NetworkInterfaceId"), "type": eni.get("Type"),
             "primary_ip": eni.get("PrimaryIpAddress"), "mac_address": eni.get("MacAddress")}
            for eni in _unwrapped(instance.get("NetworkInterfaces"), "NetworkInterfaces") if isinstance(eni, dict)
        ]
    else:
        interfaces = []
        for eni in enis:
            snake = to_snake(eni)
            interfaces.append({field: snake.get(field) for field in ENI_FIELDS})
    return {
        "ens_instance_id": instance.get("InstanceId"),
        "ens_instance_name": instance.get("InstanceName"),
        "ens_host_name": instance.get("HostName"),
        "ens_status": instance.get("Status"),
        "ens_region_id": instance.get("EnsRegionId"),
        "ens_network_id": network.get("NetworkId") or instance.get("NetworkId"),
        "ens_vswitch_id": network.get("VSwitchId") or instance.get("VSwitchId"),
        "ens_private_ip_address": private_ips[0] if private_ips else None,
        "ens_private_ip_addresses": private_ips,
        "ens_public_ip_addresses": public_ips,
        "ens_network_interfaces": _primary_first(interfaces),
        "ens_instance": to_snake(instance),
    }
