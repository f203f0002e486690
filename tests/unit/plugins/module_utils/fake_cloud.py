# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fake ENS API on a fake clock, for the execution loops (below the HTTP line: the simulator covers the wire).

Changes take `transition` seconds; reads lag an accepted call by `lag` seconds (they show the resource as it
was just before the call); the API can refuse a second ENI operation on an instance while one is under way,
throttle chosen calls, or accept a call that then never takes effect.
"""

from __future__ import annotations

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError
from ansible_collections.alibabacloud.ens.plugins.module_utils._listing import Listing
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import Waiter

MUTATING = ("AttachNetworkInterface", "DetachNetworkInterface", "StopInstance", "StartInstance", "RebootInstance")


class Clock:
    """Monotonic seconds that move only when someone sleeps."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


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
        """The wrapper's client for polls; the fake's reads are single attempts anyway."""
        return self

    def mutating_calls(self):
        return [call for call in self.calls if call[0] in MUTATING]

    def _enter(self, action, resource_id):
        if self.throttle.get(action):
            self.throttle[action] -= 1
            self.calls.append((action, resource_id, "Throttling.User"))
            raise EnsApiError("Failed to call %s: Throttling.User" % action, code="Throttling.User", action=action,
                              resource=resource_id, status_code=400, transient=True, request_id="RQ-throttled")

    def _refuse(self, action, resource_id, code):
        self.calls.append((action, resource_id, code))
        raise EnsApiError("Failed to call %s on %s: %s (request id RQ-refused-%d)" % (action, resource_id, code, len(self.calls)),
                          code=code, action=action, resource=resource_id, status_code=400,
                          request_id="RQ-refused-%d" % len(self.calls))

    def _accept(self, action, resource, resource_id, steps):
        """Log the call; schedule `steps` [(delay, fields)] unless the resource ignores its next call."""
        now = self.clock()
        self.calls.append((action, resource_id, "ok"))
        resource.last_call = now
        if resource_id in self.ignore:
            self.ignore.discard(resource_id)
        else:
            for delay, fields in steps:
                resource.change(now + delay, **fields)
        return "RQ-%d" % len(self.calls)

    # -- reads ---------------------------------------------------------------------------------

    def describe_network_interfaces(self, ids):
        self.calls.append(("DescribeNetworkInterfaces", ",".join(ids), "ok"))
        return listing([self.view(self.enis[eni_id]) for eni_id in ids if eni_id in self.enis], "RQ-%d" % len(self.calls))

    def describe_instances(self, ids):
        self.calls.append(("DescribeInstances", ",".join(ids), "ok"))
        return listing([self.view(self.instances[instance_id]) for instance_id in ids if instance_id in self.instances],
                       "RQ-%d" % len(self.calls))

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
