# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._convert import check_ids, to_snake
from ansible_collections.alibabacloud.ens.plugins.module_utils._options import parse_endpoint


@pytest.mark.parametrize("values,fragment", [
    ([""], "is empty"),
    ([" eni-a"], "contains whitespace"),
    (["eni-a b"], "contains whitespace"),
    (["i-123"], "is not a valid id"),
    (["eni-"], "is not a valid id"),
    (["eni-a", "eni-a"], "listed more than once"),
    ([None], "is empty"),
])
def test_check_ids_problems(values, fragment):
    problems = check_ids(values, "network_interface_ids", "eni")
    assert len(problems) == 1 and fragment in problems[0]


def test_check_ids_accepts_real_ids():
    assert check_ids(["eni-58z57orgmt6d1abcd", "eni-gen-0001-a"], "ids", "eni") == []
    assert check_ids(["i-5p67acfmxazb4pabcd"], "instance_id", "i") == []


def test_to_snake_unwraps_lists_and_names_vswitch():
    raw = {"NetworkInterfaceId": "eni-a", "VSwitchId": "vsw-1", "EnsRegionId": "r",
           "SecurityGroupIds": {"SecurityGroup": ["sg-1"]},
           "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": "10.0.0.2", "Primary": True}]}}
    assert to_snake(raw) == {"network_interface_id": "eni-a", "vswitch_id": "vsw-1", "ens_region_id": "r",
                             "security_group_ids": ["sg-1"],
                             "private_ip_sets": [{"private_ip_address": "10.0.0.2", "primary": True}]}


@pytest.mark.parametrize("given,expected", [
    ("http://127.0.0.1:8080", ("127.0.0.1:8080", "http")),
    ("https://ens.aliyuncs.com/", ("ens.aliyuncs.com", "https")),
    ("ens.aliyuncs.com", ("ens.aliyuncs.com", "https")),
    ("HTTP://host:1", ("host:1", "http")),
])
def test_parse_endpoint(given, expected):
    assert parse_endpoint(given) == expected


@pytest.mark.parametrize("bad", ["ftp://host", "http://", "http://host/path"])
def test_parse_endpoint_refuses(bad):
    with pytest.raises(ValueError):
        parse_endpoint(bad)
