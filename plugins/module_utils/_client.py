# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ENS API access: one thin wrapper per API action over the official SDK client.

Private to the collection: no compatibility promise outside it.
"""

from __future__ import annotations

import copy
import json

from ansible_collections.alibabacloud.ens.plugins.module_utils import _transport
from ansible_collections.alibabacloud.ens.plugins.module_utils._connect import connect
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import (
    SUCCESS_BODY_CODES,
    EnsApiError,
    body_code_error,
    describe_sdk_error,
    is_throttling,
    request_id_of,
    shape_error,
    timeout_error,
)
from ansible_collections.alibabacloud.ens.plugins.module_utils._listing import (
    PAGE_SIZE,
    Listing,
    chunks,
    instance_responses,
    read_pages,
)
from ansible_collections.alibabacloud.ens.plugins.module_utils._options import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
from ansible_collections.alibabacloud.ens.plugins.module_utils._retry import Pacer, RetryPolicy, gave_up, is_transient

# Error codes that prove a mutating call was refused because of the resource's current state:
# after a lost answer, such a refusal may just mean that our first call landed.
STATE_CONFLICT_CODES = frozenset((
    "InvalidOperation.InvalidEniStatus",
    "InvalidOperation.InvalidEnsStatus",
    "IncorrectInstanceStatus",
))


class _Describe:
    """One listing action: its SDK request and method, where its items are, and how ids are sent."""

    def __init__(self, action, doing, what, request, method, path, id_key, ids_args):
        self.action = action
        self.doing = doing
        self.what = what
        self.request = request
        self.method = method
        self.path = path
        self.id_key = id_key
        self.ids_args = ids_args


DESCRIBE_ENIS = _Describe(
    "DescribeNetworkInterfaces", "describe ENIs", "ENIs", "DescribeNetworkInterfacesRequest", "describe_network_interfaces",
    ("NetworkInterfaceSets", "NetworkInterfaceSet"), "NetworkInterfaceId",
    lambda chunk: {"network_interface_ids": chunk})
DESCRIBE_INSTANCES = _Describe(
    "DescribeInstances", "describe instances", "instances", "DescribeInstancesRequest", "describe_instances",
    ("Instances", "Instance"), "InstanceId",
    # InstanceIds is a JSON string; one id goes as InstanceId, which every API version knows.
    lambda chunk: {"instance_id": chunk[0]} if len(chunk) == 1 else {"instance_ids": json.dumps(chunk)})


class EnsApi:
    """Thin wrappers, one per ENS action: each retries transient errors and raises only EnsApiError.

    Reads return a Listing (a list with the request id of the read); mutating calls return their request id.
    `for_polls()` gives the same client for a waiter's polls, where every read is one attempt.
    """

    def __init__(self, client, endpoint, retry_policy=None, call_seconds=DEFAULT_CONNECT_TIMEOUT + DEFAULT_READ_TIMEOUT,
                 pacer=None):
        self._client = client
        self.endpoint = endpoint
        self.retry_policy = retry_policy or RetryPolicy()
        self.call_seconds = call_seconds
        self.pacer = pacer or Pacer()
        self.single_attempt = False
        self._models = None

    @classmethod
    def from_params(cls, params, warn=None, pacer=None):
        """The API over the official SDK client built from the shared module options."""
        client, endpoint, policy, call_seconds = connect(params, warn)
        return cls(client, endpoint, policy, call_seconds=call_seconds, pacer=pacer)

    def for_polls(self):
        """This client for a waiter's polls: each read is one attempt, since a failed poll only means "not yet"
        and the waiter's deadline, not the retry policy, decides how long to go on."""
        polls = copy.copy(self)
        polls.single_attempt = True
        return polls

    @property
    def models(self):
        if self._models is None:
            from alibabacloud_ens20171110 import models
            self._models = models
        return self._models

    # -- plumbing -------------------------------------------------------------------------------

    def _send(self, action, doing, resource, call):
        """One SDK call, paced, bounded in wall-clock time; returns the answer's body.

        Every failure becomes an EnsApiError naming what was being done; an HTTP 200 answer whose body Code is
        not a success is an error carrying that code.
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
        if body.get("Code") not in SUCCESS_BODY_CODES:
            raise body_code_error(body, action, doing, resource)
        return body

    def _read(self, action, doing, resource, call):
        """A read: safe to resend after any transient error (one attempt on the client for polls)."""
        if self.single_attempt:
            return self._send(action, doing, resource, call)
        retrying = self.retry_policy.retrying(is_transient)
        try:
            return retrying(self._send, action, doing, resource, call)
        except EnsApiError as error:
            raise gave_up(error, retrying)

    def _mutate(self, action, doing, resource, call, landed):
        """A mutating call that survives lost answers: (request id, the answer's body, or None for a lost answer).

        Only throttling and refused connections are resent blindly. After any other transient error
        (5xx, ens.interface.error, a timeout) the answer may have been lost while the change happened, so the
        resource is re-read: if `landed()` says the change happened or is under way, the call counts as done;
        it is read again just before any resend (after the backoff, when a lagging view may have caught up).
        A resent call refused for the resource's state is judged by re-reading too, never from the error alone.
        """
        retrying = self.retry_policy.retrying(is_transient)
        lost_request_id = None
        try:
            for attempt in retrying:
                with attempt:
                    if lost_request_id is not None and attempt.retry_state.attempt_number > 1 and self._landed(landed):
                        return lost_request_id, None
                    try:
                        body = self._send(action, doing, resource, call)
                        return request_id_of(body.get("RequestId")), body
                    except EnsApiError as error:
                        if error.transient and error.maybe_applied:
                            lost_request_id = lost_request_id or error.request_id or ""
                            if self._landed(landed):
                                return lost_request_id, None
                        elif error.code in STATE_CONFLICT_CODES and lost_request_id is not None and self._landed(landed):
                            return lost_request_id, None
                        raise
        except EnsApiError as error:
            raise gave_up(error, retrying)
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
        """Every ENI matching the filters (a Listing), following every page; ids are sent at most 100 per call."""
        return self._describe(DESCRIBE_ENIS, network_interface_ids, filters)

    def describe_instances(self, instance_ids=None, **filters):
        """Every instance matching the filters (a Listing), following every page; ids at most 100 per call."""
        return self._describe(DESCRIBE_INSTANCES, instance_ids, filters)

    def _describe(self, kind, ids, filters):
        base = {k: v for k, v in filters.items() if v is not None}
        if ids is None:
            return self._listing(kind, base, "all %s matching %s" % (kind.what, base or "no filter"), PAGE_SIZE)
        found = Listing()
        for chunk in chunks(ids):
            part = self._listing(kind, dict(base, **kind.ids_args(chunk)), ", ".join(chunk), len(chunk))
            found.extend(part)
            found.request_id = part.request_id
        return found

    def _listing(self, kind, request_args, resource, page_size):
        # A read by ids asks for all of them (at most 100) in one page; TotalCount is followed all the same.
        def fetch(number):
            request = getattr(self.models, kind.request)(page_number=number, page_size=max(PAGE_SIZE, page_size),
                                                         **request_args)
            return self._read(kind.action, kind.doing, resource, lambda: getattr(self._client, kind.method)(request))
        return read_pages(kind.action, kind.doing, resource, fetch, kind.path, kind.id_key)

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
            network_interface_id, lambda: self._client.attach_network_interface(request), landed)[0]

    def detach_network_interface(self, network_interface_id, instance_id=None):
        def landed():
            return self._eni_status(network_interface_id).get("Status") in ("Detaching", "Available")

        request = self.models.DetachNetworkInterfaceRequest(network_interface_id=network_interface_id)
        doing = "detach ENI %s" % network_interface_id + (" from instance %s" % instance_id if instance_id else "")
        return self._mutate("DetachNetworkInterface", doing, network_interface_id,
                            lambda: self._client.detach_network_interface(request), landed)[0]

    def stop_instance(self, instance_id, force_stop=False):
        request = self.models.StopInstanceRequest(instance_id=instance_id, force_stop="true" if force_stop else "false")
        return self._mutate(
            "StopInstance", "stop instance %s" % instance_id, instance_id,
            lambda: self._client.stop_instance(request),
            lambda: self._instance_status(instance_id) in ("Stopping", "Stopped"))[0]

    def start_instance(self, instance_id):
        request = self.models.StartInstanceRequest(instance_id=instance_id)
        return self._mutate(
            "StartInstance", "start instance %s" % instance_id, instance_id,
            lambda: self._client.start_instance(request),
            lambda: self._instance_status(instance_id) in ("Starting", "Running"))[0]

    def reboot_instance(self, instance_id, force_stop=False):
        # A lost reboot answer cannot be told apart from no reboot once the instance is back: not verified.
        request = self.models.RebootInstanceRequest(instance_id=instance_id, force_stop="true" if force_stop else "false")
        return self._mutate(
            "RebootInstance", "reboot instance %s" % instance_id, instance_id,
            lambda: self._client.reboot_instance(request),
            lambda: self._instance_status(instance_id) in ("Stopping", "Stopped", "Starting"))[0]

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

        request_id, body = self._mutate(action, "%s %s" % (doing, resource), resource, call, landed)
        if body is None:  # a lost answer that the read-back saw land for every instance
            return request_id, dict((instance_id, None) for instance_id in instance_ids)
        return request_id, instance_responses(body, action, doing, instance_ids, request_id)
