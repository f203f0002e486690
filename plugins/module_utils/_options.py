# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options every module and plugin shares, and the endpoint they name, checked before any client is built."""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

SDK_PACKAGE = "alibabacloud-ens20171110"
CENTRAL_ENDPOINT = "ens.aliyuncs.com"
DEFAULT_API_RETRIES = 8
DEFAULT_API_RETRY_MAX_SECONDS = 120
DEFAULT_CONNECT_TIMEOUT = 5
DEFAULT_READ_TIMEOUT = 15


def ens_argument_spec():
    """The options every module accepts; documented in the doc fragment alibabacloud.ens.common."""
    return dict(
        access_key_id=dict(type="str", fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"])),
        access_key_secret=dict(type="str", no_log=True,
                               fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"])),
        security_token=dict(type="str", no_log=True,
                            fallback=(env_fallback, ["ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"])),
        region_id=dict(type="str", fallback=(env_fallback, ["ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"])),
        endpoint=dict(type="str", fallback=(env_fallback, ["ALIBABA_CLOUD_ENS_ENDPOINT"])),
        api_retries=dict(type="int", fallback=(env_fallback, ["ALIBABA_CLOUD_ENS_API_RETRIES"])),
        api_retry_max_seconds=dict(type="int", fallback=(env_fallback, ["ALIBABA_CLOUD_ENS_API_RETRY_MAX_SECONDS"])),
        connect_timeout=dict(type="int", fallback=(env_fallback, ["ALIBABA_CLOUD_ENS_CONNECT_TIMEOUT"])),
        read_timeout=dict(type="int", fallback=(env_fallback, ["ALIBABA_CLOUD_ENS_READ_TIMEOUT"])),
        allow_insecure_http=dict(type="bool", default=False,
                                 fallback=(env_fallback, ["ALIBABA_CLOUD_ENS_ALLOW_INSECURE_HTTP"])),
    )


def _redact(endpoint):
    """The endpoint as it may be shown: user info (a password) is never echoed."""
    value = endpoint.strip()
    scheme, sep, rest = value.rpartition("://") if "://" in value else ("", "", value)
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        rest = "***@" + rest[len(authority.rsplit("@", 1)[0]) + 1:]
    return "%s%s%s" % (scheme, sep, rest)


def parse_endpoint(endpoint):
    """Split 'http://host:port', 'https://host' or a bare host into (host[:port], protocol).

    Anything else is refused: a path, a query or fragment (the SDK would append the API parameters after
    them and the server would never see them), user info, or a port that is not 1-65535.
    """
    shown = _redact(endpoint)
    value = endpoint.strip()
    protocol = "https"
    if "://" in value:
        protocol, value = value.split("://", 1)
        protocol = protocol.lower()
        if protocol not in ("http", "https"):
            raise ValueError("endpoint %r: the scheme must be http or https" % shown)
    value = value.rstrip("/") if value.endswith("/") and "?" not in value and "#" not in value else value
    for char, what in (("?", "a query (?...)"), ("#", "a fragment (#...)"), ("@", "user info (user@...)")):
        if char in value:
            raise ValueError("endpoint %r: %s is not allowed; expected http://host:port, https://host or a bare "
                             "host name" % (shown, what))
    if not value or "/" in value or any(c.isspace() for c in value):
        raise ValueError("endpoint %r: expected http://host:port, https://host or a bare host name" % shown)
    host, port = split_host_port(value, shown)
    if port is not None and not (port.isdigit() and port.isascii() and 1 <= int(port) <= 65535):
        raise ValueError("endpoint %r: the port must be a number from 1 to 65535" % shown)
    if not host:
        raise ValueError("endpoint %r: no host name" % shown)
    return value, protocol


def split_host_port(value, shown):
    if value.startswith("["):  # an IPv6 literal: [::1]:8080
        end = value.find("]")
        if end < 0:
            raise ValueError("endpoint %r: unclosed [ of an IPv6 address" % shown)
        rest = value[end + 1:]
        if rest and not rest.startswith(":"):
            raise ValueError("endpoint %r: expected [address]:port" % shown)
        return value[1:end], (rest[1:] if rest else None)
    if value.count(":") > 1:
        raise ValueError("endpoint %r: write an IPv6 address in brackets, as [::1]:8080" % shown)
    host, sep, port = value.partition(":")
    return host, (port if sep else None)


def is_loopback(host):
    """True for localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    import ipaddress
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
