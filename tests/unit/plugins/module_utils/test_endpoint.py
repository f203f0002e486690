# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The endpoint option: what is refused before any call, plain http, and loopback (issue #15 §4)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._client import EnsApi
from ansible_collections.alibabacloud.ens.plugins.module_utils._options import ens_argument_spec, is_loopback, parse_endpoint
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError

SECRET = "simSecret-Q7v9Xk2pRt"


def build(endpoint, warnings=None, **params):
    options = dict(endpoint=endpoint, access_key_id="LTAIsimulatorKey0001", access_key_secret=SECRET)
    options.update(params)
    return EnsApi.from_params(options, warn=None if warnings is None else warnings.append)


@pytest.mark.parametrize("given,expected", [
    ("http://127.0.0.1:8080", ("127.0.0.1:8080", "http")),
    ("https://ens.aliyuncs.com/", ("ens.aliyuncs.com", "https")),
    ("ens.aliyuncs.com", ("ens.aliyuncs.com", "https")),
    ("http://[::1]:8080", ("[::1]:8080", "http")),
    ("https://host:65535", ("host:65535", "https")),
])
def test_parse_endpoint_accepts(given, expected):
    assert parse_endpoint(given) == expected


@pytest.mark.parametrize("bad,rule", [
    ("http://127.0.0.1:8080?x=1", "a query"),
    ("http://127.0.0.1:8080/?Action=StopInstance", "a query"),
    ("https://ens.aliyuncs.com#frag", "a fragment"),
    ("http://user:hunter2@127.0.0.1:8080", "user info"),
    ("https://token@ens.aliyuncs.com", "user info"),
    ("http://127.0.0.1:0", "port must be a number from 1 to 65535"),
    ("http://127.0.0.1:65536", "port must be a number from 1 to 65535"),
    ("http://127.0.0.1:80a", "port must be a number from 1 to 65535"),
    ("http://127.0.0.1:", "port must be a number from 1 to 65535"),
    ("http://:8080", "no host name"),
    ("http://::1:8080", "IPv6 address in brackets"),
    ("http://host name", "expected http://host:port"),
    ("http://host/path", "expected http://host:port"),
])
def test_parse_endpoint_refuses_with_the_rule(bad, rule):
    with pytest.raises(ValueError) as raised:
        parse_endpoint(bad)
    assert rule in str(raised.value)


@pytest.mark.parametrize("endpoint", ["http://user:hunter2@127.0.0.1:8080", "http://user:hunter2@127.0.0.1:8080?x=1",
                                      "https://hunter2@ens.aliyuncs.com/"])
def test_user_info_is_never_echoed(endpoint):
    with pytest.raises(EnsApiError) as raised:
        build(endpoint)
    assert raised.value.code == "InvalidParameter.Endpoint"
    assert "hunter2" not in raised.value.message and "***@" in raised.value.message


def test_a_query_in_the_endpoint_is_refused_before_any_call():
    # The SDK appends the API parameters after "?x=1": the server would see none of them.
    with pytest.raises(EnsApiError, match="a query"):
        build("http://127.0.0.1:9?x=1")


@pytest.mark.parametrize("endpoint", ["http://10.0.0.5:8080", "http://ens.example.com", "HTTP://192.168.1.10:80"])
def test_plain_http_to_another_host_is_refused_by_default(endpoint):
    with pytest.raises(EnsApiError) as raised:
        build(endpoint, security_token="sts-token")
    assert raised.value.code == "InvalidParameter.InsecureEndpoint"
    assert "clear text" in raised.value.message and "allow_insecure_http" in raised.value.message


def test_plain_http_to_another_host_is_allowed_when_accepted_and_warned():
    warnings = []
    api = build("http://10.0.0.5:8080", warnings, allow_insecure_http=True)
    assert api.endpoint == "http://10.0.0.5:8080"
    assert len(warnings) == 1 and "clear text" in warnings[0]


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:8080", "http://127.9.8.7:1", "http://localhost:8080",
                                      "http://[::1]:8080", "https://10.0.0.5"])
def test_loopback_and_https_need_no_permission_and_give_no_warning(endpoint):
    warnings = []
    assert build(endpoint, warnings).endpoint.endswith(endpoint.split("://")[1])
    assert warnings == []


@pytest.mark.parametrize("host,expected", [
    ("127.0.0.1", True), ("127.255.0.1", True), ("::1", True), ("[::1]", True), ("LOCALHOST", True),
    ("10.0.0.1", False), ("128.0.0.1", False), ("localhost.example.com", False), ("::2", False),
])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


def test_the_option_and_its_environment_variable():
    spec = ens_argument_spec()["allow_insecure_http"]
    assert spec["type"] == "bool" and spec["default"] is False
    assert spec["fallback"][1] == ["ALIBABA_CLOUD_ENS_ALLOW_INSECURE_HTTP"]
