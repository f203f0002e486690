# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ENS API access: one client built from the shared options, one thin wrapper per API action.

Private to the collection: no compatibility promise outside it.
"""

from __future__ import annotations

import contextlib
import json
import random

from ansible.module_utils.basic import env_fallback

try:
    import tenacity
except ImportError:  # reported by the module with missing_required_lib
    tenacity = None

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import (
    EnsApiError,
    EnsMissingLibrary,
    describe_sdk_error,
)

SDK_PACKAGE = "alibabacloud-ens20171110"
CENTRAL_ENDPOINT = "ens.aliyuncs.com"
PAGE_SIZE = 50
MAX_IDS_PER_CALL = 100

DEFAULT_API_RETRIES = 8
DEFAULT_API_RETRY_MAX_SECONDS = 120
DEFAULT_CONNECT_TIMEOUT = 5
DEFAULT_READ_TIMEOUT = 15
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_CAP_SECONDS = 8.0

# Error codes that prove a mutating call was refused because of the resource's current state:
# after a lost answer, such a refusal may just mean that our first call landed.
STATE_CONFLICT_CODES = frozenset((
    "InvalidOperation.InvalidEniStatus",
    "InvalidOperation.InvalidEnsStatus",
    "IncorrectInstanceStatus",
))


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
    )


def parse_endpoint(endpoint):
    """Split 'http://host:port', 'https://host' or a bare host into (host[:port], protocol)."""
    value = endpoint.strip()
    protocol = "https"
    if "://" in value:
        protocol, value = value.split("://", 1)
        protocol = protocol.lower()
        if protocol not in ("http", "https"):
            raise ValueError("endpoint %r: the scheme must be http or https" % endpoint)
    value = value.rstrip("/")
    if not value or "/" in value:
        raise ValueError("endpoint %r: expected http://host:port, https://host or a bare host name" % endpoint)
    return value, protocol


class RetryPolicy:
    """Bounds for retrying one API call after a transient error."""

    def __init__(self, attempts=DEFAULT_API_RETRIES + 1, max_seconds=DEFAULT_API_RETRY_MAX_SECONDS,
                 base=BACKOFF_BASE_SECONDS, cap=BACKOFF_CAP_SECONDS, sleep=None):
        self.attempts = max(1, attempts)
        self.max_seconds = max_seconds
        self.base = base
        self.cap = cap
        self.sleep = sleep

    def backoff(self, retry_state):
        """Exponential backoff with full jitter; a server's retry-after is a floor."""
        ceiling = min(self.cap, self.base * (2 ** (retry_state.attempt_number - 1)))
        delay = random.uniform(0, ceiling)
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        if isinstance(error, EnsApiError) and error.retry_after:
            delay = max(delay, error.retry_after)
        return delay

    def retrying(self, should_retry):
        kwargs = {}
        if self.sleep is not None:
            kwargs["sleep"] = self.sleep
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(should_retry),
            wait=self.backoff,
            stop=tenacity.stop_after_attempt(self.attempts) | tenacity.stop_after_delay(self.max_seconds),
            reraise=True,
            **kwargs
        )


def _is_transient(error):
    return isinstance(error, EnsApiError) and error.transient


def _gave_up(error, retrying):
    """A transient error that outlasted the retries says so: the user sees the attempts and the time spent."""
    attempts = retrying.statistics.get("attempt_number", 1)
    if error.transient and attempts > 1:
        error.message += " (gave up after %d attempts in %.0f s: see api_retries and api_retry_max_seconds)" % (
            attempts, retrying.statistics.get("delay_since_first_attempt", 0.0))
        error.args = (error.message,)
    return error


class EnsApi:
    """Thin wrappers, one per ENS action: each retries transient errors and raises only EnsApiError."""

    def __init__(self, client, endpoint, retry_policy=None):
        self._client = client
        self.endpoint = endpoint
        self.retry_policy = retry_policy or RetryPolicy()
        self.last_request_id = {}
        self._models = None
        self._polling = 0

    @classmethod
    def from_params(cls, params):
        """Build the official SDK client from the shared module options."""
        if tenacity is None:
            raise EnsMissingLibrary("tenacity")
        try:
            # Imported here: the SDK costs about 0.4 s, paid only by runs that call the API.
            from alibabacloud_ens20171110.client import Client
            from alibabacloud_tea_openapi.utils_models import Config
        except ImportError as exc:
            raise EnsMissingLibrary(SDK_PACKAGE, exc)

        endpoint = params.get("endpoint")
        region_id = params.get("region_id")
        config = Config(
            connect_timeout=1000 * (params.get("connect_timeout") or DEFAULT_CONNECT_TIMEOUT),
            read_timeout=1000 * (params.get("read_timeout") or DEFAULT_READ_TIMEOUT),
            user_agent="alibabacloud.ens-ansible-collection",
        )
        if endpoint:
            try:
                config.endpoint, config.protocol = parse_endpoint(endpoint)
            except ValueError as exc:
                raise EnsApiError("Invalid option endpoint: %s" % exc, code="InvalidParameter.Endpoint")
            display_endpoint = "%s://%s" % (config.protocol, config.endpoint)
        else:
            config.region_id = region_id
            if not region_id:
                config.endpoint = CENTRAL_ENDPOINT
            display_endpoint = None

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
        return cls(client, display_endpoint, policy)

    @property
    def models(self):
        if self._models is None:
            from alibabacloud_ens20171110 import models
            self._models = models
        return self._models

    # -- plumbing -------------------------------------------------------------------------------

    def _send(self, action, doing, resource, call):
        """One SDK call; every SDK error becomes an EnsApiError naming what was being done."""
        try:
            response = call()
        except Exception as exc:  # SDK errors have no common base beyond Exception
            raise describe_sdk_error(exc, action=action, doing=doing, resource=resource, endpoint=self.endpoint)
        body = response.body.to_map() if response.body is not None else {}
        self.last_request_id[action] = body.get("RequestId")
        return body

    @contextlib.contextmanager
    def polling(self):
        """Reads inside are one attempt each: a failed poll is "not yet" and the waiter's deadline rules."""
        self._polling += 1
        try:
            yield self
        finally:
            self._polling -= 1

    def _read(self, action, doing, resource, call):
        """A read: safe to resend after any transient error (but not while polling, see polling())."""
        if self._polling:
            return self._send(action, doing, resource, call)
        retrying = self.retry_policy.retrying(_is_transient)
        try:
            return retrying(self._send, action, doing, resource, call)
        except EnsApiError as error:
            raise _gave_up(error, retrying)

    def _mutate(self, action, doing, resource, call, landed):
        """A mutating call that survives lost answers.

        Only throttling and refused connections are resent blindly. After any other transient error the
        answer may have been lost while the change happened, so the resource is re-read first: if
        `landed()` says the change happened or is under way, the call counts as done. A resent call
        refused for the resource's state is judged by re-reading too, never from the error alone.
        Returns the request id of the call that made the change (or of the lost answer).
        """
        retrying = self.retry_policy.retrying(_is_transient)
        lost_request_id = None
        try:
            for attempt in retrying:
                with attempt:
                    try:
                        return self._send(action, doing, resource, call).get("RequestId")
                    except EnsApiError as error:
                        if error.transient and error.maybe_applied:
                            lost_request_id = error.request_id or ""
                            if self._landed(landed):
                                return lost_request_id
                        elif error.code in STATE_CONFLICT_CODES and lost_request_id is not None and self._landed(landed):
                            return lost_request_id
                        raise
        except EnsApiError as error:
            raise _gave_up(error, retrying)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    @staticmethod
    def _landed(landed):
        try:
            return landed()
        except EnsApiError as error:
            if error.transient:
                return False
            raise

    # -- reads -------------------------------------------------------------------------------------

    def describe_network_interfaces(self, network_interface_ids=None, **filters):
        """Every ENI matching the filters, following every page; ids are sent at most 100 per call."""
        base = {k: v for k, v in filters.items() if v is not None}
        if network_interface_ids is None:
            return self._describe_eni_pages(base, "all ENIs matching %s" % (base or "no filter"))
        found = []
        ids = list(network_interface_ids)
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            chunk = ids[start:start + MAX_IDS_PER_CALL]
            found.extend(self._describe_eni_pages(dict(base, network_interface_ids=chunk), ", ".join(chunk)))
        return found

    def _describe_eni_pages(self, request_args, resource):
        items = []
        page = 1
        while True:
            request = self.models.DescribeNetworkInterfacesRequest(page_number=page, page_size=PAGE_SIZE, **request_args)
            body = self._read("DescribeNetworkInterfaces", "describe ENIs", resource,
                              lambda request=request: self._client.describe_network_interfaces(request))
            batch = ((body.get("NetworkInterfaceSets") or {}).get("NetworkInterfaceSet")) or []
            items.extend(batch)
            total = int(body.get("TotalCount") or 0)
            if not batch or len(items) >= total:
                return items
            page += 1

    def describe_instances(self, instance_ids=None, **filters):
        """Every instance matching the filters, following every page."""
        base = {k: v for k, v in filters.items() if v is not None}
        if instance_ids is None:
            return self._describe_instance_pages(base, "all instances matching %s" % (base or "no filter"))
        found = []
        ids = list(instance_ids)
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            chunk = ids[start:start + MAX_IDS_PER_CALL]
            args = dict(base, instance_id=chunk[0]) if len(chunk) == 1 else dict(base, instance_ids=json.dumps(chunk))
            found.extend(self._describe_instance_pages(args, ", ".join(chunk)))
        return found

    def _describe_instance_pages(self, request_args, resource):
        items = []
        page = 1
        while True:
            request = self.models.DescribeInstancesRequest(page_number=page, page_size=PAGE_SIZE, **request_args)
            body = self._read("DescribeInstances", "describe instances", resource,
                              lambda request=request: self._client.describe_instances(request))
            batch = ((body.get("Instances") or {}).get("Instance")) or []
            items.extend(batch)
            total = int(body.get("TotalCount") or 0)
            if not batch or len(items) >= total:
                return items
            page += 1

    def _eni_status(self, network_interface_id):
        found = self.describe_network_interfaces([network_interface_id])
        return found[0] if found else {}

    def _instance_status(self, instance_id):
        found = self.describe_instances([instance_id])
        return found[0].get("Status") if found else None

    # -- mutations ---------------------------------------------------------------------------------

    def attach_network_interface(self, instance_id, network_interface_id):
        def landed():
            eni = self._eni_status(network_interface_id)
            return eni.get("Status") in ("Attaching", "InUse") and eni.get("InstanceId") == instance_id

        request = self.models.AttachNetworkInterfaceRequest(instance_id=instance_id, network_interface_id=network_interface_id)
        return self._mutate(
            "AttachNetworkInterface", "attach ENI %s to instance %s" % (network_interface_id, instance_id),
            network_interface_id, lambda: self._client.attach_network_interface(request), landed)

    def detach_network_interface(self, network_interface_id, instance_id=None):
        def landed():
            return self._eni_status(network_interface_id).get("Status") in ("Detaching", "Available")

        request = self.models.DetachNetworkInterfaceRequest(network_interface_id=network_interface_id)
        doing = "detach ENI %s" % network_interface_id + (" from instance %s" % instance_id if instance_id else "")
        return self._mutate("DetachNetworkInterface", doing, network_interface_id,
                            lambda: self._client.detach_network_interface(request), landed)

    def stop_instance(self, instance_id, force_stop=False):
        request = self.models.StopInstanceRequest(instance_id=instance_id, force_stop="true" if force_stop else "false")
        return self._mutate(
            "StopInstance", "stop instance %s" % instance_id, instance_id,
            lambda: self._client.stop_instance(request),
            lambda: self._instance_status(instance_id) in ("Stopping", "Stopped"))

    def start_instance(self, instance_id):
        request = self.models.StartInstanceRequest(instance_id=instance_id)
        return self._mutate(
            "StartInstance", "start instance %s" % instance_id, instance_id,
            lambda: self._client.start_instance(request),
            lambda: self._instance_status(instance_id) in ("Starting", "Running"))

    def reboot_instance(self, instance_id, force_stop=False):
        # A lost reboot answer cannot be told apart from no reboot once the instance is back: not verified.
        request = self.models.RebootInstanceRequest(instance_id=instance_id, force_stop="true" if force_stop else "false")
        return self._mutate(
            "RebootInstance", "reboot instance %s" % instance_id, instance_id,
            lambda: self._client.reboot_instance(request),
            lambda: self._instance_status(instance_id) in ("Stopping", "Stopped", "Starting"))


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
