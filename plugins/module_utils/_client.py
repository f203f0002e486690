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
import time

from ansible.module_utils.basic import env_fallback

try:
    import tenacity
except ImportError:  # reported by the module with missing_required_lib
    tenacity = None

from ansible_collections.alibabacloud.ens.plugins.module_utils import _transport
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import (
    SUCCESS_BODY_CODES,
    EnsApiError,
    EnsMissingLibrary,
    body_code_error,
    describe_sdk_error,
    is_throttling,
    request_id_of,
    shape_error,
    timeout_error,
)

SDK_PACKAGE = "alibabacloud-ens20171110"
CENTRAL_ENDPOINT = "ens.aliyuncs.com"
PAGE_SIZE = 50
MAX_IDS_PER_CALL = 100
# A listing stops with an error past this many pages (50,000 items): a TotalCount that never ends.
MAX_PAGES = 1000

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
    host, port = _split_host_port(value, shown)
    if port is not None and not (port.isdigit() and port.isascii() and 1 <= int(port) <= 65535):
        raise ValueError("endpoint %r: the port must be a number from 1 to 65535" % shown)
    if not host:
        raise ValueError("endpoint %r: no host name" % shown)
    return value, protocol


def _split_host_port(value, shown):
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


class Pacer:
    """Spaces every API call of a run evenly under a ceiling of calls per second, and counts them.

    A throttled answer halves the pace (down to one call a second); each answer that is not throttled wins back a
    twentieth of the ceiling. The spacing aims 5% under the ceiling, so that no calendar second as the API counts it
    (answers arrive with jitter) gets more calls than the ceiling. No ceiling: calls are only counted.
    """

    MARGIN = 1.05

    def __init__(self, ceiling=None, clock=None, sleep=None, wall=None):
        self.ceiling = ceiling if ceiling and ceiling > 0 else None
        self.rate = self.ceiling
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.wall = wall or time.time
        self.next_at = 0.0
        self.calls = 0
        self.throttled = 0
        self.busiest_second = 0
        self._second = None
        self._in_second = 0

    def before_call(self):
        """Wait for the call's turn, then count it."""
        if self.rate:
            now = self.clock()
            if now < self.next_at:
                self.sleep(self.next_at - now)
                now = self.clock()
            self.next_at = max(now, self.next_at) + self.MARGIN / self.rate
        self.calls += 1
        second = int(self.wall())
        self._in_second = self._in_second + 1 if second == self._second else 1
        self._second = second
        self.busiest_second = max(self.busiest_second, self._in_second)

    def after_answer(self, throttled):
        if throttled:
            self.throttled += 1
            if self.rate:
                self.rate = max(min(1.0, self.ceiling), self.rate / 2.0)
        elif self.rate and self.rate < self.ceiling:
            self.rate = min(self.ceiling, self.rate + self.ceiling / 20.0)

    def as_dict(self):
        return {"calls": self.calls, "throttled": self.throttled, "busiest_second": self.busiest_second,
                "max_calls_per_second": self.ceiling}


class RetryPolicy:
    """Bounds for retrying one API call after a transient error.

    `attempts` bounds the attempts after errors other than throttling; throttling is refused at the gateway
    (resending is safe) and is bounded by `max_seconds` alone, honouring the server's retry-after.
    """

    def __init__(self, attempts=DEFAULT_API_RETRIES + 1, max_seconds=DEFAULT_API_RETRY_MAX_SECONDS,
                 base=BACKOFF_BASE_SECONDS, cap=BACKOFF_CAP_SECONDS, sleep=None):
        self.attempts = max(1, attempts)
        self.max_seconds = max_seconds
        self.base = base
        self.cap = cap
        self.sleep = sleep

    def backoff(self, retry_state):
        """Exponential backoff with full jitter; a server's retry-after is a floor; never past max_seconds."""
        ceiling = min(self.cap, self.base * (2 ** min(retry_state.attempt_number - 1, 20)))
        delay = random.uniform(0, ceiling)
        error = _last_error(retry_state)
        if isinstance(error, EnsApiError) and error.retry_after:
            delay = max(delay, error.retry_after)
        return max(0.0, min(delay, self.max_seconds - (retry_state.seconds_since_start or 0.0)))

    def should_stop(self, retry_state):
        elapsed = retry_state.seconds_since_start or 0.0
        if elapsed >= self.max_seconds:
            return True
        error = _last_error(retry_state)
        if isinstance(error, EnsApiError) and is_throttling(error.code):
            # A retry-after past the budget cannot be honoured: stop now rather than call too early.
            return bool(error.retry_after) and elapsed + error.retry_after > self.max_seconds
        return retry_state.attempt_number >= self.attempts

    def retrying(self, should_retry):
        kwargs = {}
        if self.sleep is not None:
            kwargs["sleep"] = self.sleep
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(should_retry),
            wait=self.backoff,
            stop=self.should_stop,
            reraise=True,
            **kwargs
        )


def _last_error(retry_state):
    outcome = retry_state.outcome
    return outcome.exception() if outcome is not None and outcome.failed else None


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

    def __init__(self, client, endpoint, retry_policy=None, call_seconds=DEFAULT_CONNECT_TIMEOUT + DEFAULT_READ_TIMEOUT):
        self._client = client
        self.endpoint = endpoint
        self.retry_policy = retry_policy or RetryPolicy()
        self.call_seconds = call_seconds
        self.last_request_id = {}
        self.last_answer = {}  # action -> body of its last successful answer (the batch calls read theirs)
        self.pacer = Pacer()
        self._models = None
        self._polling = 0

    @classmethod
    def from_params(cls, params, warn=None):
        """Build the official SDK client from the shared module options; `warn(text)` reports warnings."""
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

        endpoint = params.get("endpoint")
        region_id = params.get("region_id")
        connect_timeout = params.get("connect_timeout") or DEFAULT_CONNECT_TIMEOUT
        read_timeout = params.get("read_timeout") or DEFAULT_READ_TIMEOUT
        config = Config(
            connect_timeout=1000 * connect_timeout,
            read_timeout=1000 * read_timeout,
            user_agent="alibabacloud.ens-ansible-collection",
        )
        if endpoint:
            try:
                config.endpoint, config.protocol = parse_endpoint(endpoint)
            except ValueError as exc:
                raise EnsApiError("Invalid option endpoint: %s" % exc, code="InvalidParameter.Endpoint")
            display_endpoint = "%s://%s" % (config.protocol, config.endpoint)
            if config.protocol == "http" and not is_loopback(_split_host_port(config.endpoint, display_endpoint)[0]):
                if not params.get("allow_insecure_http"):
                    raise EnsApiError(
                        "Invalid option endpoint: %s is plain http to a host that is not this machine: the signed "
                        "requests and the STS token would cross the network in clear text. Use https://, or set "
                        "allow_insecure_http: true (or ALIBABA_CLOUD_ENS_ALLOW_INSECURE_HTTP=true) to accept that"
                        % display_endpoint, code="InvalidParameter.InsecureEndpoint")
                if warn is not None:
                    warn("endpoint %s is plain http (allow_insecure_http is set): signed requests and any STS token "
                         "cross the network in clear text" % display_endpoint)
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
        # Each HTTP attempt, whatever the socket does (a trickled answer never trips the read timeout).
        return cls(client, display_endpoint, policy, call_seconds=connect_timeout + read_timeout)

    @property
    def models(self):
        if self._models is None:
            from alibabacloud_ens20171110 import models
            self._models = models
        return self._models

    # -- plumbing -------------------------------------------------------------------------------

    def _send(self, action, doing, resource, call):
        """One SDK call, bounded in wall-clock time; every failure becomes an EnsApiError naming what was being done.

        An HTTP 200 answer whose body Code is not a success is an error carrying that code.
        """
        self.pacer.before_call()
        try:
            exchange = _transport.run_bounded(call, self.call_seconds)
        except _transport.CallTimedOut as timed_out:
            self.pacer.after_answer(False)
            raise timeout_error(action, doing, resource, self.endpoint, timed_out.exchange)
        if exchange.error is not None:
            error = describe_sdk_error(exchange.error, action=action, doing=doing, resource=resource,
                                       endpoint=self.endpoint, exchange=exchange)
            self.pacer.after_answer(is_throttling(error.code))
            raise error
        self.pacer.after_answer(False)
        response = exchange.result
        if exchange.body is not None and exchange.body.lstrip()[:1] != b"{":
            # The SDK reads [] or "" as an empty answer: only an object is one.
            raw = _transport.json_body(exchange.body)
            raise shape_error("the body is %s, not a JSON object" % type(raw).__name__, action, doing, resource, None)
        if response.__dict__.get("_map") is not None or response.body is None:
            # The SDK could not map the answer to its model (it swallows that): judge what the server sent.
            body = _transport.json_body(exchange.body)
        else:
            body = response.body.to_map()
        if not isinstance(body, dict):
            raise shape_error("the body is %s, not a JSON object" % type(body).__name__, action, doing, resource, None)
        request_id = request_id_of(body.get("RequestId"))
        self.last_request_id[action] = request_id
        if body.get("Code") not in SUCCESS_BODY_CODES:
            raise body_code_error(body, action, doing, resource)
        self.last_answer[action] = body
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

        Only throttling and refused connections are resent blindly. After any other transient error
        (5xx, ens.interface.error, a timeout) the answer may have been lost while the change happened, so the
        resource is re-read: if `landed()` says the change happened or is under way, the call counts as done;
        it is read again just before any resend (after the backoff, when a lagging view may have caught up).
        A resent call refused for the resource's state is judged by re-reading too, never from the error alone.
        Returns the request id of the call that made the change (or of the lost answer).
        """
        retrying = self.retry_policy.retrying(_is_transient)
        lost_request_id = None
        try:
            for attempt in retrying:
                with attempt:
                    if lost_request_id is not None and attempt.retry_state.attempt_number > 1 and self._landed(landed):
                        return lost_request_id
                    try:
                        return request_id_of(self._send(action, doing, resource, call).get("RequestId"))
                    except EnsApiError as error:
                        if error.transient and error.maybe_applied:
                            lost_request_id = lost_request_id or error.request_id or ""
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
            found.extend(self._describe_eni_pages(dict(base, network_interface_ids=chunk), ", ".join(chunk), len(chunk)))
        return found

    def _describe_eni_pages(self, request_args, resource, page_size=PAGE_SIZE):
        # A read by ids asks for all of them (at most 100) in one page; TotalCount is followed all the same.
        def page(number):
            request = self.models.DescribeNetworkInterfacesRequest(page_number=number, page_size=max(PAGE_SIZE, page_size),
                                                                   **request_args)
            return self._read("DescribeNetworkInterfaces", "describe ENIs", resource,
                              lambda: self._client.describe_network_interfaces(request))
        return self._pages("DescribeNetworkInterfaces", "describe ENIs", resource, page,
                           ("NetworkInterfaceSets", "NetworkInterfaceSet"), "NetworkInterfaceId")

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
            found.extend(self._describe_instance_pages(args, ", ".join(chunk), len(chunk)))
        return found

    def _describe_instance_pages(self, request_args, resource, page_size=PAGE_SIZE):
        def page(number):
            request = self.models.DescribeInstancesRequest(page_number=number, page_size=max(PAGE_SIZE, page_size),
                                                           **request_args)
            return self._read("DescribeInstances", "describe instances", resource,
                              lambda: self._client.describe_instances(request))
        return self._pages("DescribeInstances", "describe instances", resource, page, ("Instances", "Instance"),
                           "InstanceId")

    def _pages(self, action, doing, resource, fetch, path, id_key):
        """Every item of a paged listing, each once, checked for shape.

        Items are told apart by `id_key`. A page may repeat a few items of the previous one (an item created
        between two calls shifts the pages): those are dropped. A page that brings nothing new while
        TotalCount says more are left, or more than MAX_PAGES pages, is an error: the listing cannot be
        complete, and a partial list must not pass for the whole.
        """
        items = []
        seen = set()
        number = 1
        while True:
            body = fetch(number)
            request_id = request_id_of(body.get("RequestId"))

            def refuse(problem):
                return shape_error(problem, action, "%s, page %d" % (doing, number), resource, request_id)

            total = body.get("TotalCount")
            if isinstance(total, str) and total.strip().isdigit():
                total = int(total)
            if isinstance(total, bool) or not isinstance(total, int) or total < 0:
                raise refuse("TotalCount is %s, not a count" % ("missing" if total is None else repr(total)[:60]))
            batch = _items(body, path, refuse)
            new = 0
            for index, item in enumerate(batch):
                if not isinstance(item, dict):
                    raise refuse("%s.%s[%d] is %s, not an object" % (path[0], path[1], index, type(item).__name__))
                for key in (id_key, "Status"):
                    if not isinstance(item.get(key), str) or not item.get(key):
                        raise refuse("%s.%s[%d] has no %s" % (path[0], path[1], index, key))
                odd = _odd_nested_field(item)
                if odd:
                    raise refuse("%s.%s[%d].%s" % (path[0], path[1], index, odd))
                if item[id_key] not in seen:
                    seen.add(item[id_key])
                    items.append(item)
                    new += 1
            if len(items) >= total or not batch:
                return items
            if not new:
                raise refuse("page %d repeats items of earlier pages and brings nothing new, while TotalCount %d "
                             "promises more than the %d items read: the listing cannot be completed"
                             % (number, total, len(items)))
            if number >= MAX_PAGES:
                raise refuse("TotalCount %d needs more than %d pages of %d: refusing to read further"
                             % (total, MAX_PAGES, PAGE_SIZE))
            number += 1

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

    def stop_instances(self, instance_ids):
        """StopInstances (a clean stop: it has no ForceStop) for up to 100 instances:
        (request id, {instance id: None or the EnsApiError refusing it})."""
        request = self.models.StopInstancesRequest(instance_ids=list(instance_ids))
        return self._batch_power("StopInstances", "stop instances", instance_ids, lambda: self._client.stop_instances(request),
                                 ("Stopping", "Stopped"))

    def start_instances(self, instance_ids):
        """StartInstances for up to 100 instances: (request id, {instance id: None or the EnsApiError refusing it})."""
        request = self.models.StartInstancesRequest(instance_ids=list(instance_ids))
        return self._batch_power("StartInstances", "start instances", instance_ids, lambda: self._client.start_instances(request),
                                 ("Starting", "Running"))

    def _batch_power(self, action, doing, instance_ids, call, landed_statuses):
        resource = ", ".join(instance_ids)

        def landed():
            return all(item.get("Status") in landed_statuses for item in self.describe_instances(instance_ids))

        self.last_answer.pop(action, None)
        request_id = self._mutate(action, "%s %s" % (doing, resource), resource, call, landed)
        body = self.last_answer.pop(action, None)
        if body is None:  # a lost answer that the read-back saw land for every instance
            return request_id, dict((instance_id, None) for instance_id in instance_ids)
        return request_id, _instance_responses(body, action, doing, instance_ids, request_id)

    def reboot_instance(self, instance_id, force_stop=False):
        # A lost reboot answer cannot be told apart from no reboot once the instance is back: not verified.
        request = self.models.RebootInstanceRequest(instance_id=instance_id, force_stop="true" if force_stop else "false")
        return self._mutate(
            "RebootInstance", "reboot instance %s" % instance_id, instance_id,
            lambda: self._client.reboot_instance(request),
            lambda: self._instance_status(instance_id) in ("Stopping", "Stopped", "Starting"))


def _instance_responses(body, action, doing, instance_ids, request_id):
    """Each instance's answer in a batch power call: None when it was accepted, else the error refusing it.

    An instance the answer does not mention is taken as accepted: the reads that follow judge it.
    """
    outcome = dict((instance_id, None) for instance_id in instance_ids)
    responses = body.get("InstanceResponses")
    if isinstance(responses, dict):  # some ENS answers wrap lists one level deeper
        responses = responses.get("InstanceResponse")
    if responses is None:
        return outcome
    if not isinstance(responses, list):
        raise shape_error("InstanceResponses is %s, not a list" % type(responses).__name__, action, doing,
                          ", ".join(instance_ids), request_id)
    for item in responses:
        if not isinstance(item, dict) or item.get("InstanceId") not in outcome:
            continue
        code = item.get("Code")
        if code in SUCCESS_BODY_CODES:
            continue
        code = str(code)
        outcome[item["InstanceId"]] = EnsApiError(
            "%s refused instance %s: %s (error code %s, request id %s)"
            % (action, item["InstanceId"], item.get("Message") or "no message", code, request_id or "none"),
            code=code, request_id=request_id, action=action, resource=item["InstanceId"],
            transient=is_throttling(code), maybe_applied=False)
    return outcome


def _items(body, path, refuse):
    """The list at body[path[0]][path[1]], absent meaning empty; any other shape is refused."""
    outer = body.get(path[0])
    if outer is None:
        return []
    if not isinstance(outer, dict):
        raise refuse("%s is %s, not an object" % (path[0], type(outer).__name__))
    inner = outer.get(path[1])
    if inner is None:
        return []
    if not isinstance(inner, list):
        raise refuse("%s.%s is %s, not a list" % (path[0], path[1], type(inner).__name__))
    return inner


def _odd_nested_field(item):
    """The first nested field of an API object that the modules read and that has the wrong shape, or None."""
    for key in ("NetworkAttributes", "NetworkInterfaces"):
        if item.get(key) is not None and not isinstance(item[key], dict):
            return "%s is %s, not an object" % (key, type(item[key]).__name__)
    attached = (item.get("NetworkInterfaces") or {}).get("NetworkInterfaces")
    if attached is not None and (not isinstance(attached, list) or not all(isinstance(entry, dict) for entry in attached)):
        return "NetworkInterfaces.NetworkInterfaces is not a list of objects"
    return None


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
