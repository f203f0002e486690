# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Building the official SDK client from the shared options: endpoint, credentials, timeouts, retry bounds."""

from __future__ import annotations

try:
    import tenacity
except ImportError:  # reported by the module with missing_required_lib
    tenacity = None

from ansible_collections.alibabacloud.ens.plugins.module_utils import _transport
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError, EnsMissingLibrary
from ansible_collections.alibabacloud.ens.plugins.module_utils._options import (
    CENTRAL_ENDPOINT,
    DEFAULT_API_RETRIES,
    DEFAULT_API_RETRY_MAX_SECONDS,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    SDK_PACKAGE,
    is_loopback,
    parse_endpoint,
    split_host_port,
)
from ansible_collections.alibabacloud.ens.plugins.module_utils._retry import RetryPolicy


def connect(params, warn=None):
    """The SDK client for the shared module options: (client, endpoint as shown, RetryPolicy, seconds per call).

    `warn(text)` reports warnings.
    """
    if tenacity is None:
        raise EnsMissingLibrary("tenacity")
    try:
        # Imported here: the SDK costs about 0.4 s, paid only by runs that call the API.
        from alibabacloud_ens20171110.client import Client
        from alibabacloud_tea_openapi.utils_models import Config
    except ImportError as exc:
        raise EnsMissingLibrary(SDK_PACKAGE, exc)

    if not _transport.install():
        raise EnsApiError(
            "The installed darabonba-core has no DaraCore._get_session: the transport guards (a wall-clock "
            "bound per call, no redirects) cannot be installed; use darabonba-core 1.0.x",
            code="UnsupportedSdk")

    region_id = params.get("region_id")
    connect_timeout = params.get("connect_timeout") or DEFAULT_CONNECT_TIMEOUT
    read_timeout = params.get("read_timeout") or DEFAULT_READ_TIMEOUT
    config = Config(
        connect_timeout=1000 * connect_timeout,
        read_timeout=1000 * read_timeout,
        user_agent="alibabacloud.ens-ansible-collection",
    )
    display_endpoint = _set_endpoint(config, params, warn)
    _set_credentials(config, params)

    try:
        client = Client(config)
    except Exception as exc:  # the SDK raises plain RuntimeError/ValueError for bad config
        raise EnsApiError("Cannot build the ENS client: %s" % exc, code="InvalidConfiguration")
    if display_endpoint is None:
        # ENS is served centrally: a zone such as cn-tianjin-cmcc given as region_id (the inventory's
        # ens_region_id) would make the SDK build a host that does not exist, so use its own map or the centre.
        endpoint_map = getattr(client, "_endpoint_map", None) or {}
        if region_id and region_id not in endpoint_map:
            client._endpoint = CENTRAL_ENDPOINT  # pylint: disable=protected-access
        display_endpoint = "https://%s" % client._endpoint  # pylint: disable=protected-access
    attempts = params.get("api_retries")
    max_seconds = params.get("api_retry_max_seconds")
    policy = RetryPolicy(
        attempts=(DEFAULT_API_RETRIES if attempts is None else attempts) + 1,
        max_seconds=DEFAULT_API_RETRY_MAX_SECONDS if max_seconds is None else max_seconds,
    )
    # Each HTTP attempt, whatever the socket does (a trickled answer never trips the read timeout).
    return client, display_endpoint, policy, connect_timeout + read_timeout


def _set_endpoint(config, params, warn):
    """Point `config` at the endpoint option (checked) or the region; returns the endpoint as shown, or None
    when the SDK picks it from the region."""
    endpoint = params.get("endpoint")
    if not endpoint:
        config.region_id = params.get("region_id")
        if not config.region_id:
            config.endpoint = CENTRAL_ENDPOINT
        return None
    try:
        config.endpoint, config.protocol = parse_endpoint(endpoint)
    except ValueError as exc:
        raise EnsApiError("Invalid option endpoint: %s" % exc, code="InvalidParameter.Endpoint")
    display_endpoint = "%s://%s" % (config.protocol, config.endpoint)
    if config.protocol == "http" and not is_loopback(split_host_port(config.endpoint, display_endpoint)[0]):
        if not params.get("allow_insecure_http"):
            raise EnsApiError(
                "Invalid option endpoint: %s is plain http to a host that is not this machine: the signed "
                "requests and the STS token would cross the network in clear text. Use https://, or set "
                "allow_insecure_http: true (or ALIBABA_CLOUD_ENS_ALLOW_INSECURE_HTTP=true) to accept that"
                % display_endpoint, code="InvalidParameter.InsecureEndpoint")
        if warn is not None:
            warn("endpoint %s is plain http (allow_insecure_http is set): signed requests and any STS token "
                 "cross the network in clear text" % display_endpoint)
    return display_endpoint


def _set_credentials(config, params):
    """The access key given in the options, or else the SDK's default credential chain."""
    access_key_id = params.get("access_key_id")
    access_key_secret = params.get("access_key_secret")
    if access_key_id or access_key_secret:
        if not (access_key_id and access_key_secret):
            missing = "access_key_secret" if access_key_id else "access_key_id"
            raise EnsApiError(
                "Incomplete credentials: %s is set but %s is not (nor its environment variables)"
                % ("access_key_id" if access_key_id else "access_key_secret", missing),
                code="MissingCredentials")
        config.access_key_id = access_key_id
        config.access_key_secret = access_key_secret
        config.security_token = params.get("security_token") or None
    else:
        config.credential = _default_credential_chain()


def _default_credential_chain():
    """The SDK's default chain: environment, OIDC, CLI profile, credentials file, ECS RAM role."""
    try:
        from alibabacloud_credentials.client import Client as CredentialClient
    except ImportError as exc:
        raise EnsMissingLibrary("alibabacloud-credentials", exc)
    try:
        return CredentialClient()
    except Exception as exc:  # the chain raises CredentialException, or ValueError on bad profile files
        raise EnsApiError(
            "No credentials: set access_key_id and access_key_secret (or ALIBABA_CLOUD_ACCESS_KEY_ID and "
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET), or configure the Alibaba Cloud credential chain: %s" % exc,
            code="MissingCredentials")
