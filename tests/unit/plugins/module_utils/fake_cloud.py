# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fake ENS API on a fake clock, for the execution loops (below the HTTP line: the simulator covers the wire).

Changes take `transition` seconds; reads lag an accepted call by `lag` seconds (they show the resource as it
was just before the call); the API can refuse a second ENI operation on an instance while one is under way,
throttle chosen calls, accept a call that then never takes effect, refuse chosen calls with a final error, refuse
chosen instances inside a StopInstances/StartInstances answer, or make one change slow. Reads and batch power calls
take at most 100 ids per call, as the real wrapper sends them.
"""

from __future__ import annotations

import math

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError
from ansible_collections.alibabacloud.ens.plugins.module_utils._listing import MAX_IDS_PER_CALL, Listing, instance_responses
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import Waiter

MUTATING = ("AttachNetworkInterface", "DetachNetworkInterface", "StopInstance", "StartInstance", "RebootInstance",
            "StopInstances", "StartInstances")
READS = ("DescribeNetworkInterfaces", "DescribeInstances")


def chunks(ids, size=MAX_IDS_PER_CALL):
    ids = list(ids)
    return [ids[start:start + size] for start in range(0, len(ids), size)] or [[]]


class Clock:
    """Monotonic seconds that move only when someone sleeps."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        later = self.now + seconds
        # A sleep shorter than the float's resolution still moves the clock: a wait cut to its deadline (the
        # waiter sleeps timeout - waited) could otherwise spin forever one rounding error short of it.
        self.now = later if later > self.now or seconds <= 0 else math.nextafter(self.now, math.inf)


class Resource:
    def __init__(self, fields):
        self.events = [(float("-inf"), dict(fields))]  # (time, fields changed then)
        self.last_call = None                         # time of the last accepted call on it

    def at(self, when):
        state = {}
        for time, fields in self.events:
            if time <= when:
                state.update(fields)
        return state

    def change(self, when, **fields):
        self.events.append((when, fields))
        self.events.sort(key=lambda event: event[0])


class FakeCloud:
    """Instances and ENIs; every API method the executions use, with a call log."""

    def __init__(self, clock, instances=(), enis=(), transition=1.0, lag=0.0, one_eni_operation_per_instance=False):
        self.clock = clock
        self.transition = transition
        self.lag = lag
        self.one_at_a_time = one_eni_operation_per_instance
        self.instances = dict((item["InstanceId"], Resource(item)) for item in instances)
        self.enis = dict((item["NetworkInterfaceId"], Resource(item)) for item in enis)
        self.calls = []             # (action, resource id, outcome) with outcome "ok" or the error code
        self.throttle = {}          # action -> how many of its next calls are throttled
        self.ignore = set()         # resource ids whose next accepted call never takes effect
        self.fail = {}              # (action, resource id) -> error code: its next call is refused with that final error
        self.batch_refuse = {}      # instance id -> error code of its entry in every StopInstances/StartInstances answer
        self.slow = {}              # resource id -> seconds its next accepted change takes (instead of `transition`)
        self.in_polling = False     # a read made through the client for polls: one attempt

    # -- plumbing ------------------------------------------------------------------------------

    def waiter(self, timeout):
        return Waiter(timeout, sleep=self.clock.sleep, clock=self.clock)

    def truth(self, resource):
        return resource.at(self.clock())

    def view(self, resource):
        now = self.clock()
        if resource.last_call is not None and now < resource.last_call + self.lag:
            return resource.at(resource.last_call - 1e-9)
        return resource.at(now)

    def for_polls(self):
        """The wrapper's client for polls: its reads are one attempt each (a throttled one raises)."""
        return _Polls(self)

    def mutating_calls(self):
        return [call for call in self.calls if call[0] in MUTATING]

    def reads(self, action=None):
        return [call for call in self.calls if call[0] in ((action,) if action else READS)]

    def _enter(self, action, resource_id):
        if self.throttle.get(action):
            self.throttle[action] -= 1
            self.calls.append((action, resource_id, "Throttling.User"))
            raise EnsApiError("Failed to call %s: Throttling.User" % action, code="Throttling.User", action=action,
                              resource=resource_id, status_code=400, transient=True, request_id="RQ-throttled")
        code = self.fail.pop((action, resource_id), None)
        if code:
            self._refuse(action, resource_id, code)

    def _refuse(self, action, resource_id, code):
        self.calls.append((action, resource_id, code))
        raise EnsApiError("Failed to call %s on %s: %s (request id RQ-refused-%d)" % (action, resource_id, code, len(self.calls)),
                          code=code, action=action, resource=resource_id, status_code=400,
                          request_id="RQ-refused-%d" % len(self.calls))

    def _accept(self, action, resource, resource_id, steps):
        """Log the call; schedule `steps` [(delay, fields)] unless the resource ignores its next call."""
        self.calls.append((action, resource_id, "ok"))
        self._schedule(resource, resource_id, steps)
        return "RQ-%d" % len(self.calls)

    def _schedule(self, resource, resource_id, steps):
        now = self.clock()
        resource.last_call = now
        slow = self.slow.pop(resource_id, None)
        if resource_id in self.ignore:
            self.ignore.discard(resource_id)
            return
        for delay, fields in steps:
            resource.change(now + (slow if slow is not None and delay else delay), **fields)

    # -- reads ---------------------------------------------------------------------------------

    def _read(self, action, resource):
        if self.throttle.get(action):
            # Outside polls the real wrapper retries a throttled read; inside, one attempt: the poll is "not yet".
            self.throttle[action] -= 1
            self.calls.append((action, resource, "Throttling.User"))
            if self.in_polling:
                raise EnsApiError("Failed to call %s: Throttling.User" % action, code="Throttling.User", action=action,
                                  resource=resource, status_code=400, transient=True, request_id="RQ-throttled")
        self.calls.append((action, resource, "ok"))
        return "RQ-%d" % len(self.calls)

    def describe_network_interfaces(self, ids=None, instance_id=None):
        """ENIs by id (at most 100 per call), or every ENI a read shows on `instance_id` (exclusive mode)."""
        if ids is None:
            assert instance_id, "a listing of every ENI is never what the modules need"
            request_id = self._read("DescribeNetworkInterfaces", "instance_id=%s" % instance_id)
            return listing([view for view in (self.view(item) for item in self.enis.values())
                            if view.get("InstanceId") == instance_id], request_id)
        found = Listing()
        for chunk in chunks(ids):
            found.request_id = self._read("DescribeNetworkInterfaces", ",".join(chunk))
            found.extend(self.view(self.enis[eni_id]) for eni_id in chunk if eni_id in self.enis)
        return found

    def describe_instances(self, ids):
        found = Listing()
        for chunk in chunks(ids):
            found.request_id = self._read("DescribeInstances", ",".join(chunk))
            found.extend(self.view(self.instances[instance_id]) for instance_id in chunk if instance_id in self.instances)
        return found

    # -- ENI operations ------------------------------------------------------------------------

    def _eni_operation_under_way(self, instance_id):
        return any(self.truth(eni).get("InstanceId") == instance_id and self.truth(eni)["Status"] in ("Attaching", "Detaching")
                   for eni in self.enis.values())

    def attach_network_interface(self, instance_id, eni_id):
        action = "AttachNetworkInterface"
        self._enter(action, eni_id)
        eni = self.enis[eni_id]
        if self.truth(eni)["Status"] != "Available":
            self._refuse(action, eni_id, "InvalidOperation.InvalidEniStatus")
        if self.truth(self.instances[instance_id])["Status"] != "Stopped" or (
                self.one_at_a_time and self._eni_operation_under_way(instance_id)):
            self._refuse(action, eni_id, "InvalidOperation.InvalidEnsStatus")
        return self._accept(action, eni, eni_id, [(0, {"Status": "Attaching", "InstanceId": instance_id}),
                                                  (self.transition, {"Status": "InUse"})])

    def detach_network_interface(self, eni_id, instance_id=None):
        action = "DetachNetworkInterface"
        self._enter(action, eni_id)
        eni = self.enis[eni_id]
        if self.truth(eni)["Status"] != "InUse":
            self._refuse(action, eni_id, "InvalidOperation.InvalidEniStatus")
        owner = self.truth(eni)["InstanceId"]
        if self.truth(self.instances[owner])["Status"] != "Stopped" or (
                self.one_at_a_time and self._eni_operation_under_way(owner)):
            self._refuse(action, eni_id, "InvalidOperation.InvalidEnsStatus")
        return self._accept(action, eni, eni_id, [(0, {"Status": "Detaching"}),
                                                  (self.transition, {"Status": "Available", "InstanceId": ""})])

    # -- instance operations -------------------------------------------------------------------

    def _power(self, action, instance_id, source, steps):
        self._enter(action, instance_id)
        instance = self.instances[instance_id]
        if self.truth(instance)["Status"] != source:
            self._refuse(action, instance_id, "IncorrectInstanceStatus")
        return self._accept(action, instance, instance_id, steps)

    def stop_instance(self, instance_id, force_stop=False):
        return self._power("StopInstance", instance_id, "Running",
                           [(0, {"Status": "Stopping"}), (self.transition, {"Status": "Stopped"})])

    def start_instance(self, instance_id):
        return self._power("StartInstance", instance_id, "Stopped",
                           [(0, {"Status": "Starting"}), (self.transition, {"Status": "Running"})])

    def reboot_instance(self, instance_id, force_stop=False):
        return self._power("RebootInstance", instance_id, "Running",
                           [(0, {"Status": "Starting"}), (self.transition, {"Status": "Running"})])

    def _batch_power(self, action, instance_ids, source, steps):
        """StopInstances / StartInstances: each instance accepted or refused on its own, answered as the real
        wrapper answers: (request id, {instance id: None or the EnsApiError refusing it})."""
        ids = list(instance_ids)
        assert 0 < len(ids) <= MAX_IDS_PER_CALL, "%s with %d instance ids: the API takes 1 to 100" % (action, len(ids))
        resource = ",".join(ids)
        self._enter(action, resource)
        self.calls.append((action, resource, "ok"))
        request_id = "RQ-%d" % len(self.calls)
        responses = []
        for instance_id in ids:
            item = self.instances.get(instance_id)
            code = self.batch_refuse.get(instance_id)
            if code is None and (item is None or self.truth(item)["Status"] != source):
                code = "IncorrectInstanceStatus"
            if code is None:
                self._schedule(item, instance_id, steps)
            responses.append({"InstanceId": instance_id, "Code": code or "200", "Message": "refused" if code else "success"})
        body = {"RequestId": request_id, "InstanceResponses": {"InstanceResponse": responses}}
        return request_id, instance_responses(body, action, action.lower(), ids, request_id)

    def stop_instances(self, instance_ids):
        return self._batch_power("StopInstances", instance_ids, "Running",
                                 [(0, {"Status": "Stopping"}), (self.transition, {"Status": "Stopped"})])

    def start_instances(self, instance_ids):
        return self._batch_power("StartInstances", instance_ids, "Stopped",
                                 [(0, {"Status": "Starting"}), (self.transition, {"Status": "Running"})])


class _Polls:
    """FakeCloud seen through the client for polls: the same cloud, reads flagged as one attempt."""

    def __init__(self, cloud):
        self.cloud = cloud

    def _one_attempt(self, method, *args, **kwargs):
        self.cloud.in_polling = True
        try:
            return getattr(self.cloud, method)(*args, **kwargs)
        finally:
            self.cloud.in_polling = False

    def describe_network_interfaces(self, *args, **kwargs):
        return self._one_attempt("describe_network_interfaces", *args, **kwargs)

    def describe_instances(self, *args, **kwargs):
        return self._one_attempt("describe_instances", *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.cloud, name)


def listing(items, request_id):
    """A read's answer as the API wrapper gives it: the items, with the request id of the read."""
    found = Listing(items)
    found.request_id = request_id
    return found


def eni(eni_id, status="Available", instance_id="", type_="Secondary", region="cn-tianjin-cmcc", network="n-main"):
    return {"NetworkInterfaceId": eni_id, "Status": status, "InstanceId": instance_id, "Type": type_,
            "EnsRegionId": region, "NetworkId": network}


def instance(instance_id="i-1", status="Stopped", attached=("eni-p",), region="cn-tianjin-cmcc", network="n-main"):
    return {"InstanceId": instance_id, "Status": status, "EnsRegionId": region,
            "NetworkAttributes": {"NetworkId": network},
            "NetworkInterfaces": {"NetworkInterfaces": [{"NetworkInterfaceId": e} for e in attached]}}


def lose_answers(cloud, action, code, applied):
    """Make every `action` call lose its answer (after the wrapper's read-backs), having taken effect or not."""
    method = {"AttachNetworkInterface": "attach_network_interface", "StopInstance": "stop_instance"}[action]
    call = getattr(cloud, method)

    def lost(*args):
        if applied:
            call(*args)
        resource_id = args[1] if action == "AttachNetworkInterface" else args[0]  # attach(instance, eni); stop(instance)
        cloud.calls.append((action, resource_id, "lost"))
        raise EnsApiError("lost answer", code=code, request_id="RQ-lost", transient=True, maybe_applied=True)

    setattr(cloud, method, lost)
