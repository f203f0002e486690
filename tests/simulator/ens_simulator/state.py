"""The simulated fleet's state, independent of HTTP: resources, timed transitions, rendering and direct control.

Every resource keeps its current status plus a queue of ``(due_time, next_status)`` steps.
Transitions are resolved lazily: every read and every rule check first advances the queues to
"now", so no background thread is needed.  Each resource also records a history of
``[status, since]`` pairs with wall-clock times, so a benchmark can tell when a target state
was reached.

All public methods take the state's re-entrant lock; the HTTP layer shares that lock.
"""

import threading
import time

from .fleet import FixtureError, expand_fixture, normalize_transition_seconds, sequential_ip
from .resources import (ATTACHED_STATUSES, ENI_TRANSITIONS, INSTANCE_TRANSITIONS, eni_from_entry, instance_from_entry, render_eni,
                        render_instance)


# Fixture and set_status key: the transition's countdown starts at the next API call, not now.
AT_NEXT_CALL = 'TransitionStartsAtNextCall'


def _without(entry, key):
    return dict((name, value) for name, value in entry.items() if name != key)


class FleetState:
    """The simulated ENS fleet: instances, ENIs and timed transitions (:class:`EnsModel` adds the API actions)."""

    def __init__(self, fixture=None, transition_seconds=None, clock=time.time, lock=None):
        self.lock = lock if lock is not None else threading.RLock()
        self.clock = clock
        self.instances = {}
        self.enis = {}
        self.credentials = []
        self.limits = {'enis_per_instance': 10}
        self.transition_seconds = normalize_transition_seconds(None)
        self.fixture_behaviours = None
        self.one_eni_operation_per_instance = False
        self.stale_views = None  # a behaviours.StaleViews while read-after-write lag is on
        self._pending = {}
        self._at_next_call = {}  # resource key -> (resource, delay, next status): countdowns the next API call starts
        self._ip_counter = 0
        self.load(fixture, transition_seconds)

    # ----------------------------------------------------------------- loading

    def load(self, fixture=None, transition_seconds=None):
        """Replace the whole fleet with ``fixture`` (name, path or dict); ``transition_seconds`` overrides it."""
        data = expand_fixture(fixture)
        transitions = normalize_transition_seconds(transition_seconds, data['transition_seconds'])
        with self.lock:
            saved = (self.instances, self.enis, self._pending, self._ip_counter, self.credentials, self.limits, self.transition_seconds,
                     self.fixture_behaviours)
            now = self.clock()
            self.instances = {}
            self.enis = {}
            self._pending = {}
            self._at_next_call = {}
            self._ip_counter = 0
            self.credentials = data['credentials']
            self.limits = data['limits']
            self.fixture_behaviours = data['behaviours']
            self.transition_seconds = transitions
            try:
                for entry in data['instances']:
                    self._add_instance(entry, now)
                for entry in data['network_interfaces']:
                    self._add_eni(entry, now)
                self._check_consistency()
            except (FixtureError, TypeError, ValueError):
                (self.instances, self.enis, self._pending, self._ip_counter, self.credentials, self.limits, self.transition_seconds,
                 self.fixture_behaviours) = saved
                raise

    def set_transition_seconds(self, value):
        """Update the transition times (a number for all kinds or a dict per kind)."""
        with self.lock:
            self.transition_seconds = normalize_transition_seconds(value, self.transition_seconds)
            return dict(self.transition_seconds)

    def _auto_ip(self):
        self._ip_counter += 1
        return sequential_ip(self._ip_counter, 200)

    def _add_instance(self, entry, now):
        at_next_call = bool(entry.get(AT_NEXT_CALL))
        resource, remaining = instance_from_entry(_without(entry, AT_NEXT_CALL), self.instances, now)
        self.instances[resource.id] = resource
        self._start_natural_transition(resource, remaining, now, at_next_call)

    def _add_eni(self, entry, now):
        at_next_call = bool(entry.get(AT_NEXT_CALL))
        resource, remaining = eni_from_entry(_without(entry, AT_NEXT_CALL), self.instances, self.enis, now, self._auto_ip)
        self.enis[resource.id] = resource
        self._start_natural_transition(resource, remaining, now, at_next_call)

    def _check_consistency(self):
        for eni in self.enis.values():
            attached = bool(eni.attrs['InstanceId'])
            if eni.status in ATTACHED_STATUSES and not attached:
                raise FixtureError('network interface %s is %s but has no InstanceId' % (eni.id, eni.status))
            if eni.status == 'Available' and attached:
                raise FixtureError('network interface %s is Available but has InstanceId %s' % (eni.id, eni.attrs['InstanceId']))

    def _transition_table(self, resource):
        return ENI_TRANSITIONS if resource.kind == 'eni' else INSTANCE_TRANSITIONS

    def _start_natural_transition(self, resource, remaining, now, at_next_call=False):
        """Queue the natural target of a transient status (``remaining`` None = the configured time).

        ``at_next_call``: the countdown starts at the next API call, so a test finds the resource mid-transition
        however long its client took to start.
        """
        target = self._transition_table(resource).get(resource.status)
        resource.queue = []
        key = (resource.kind, resource.id)
        self._at_next_call.pop(key, None)
        if target is None:
            self._pending.pop(key, None)
            return
        next_status, kind = target
        if remaining is None and kind is None:
            self._pending.pop(key, None)
            return
        delay = self.transition_seconds[kind] if remaining is None else float(remaining)
        if at_next_call and delay >= 0:
            self._at_next_call[key] = (resource, delay, next_status)
            delay = -1
        resource.schedule([(delay, next_status)], now)
        self._pending[key] = resource

    def start_countdowns(self):
        """Start the countdowns that wait for an API call: called as each API call begins."""
        with self.lock:
            if not self._at_next_call:
                return
            now = self.clock()
            for resource, delay, next_status in self._at_next_call.values():
                if resource.queue == [(float('inf'), next_status)]:
                    resource.schedule([(delay, next_status)], now)
            self._at_next_call = {}

    # ------------------------------------------------------------- transitions

    def advance(self, now=None):
        """Resolve every pending transition whose due time has passed; return the time used."""
        with self.lock:
            if now is None:
                now = self.clock()
            for key, resource in list(self._pending.items()):
                while resource.queue and resource.queue[0][0] <= now:
                    due, status = resource.queue.pop(0)
                    if status is None:
                        self._remove(resource, due)
                        break
                    resource.set_status(status, due)
                    if resource.kind == 'eni' and status == 'Available':
                        resource.attrs['InstanceId'] = ''
                if not resource.queue:
                    self._pending.pop(key, None)
            return now

    def _remove(self, resource, now):
        if resource.kind == 'eni':
            self.enis.pop(resource.id, None)
            return
        # a released instance takes its primary ENI with it; its secondary ENIs are detached
        self.instances.pop(resource.id, None)
        for eni in list(self.enis.values()):
            if eni.attrs['InstanceId'] != resource.id:
                continue
            self._pending.pop(('eni', eni.id), None)
            eni.queue = []
            if eni.attrs['Type'] == 'Primary':
                self.enis.pop(eni.id, None)
            else:
                eni.attrs['InstanceId'] = ''
                eni.set_status('Available', now)

    def _schedule(self, resource, status, steps, now):
        resource.set_status(status, now)
        resource.schedule(steps, now)
        if resource.queue:
            self._pending[(resource.kind, resource.id)] = resource
        else:
            self._pending.pop((resource.kind, resource.id), None)

    # ------------------------------------------------------------- rendering

    def attachment_index(self):
        """Return ``{instance_id: [ENI, ...]}`` for ENIs in Attaching/InUse/Detaching, primary first."""
        index = {}
        for eni in self.enis.values():
            if eni.attrs['InstanceId'] and eni.status in ATTACHED_STATUSES:
                index.setdefault(eni.attrs['InstanceId'], []).append(eni)
        for enis in index.values():
            enis.sort(key=lambda eni: 0 if eni.attrs['Type'] == 'Primary' else 1)
        return index

    def attached_enis(self, instance_id, index=None):
        """Return the ENIs whose InstanceId is ``instance_id`` (Attaching/InUse/Detaching), primary first."""
        if index is None:
            index = self.attachment_index()
        return list(index.get(instance_id, []))

    def render_eni(self, eni, stale=None):
        """Return the API representation of an ENI (``stale``: the lagging ``{"Status", "InstanceId"}`` a read shows)."""
        return render_eni(eni, stale)

    def render_instance(self, instance, index=None, stale=None):
        """Return the API representation of an instance (``index`` from :meth:`attachment_index`; ``stale``: lagging fields)."""
        return render_instance(instance, self.attached_enis(instance.id, index), stale)

    def state(self):
        """Return the whole fleet resolved at now, with histories and pending transitions."""
        with self.lock:
            now = self.advance()
            index = self.attachment_index()
            return {
                'now': now,
                'transition_seconds': dict(self.transition_seconds),
                'instances': {
                    resource.id: dict(self.render_instance(resource, index), history=[list(item) for item in resource.history],
                                      pending=resource.describe_queue())
                    for resource in self.instances.values()
                },
                'network_interfaces': {
                    resource.id: dict(self.render_eni(resource), history=[list(item) for item in resource.history],
                                      pending=resource.describe_queue())
                    for resource in self.enis.values()
                },
            }

    # ------------------------------------------------------------- control

    def set_status(self, resource_id, status, remaining=None, instance_id=None, at_next_call=False):
        """Put a resource into ``status`` (mid-test); transient statuses move on to their natural target.

        ``remaining`` None uses the configured transition time, a negative value never completes;
        ``at_next_call`` starts its countdown at the next API call instead of now.
        ``instance_id`` (ENIs only) sets the ENI's InstanceId; an ENI set to Available is detached.
        """
        with self.lock:
            now = self.advance()
            if resource_id in self.enis:
                resource = self.enis[resource_id]
                if not status:
                    raise ValueError('Status is required')
                if instance_id is not None:
                    if instance_id and instance_id not in self.instances:
                        raise ValueError('unknown instance %s' % instance_id)
                    resource.attrs['InstanceId'] = instance_id
                if status == 'Available':
                    resource.attrs['InstanceId'] = ''
                elif status in ATTACHED_STATUSES and not resource.attrs['InstanceId']:
                    raise ValueError('%s needs an InstanceId to be %s' % (resource_id, status))
            elif resource_id in self.instances:
                resource = self.instances[resource_id]
                if not status:
                    raise ValueError('Status is required')
                if instance_id is not None:
                    raise ValueError('InstanceId applies to network interfaces only')
            else:
                raise KeyError(resource_id)
            if self.stale_views is not None:
                self.stale_views.forget(resource_id)
            resource.set_status(status, now)
            self._start_natural_transition(resource, remaining, now, at_next_call)
            return self.render_eni(resource) if resource.kind == 'eni' else self.render_instance(resource)
