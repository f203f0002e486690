"""Fleet state and ENS rules, independent of HTTP (the simulator's "backend").

Every resource keeps its current status plus a queue of ``(due_time, next_status)`` steps.
Transitions are resolved lazily: every read and every rule check first advances the queues to
"now", so no background thread is needed.  Each resource also records a history of
``[status, since]`` pairs with wall-clock times, so a benchmark can tell when a target state
was reached.

All public methods take the model's re-entrant lock; the HTTP layer shares that lock.
"""

import hashlib
import json
import re
import threading
import time

from .fleet import FixtureError, expand_fixture, normalize_transition_seconds, sequential_ip

ENI_STATUSES = ('Available', 'Attaching', 'InUse', 'Detaching', 'Deleting')
# Creating ends in Running; Expired (only a renewal clears it) and Releasing (then the instance is gone) never end usable
INSTANCE_STATUSES = ('Creating', 'Running', 'Stopping', 'Stopped', 'Starting', 'Expired', 'Releasing')
ATTACHED_STATUSES = ('Attaching', 'InUse', 'Detaching')

# transient status -> (natural target, transition kind); a target of None removes the resource; a kind of None
# means no configured time: the step happens only after an explicit TransitionRemaining
ENI_TRANSITIONS = {'Attaching': ('InUse', 'attach'), 'Detaching': ('Available', 'detach'), 'Deleting': (None, 'detach')}
INSTANCE_TRANSITIONS = {'Stopping': ('Stopped', 'stop'), 'Starting': ('Running', 'start'), 'Creating': ('Running', 'start'),
                        'Releasing': (None, None)}

MAX_IDS_PER_FILTER = 100
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
DEFAULT_CREATION_TIME = '2024-03-01T08:00:00Z'

ERROR_MESSAGES = {
    'InvalidEniId.NotFound': 'The specified NetworkInterfaceId does not exist.',
    'InstanceNotFound': 'The input parameter instancdId that is not found.',
    'InstanceIdNotFound': 'The specified InstanceId does not exist.',
    'InvalidOperation.InvalidEniType': 'The type of eni does not support this operation.',
    'InvalidOperation.InvalidEniStatus': 'Current eni status does not support this operation.',
    'InvalidOperation.InvalidEnsStatus': 'Current instance status does not support this operation.',
    'InvalidOperation.NetworkMismatch': 'Specified eni and instance are not in the same network.',
    'EniPerInstanceLimitExceeded': 'EniPerInstanceLimitExceeded.',
    'IncorrectInstanceStatus': 'The current status of the resource does not support this operation.',
}


class ApiError(Exception):
    """An ENS API error: answered with ``status`` and a body naming ``code``."""

    def __init__(self, code, message=None, status=400):
        super().__init__(code)
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, code)
        self.status = status


def missing_parameter(name):
    """Return the error for a missing required parameter."""
    return ApiError('MissingParameter', 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid_parameter(name, detail=None):
    """Return the error for an invalid parameter value."""
    message = 'The specified field %s invalid. Please check it again.' % name
    if detail:
        message = '%s %s' % (message, detail)
    return ApiError('InvalidParameter.%s' % name, message)


def _digest(text):
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def _as_list(value):
    if value is None or value == '':
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def default_mac(resource_id):
    """Return a stable MAC address (Alibaba Cloud OUI 00:16:3e) derived from an ID."""
    digest = _digest(resource_id)
    return '00:16:3e:%s:%s:%s' % (digest[0:2], digest[2:4], digest[4:6])


class Resource:
    """A simulated resource: static attributes, status, pending transitions and history."""

    def __init__(self, kind, resource_id, attrs, status, now, order=0):
        self.kind = kind
        self.id = resource_id
        self.order = order
        self.attrs = attrs
        self.status = status
        self.queue = []
        self.history = [[status, now]]

    def set_status(self, status, since):
        """Move to ``status`` at time ``since`` and record it."""
        self.status = status
        self.history.append([status, since])

    def schedule(self, steps, now):
        """Replace the pending transitions with ``steps``: a list of ``(delay_seconds, status)``.

        A negative delay means "never": the step stays pending forever (a stuck resource).
        """
        self.queue = []
        due = now
        for delay, status in steps:
            if delay is None or delay < 0:
                due = float('inf')
            else:
                due += delay
            self.queue.append((due, status))

    def describe_queue(self):
        """Return the pending transitions as JSON-friendly ``[due, status]`` pairs (due None = never)."""
        return [[None if due == float('inf') else due, status] for due, status in self.queue]


def _str_param(params, name):
    value = params.get(name)
    if value is None or value == '':
        return None
    return value


def _required(params, name):
    value = _str_param(params, name)
    if value is None:
        raise missing_parameter(name)
    return value


def _int_param(params, name, default):
    value = _str_param(params, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise invalid_parameter(name, '%r is not an integer.' % value) from exc
    if number < 1:
        raise invalid_parameter(name, 'It must be >= 1.')
    return number


def repeat_list(params, name):
    """Decode a repeat-list parameter ``Name.1=a&Name.2=b`` (in index order)."""
    if name in params:
        raise invalid_parameter(name, 'Give it as a repeat list: %s.1, %s.2, ...' % (name, name))
    pattern = re.compile(r'^%s\.(\d+)$' % re.escape(name))
    items = []
    for key, value in params.items():
        match = pattern.match(key)
        if match:
            items.append((int(match.group(1)), value))
    return [value for _index, value in sorted(items) if value != '']


def json_list(params, name):
    """Decode a JSON-string list parameter ``Name=["a","b"]``."""
    if any(key.startswith(name + '.') for key in params):
        raise invalid_parameter(name, 'Give it as a JSON string list, e.g. ["i-1","i-2"].')
    value = _str_param(params, name)
    if value is None:
        return []
    try:
        items = json.loads(value)
    except ValueError as exc:
        raise invalid_parameter(name, 'It is not a JSON list.') from exc
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise invalid_parameter(name, 'It must be a JSON list of strings.')
    return items


def comma_list(params, name):
    """Decode a comma-separated list parameter ``Name=a,b``."""
    value = _str_param(params, name)
    if value is None:
        return []
    return [item.strip() for item in value.split(',') if item.strip()]


def paginate(items, params):
    """Return ``(page_items, page_number, page_size)`` for PageNumber/PageSize parameters."""
    page_number = _int_param(params, 'PageNumber', 1)
    page_size = min(_int_param(params, 'PageSize', DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    start = (page_number - 1) * page_size
    return items[start:start + page_size], page_number, page_size


class EnsModel:
    """The simulated ENS fleet: instances, ENIs, rules and timed transitions."""

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
        entry = dict(entry)
        instance_id = entry.pop('InstanceId', None)
        if not instance_id:
            raise FixtureError('an instance needs InstanceId')
        if instance_id in self.instances:
            raise FixtureError('duplicate InstanceId %s' % instance_id)
        for key in ('EnsRegionId', 'NetworkId'):
            if not entry.get(key):
                raise FixtureError('instance %s needs %s' % (instance_id, key))
        status = entry.pop('Status', None) or 'Running'
        remaining = entry.pop('TransitionRemaining', None)
        attrs = {
            'InstanceName': instance_id,
            'HostName': instance_id,
            'VSwitchId': 'vsw-%s' % _digest(entry['NetworkId'])[:12],
            'SpecName': 'ens.sn1.stiny',
            'InstanceResourceType': 'EnsInstance',
            'ImageId': 'm-5wsimulatorcentos79',
            'OSName': 'CentOS 7.9 64 bit',
            'Cpu': 1,
            'Memory': 1024,
            'CreationTime': DEFAULT_CREATION_TIME,
            'SecurityGroupIds': ['sg-%s' % _digest(entry['NetworkId'])[:12]],
            'PrivateIpAddress': None,
        }
        attrs.update(entry)
        attrs['SecurityGroupIds'] = _as_list(attrs['SecurityGroupIds'])
        resource = Resource('instance', instance_id, attrs, status, now, len(self.instances))
        self.instances[instance_id] = resource
        self._start_natural_transition(resource, remaining, now)

    def _add_eni(self, entry, now):
        entry = dict(entry)
        eni_id = entry.pop('NetworkInterfaceId', None)
        if not eni_id:
            raise FixtureError('a network interface needs NetworkInterfaceId')
        if eni_id in self.enis:
            raise FixtureError('duplicate NetworkInterfaceId %s' % eni_id)
        instance_id = entry.get('InstanceId') or ''
        instance = self.instances.get(instance_id) if instance_id else None
        if instance_id and instance is None:
            raise FixtureError('network interface %s refers to unknown instance %s' % (eni_id, instance_id))
        status = entry.pop('Status', None) or ('InUse' if instance_id else 'Available')
        remaining = entry.pop('TransitionRemaining', None)
        inherited = instance.attrs if instance else {}
        attrs = {
            'NetworkInterfaceName': '',
            'Description': '',
            'Type': 'Secondary',
            'InstanceId': instance_id,
            'EnsRegionId': inherited.get('EnsRegionId'),
            'NetworkId': inherited.get('NetworkId'),
            'VSwitchId': inherited.get('VSwitchId'),
            'PrimaryIpType': 'IPv4',
            'MacAddress': default_mac(eni_id),
            'CreationTime': DEFAULT_CREATION_TIME,
            'Ipv6Addresses': [],
        }
        attrs.update(entry)
        attrs['InstanceId'] = instance_id
        for key in ('EnsRegionId', 'NetworkId'):
            if not attrs.get(key):
                raise FixtureError('network interface %s needs %s' % (eni_id, key))
        if not attrs.get('VSwitchId'):
            attrs['VSwitchId'] = 'vsw-%s' % _digest(attrs['NetworkId'])[:12]
        if not attrs.get('PrimaryIp'):
            attrs['PrimaryIp'] = self._auto_ip()
        attrs['SecurityGroupIds'] = _as_list(attrs.get('SecurityGroupIds')) or ['sg-%s' % _digest(attrs['NetworkId'])[:12]]
        attrs['Ipv6Addresses'] = _as_list(attrs.get('Ipv6Addresses'))
        if attrs['Type'] not in ('Primary', 'Secondary'):
            raise FixtureError('network interface %s has Type %r (Primary or Secondary)' % (eni_id, attrs['Type']))
        resource = Resource('eni', eni_id, attrs, status, now, len(self.enis))
        self.enis[eni_id] = resource
        self._start_natural_transition(resource, remaining, now)

    def _check_consistency(self):
        for eni in self.enis.values():
            attached = bool(eni.attrs['InstanceId'])
            if eni.status in ATTACHED_STATUSES and not attached:
                raise FixtureError('network interface %s is %s but has no InstanceId' % (eni.id, eni.status))
            if eni.status == 'Available' and attached:
                raise FixtureError('network interface %s is Available but has InstanceId %s' % (eni.id, eni.attrs['InstanceId']))

    def _transition_table(self, resource):
        return ENI_TRANSITIONS if resource.kind == 'eni' else INSTANCE_TRANSITIONS

    def _start_natural_transition(self, resource, remaining, now):
        """Queue the natural target of a transient status (``remaining`` None = the configured time)."""
        target = self._transition_table(resource).get(resource.status)
        resource.queue = []
        if target is None:
            self._pending.pop((resource.kind, resource.id), None)
            return
        next_status, kind = target
        if remaining is None and kind is None:
            self._pending.pop((resource.kind, resource.id), None)
            return
        delay = self.transition_seconds[kind] if remaining is None else float(remaining)
        resource.schedule([(delay, next_status)], now)
        self._pending[(resource.kind, resource.id)] = resource

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
        attrs = eni.attrs
        body = {
            'NetworkInterfaceId': eni.id,
            'NetworkInterfaceName': attrs['NetworkInterfaceName'],
            'Description': attrs['Description'],
            'Status': eni.status,
            'Type': attrs['Type'],
            'InstanceId': attrs['InstanceId'],
            'EnsRegionId': attrs['EnsRegionId'],
            'NetworkId': attrs['NetworkId'],
            'VSwitchId': attrs['VSwitchId'],
            'PrimaryIp': attrs['PrimaryIp'],
            'PrimaryIpType': attrs['PrimaryIpType'],
            'MacAddress': attrs['MacAddress'],
            'CreationTime': attrs['CreationTime'],
            'SecurityGroupIds': {'SecurityGroup': list(attrs['SecurityGroupIds'])},
            'PrivateIpSets': {'PrivateIpSet': [{'PrivateIpAddress': attrs['PrimaryIp'], 'Primary': True}]},
            'Ipv6Sets': {'Ipv6Set': [{'Ipv6Address': address} for address in attrs['Ipv6Addresses']]},
        }
        if stale:
            body.update(stale)
        return body

    def render_instance(self, instance, index=None, stale=None):
        """Return the API representation of an instance (``index`` from :meth:`attachment_index`; ``stale``: lagging fields)."""
        attrs = instance.attrs
        enis = self.attached_enis(instance.id, index)
        ip = attrs.get('PrivateIpAddress')
        if not ip:
            ip = next((eni.attrs['PrimaryIp'] for eni in enis if eni.attrs['Type'] == 'Primary'), None)
        ips = [ip] if ip else []
        body = {
            'InstanceId': instance.id,
            'InstanceName': attrs['InstanceName'],
            'HostName': attrs['HostName'],
            'Status': instance.status,
            'EnsRegionId': attrs['EnsRegionId'],
            'SpecName': attrs['SpecName'],
            'InstanceResourceType': attrs['InstanceResourceType'],
            'ImageId': attrs['ImageId'],
            'OSName': attrs['OSName'],
            'Cpu': attrs['Cpu'],
            'Memory': attrs['Memory'],
            'CreationTime': attrs['CreationTime'],
            'NetworkAttributes': {
                'NetworkId': attrs['NetworkId'],
                'VSwitchId': attrs['VSwitchId'],
                'PrivateIpAddress': {'IpAddress': list(ips)},
            },
            'PrivateIpAddresses': {'PrivateIpAddress': [{'Ip': address, 'GateWay': address.rsplit('.', 1)[0] + '.1'} for address in ips]},
            'SecurityGroupIds': {'SecurityGroupId': list(attrs['SecurityGroupIds'])},
            'NetworkInterfaces': {'NetworkInterfaces': [
                {
                    'NetworkInterfaceId': eni.id,
                    'Type': eni.attrs['Type'],
                    'MacAddress': eni.attrs['MacAddress'],
                    'PrimaryIpAddress': eni.attrs['PrimaryIp'],
                }
                for eni in enis
            ]},
        }
        for key, value in attrs.items():
            if key not in body and key not in ('PrivateIpAddress', 'NetworkId', 'VSwitchId'):
                body[key] = value
        if stale:
            if 'Status' in stale:
                body['Status'] = stale['Status']
            if 'NetworkInterfaces' in stale:
                body['NetworkInterfaces'] = {'NetworkInterfaces': [dict(entry) for entry in stale['NetworkInterfaces']]}
        return body

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

    def set_status(self, resource_id, status, remaining=None, instance_id=None):
        """Put a resource into ``status`` (mid-test); transient statuses move on to their natural target.

        ``remaining`` None uses the configured transition time, a negative value never completes.
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
            self._start_natural_transition(resource, remaining, now)
            return self.render_eni(resource) if resource.kind == 'eni' else self.render_instance(resource)

    # ------------------------------------------------------------- API actions

    @staticmethod
    def _select(resources, params, ids, attribute_filters, extra_checks, stale=None):
        """Return the resources (in fixture order) passing every filter.

        ``attribute_filters`` maps a parameter to the attribute it must equal (None = the resource ID,
        ``'Status'`` = the current status); ``extra_checks`` are ``(wanted, predicate(resource, wanted))``;
        ``stale`` maps a resource ID to the lagging values a read sees instead of the truth.
        """
        stale = stale or {}
        wanted = []
        for param, attr in attribute_filters.items():
            value = _str_param(params, param)
            if value is not None:
                wanted.append((attr, value))
        checks = [(value, check) for value, check in extra_checks if value]
        if ids:
            candidates = sorted((resources[rid] for rid in set(ids) if rid in resources), key=lambda resource: resource.order)
        else:
            candidates = resources.values()

        def value_of(resource, attr):
            if attr is None:
                return resource.id
            view = stale.get(resource.id)
            if view and attr in view:
                return view[attr]
            if attr == 'Status':
                return resource.status
            return resource.attrs.get(attr)

        return [
            resource for resource in candidates
            if all(value_of(resource, attr) == value for attr, value in wanted) and all(check(resource, value) for value, check in checks)
        ]

    def describe_network_interfaces(self, params):
        """DescribeNetworkInterfaces: filters, stable (fixture) order, paging."""
        ids = repeat_list(params, 'NetworkInterfaceIds')
        if len(ids) > MAX_IDS_PER_FILTER:
            raise invalid_parameter('NetworkInterfaceIds', 'At most %d IDs are allowed.' % MAX_IDS_PER_FILTER)
        regions = repeat_list(params, 'EnsRegionIds')
        filters = {
            'NetworkInterfaceId': None, 'Status': 'Status', 'InstanceId': 'InstanceId', 'EnsRegionId': 'EnsRegionId', 'Type': 'Type',
            'NetworkId': 'NetworkId', 'VSwitchId': 'VSwitchId', 'PrimaryIpAddress': 'PrimaryIp', 'NetworkInterfaceName': 'NetworkInterfaceName',
        }
        extra = [
            (regions, lambda eni, wanted: eni.attrs['EnsRegionId'] in wanted),
            (_str_param(params, 'SecurityGroupId'), lambda eni, wanted: wanted in eni.attrs['SecurityGroupIds']),
            (_str_param(params, 'Ipv6Address'), lambda eni, wanted: wanted in eni.attrs['Ipv6Addresses']),
        ]
        with self.lock:
            now = self.advance()
            stale = self.stale_views.eni_views(now) if self.stale_views is not None else {}
            selected = self._select(self.enis, params, ids, filters, extra, stale)
            page, page_number, page_size = paginate(selected, params)
            return {
                'NetworkInterfaceSets': {'NetworkInterfaceSet': [self.render_eni(eni, stale.get(eni.id)) for eni in page]},
                'PageNumber': page_number,
                'PageSize': page_size,
                'TotalCount': len(selected),
            }, False

    def describe_instances(self, params):
        """DescribeInstances: filters (InstanceIds is a JSON string list), stable order, paging."""
        ids = json_list(params, 'InstanceIds')
        if len(ids) > MAX_IDS_PER_FILTER:
            raise invalid_parameter('InstanceIds', 'At most %d IDs are allowed.' % MAX_IDS_PER_FILTER)
        regions = json_list(params, 'EnsRegionIds')
        filters = {'InstanceId': None, 'Status': 'Status', 'EnsRegionId': 'EnsRegionId', 'NetworkId': 'NetworkId', 'VSwitchId': 'VSwitchId',
                   'InstanceName': 'InstanceName', 'ImageId': 'ImageId'}
        extra = [(regions, lambda instance, wanted: instance.attrs['EnsRegionId'] in wanted)]
        with self.lock:
            now = self.advance()
            stale = self.stale_views.instance_views(now) if self.stale_views is not None else {}
            selected = self._select(self.instances, params, ids, filters, extra, stale)
            page, page_number, page_size = paginate(selected, params)
            index = self.attachment_index() if page else {}
            return {
                'Code': 0,
                'Instances': {'Instance': [self.render_instance(instance, index, stale.get(instance.id)) for instance in page]},
                'PageNumber': page_number,
                'PageSize': page_size,
                'TotalCount': len(selected),
            }, False

    def _secondary_eni(self, eni_id):
        """The ENI an attach or detach names; InvalidEniId.NotFound when there is none."""
        eni = self.enis.get(eni_id)
        if eni is None:
            raise ApiError('InvalidEniId.NotFound')
        return eni

    @staticmethod
    def _check_eni_type_and_status(eni, needed_status):
        """Attach and detach refuse a primary ENI, then one not in the status they need."""
        if eni.attrs['Type'] == 'Primary':
            raise ApiError('InvalidOperation.InvalidEniType')
        if eni.status != needed_status:
            raise ApiError('InvalidOperation.InvalidEniStatus', 'Current eni status (%s) does not support this operation.' % eni.status)

    def _check_one_eni_operation(self, instance):
        """With ``one_eni_operation_per_instance``: refuse while another ENI of the instance is Attaching/Detaching."""
        if not self.one_eni_operation_per_instance:
            return
        busy = [eni for eni in self.attached_enis(instance.id) if eni.status in ('Attaching', 'Detaching')]
        if busy:
            raise ApiError('InvalidOperation.InvalidEnsStatus', 'Current instance status does not support this operation: '
                           'network interface %s is %s.' % (busy[0].id, busy[0].status))

    def attach_network_interface(self, params):
        """AttachNetworkInterface: Available secondary ENI + Stopped instance in the same region and network."""
        instance_id = _required(params, 'InstanceId')
        eni_id = _required(params, 'NetworkInterfaceId')
        with self.lock:
            now = self.advance()
            eni = self._secondary_eni(eni_id)
            instance = self.instances.get(instance_id)
            if instance is None:
                raise ApiError('InstanceNotFound')
            self._check_eni_type_and_status(eni, 'Available')
            if instance.status != 'Stopped':
                raise ApiError('InvalidOperation.InvalidEnsStatus',
                               'Current instance status (%s) does not support this operation.' % instance.status)
            self._check_one_eni_operation(instance)
            if eni.attrs['EnsRegionId'] != instance.attrs['EnsRegionId'] or eni.attrs['NetworkId'] != instance.attrs['NetworkId']:
                raise ApiError('InvalidOperation.NetworkMismatch')
            if len(self.attached_enis(instance_id)) >= int(self.limits['enis_per_instance']):
                raise ApiError('EniPerInstanceLimitExceeded')
            eni.attrs['InstanceId'] = instance_id
            self._schedule(eni, 'Attaching', [(self.transition_seconds['attach'], 'InUse')], now)
            return {}, True

    def detach_network_interface(self, params):
        """DetachNetworkInterface: InUse secondary ENI of a Stopped instance."""
        eni_id = _required(params, 'NetworkInterfaceId')
        with self.lock:
            now = self.advance()
            eni = self._secondary_eni(eni_id)
            self._check_eni_type_and_status(eni, 'InUse')
            instance = self.instances.get(eni.attrs['InstanceId'])
            if instance is None or instance.status != 'Stopped':
                raise ApiError('InvalidOperation.InvalidEnsStatus',
                               'Current instance status (%s) does not support this operation.' % (instance.status if instance else 'unknown'))
            self._check_one_eni_operation(instance)
            self._schedule(eni, 'Detaching', [(self.transition_seconds['detach'], 'Available')], now)
            return {}, True

    def _force_stop(self, params):
        value = _str_param(params, 'ForceStop')
        if value is not None and value not in ('true', 'false'):
            raise invalid_parameter('ForceStop', 'Use "true" or "false".')

    def _stop(self, instance_id, not_found_code, now):
        instance = self.instances.get(instance_id)
        if instance is None:
            raise ApiError(not_found_code)
        if instance.status != 'Running':
            raise ApiError('IncorrectInstanceStatus', 'The current status of the instance (%s) does not support this operation.' % instance.status)
        self._schedule(instance, 'Stopping', [(self.transition_seconds['stop'], 'Stopped')], now)

    def _start(self, instance_id, not_found_code, now):
        instance = self.instances.get(instance_id)
        if instance is None:
            raise ApiError(not_found_code)
        if instance.status != 'Stopped':
            raise ApiError('IncorrectInstanceStatus', 'The current status of the instance (%s) does not support this operation.' % instance.status)
        self._schedule(instance, 'Starting', [(self.transition_seconds['start'], 'Running')], now)

    def stop_instance(self, params):
        """StopInstance: Running -> Stopping -> Stopped."""
        instance_id = _required(params, 'InstanceId')
        self._force_stop(params)
        with self.lock:
            self._stop(instance_id, 'InstanceIdNotFound', self.advance())
            return {'Code': 0}, True

    def start_instance(self, params):
        """StartInstance: Stopped -> Starting -> Running."""
        instance_id = _required(params, 'InstanceId')
        with self.lock:
            self._start(instance_id, 'InstanceNotFound', self.advance())
            return {'Code': 0}, True

    def reboot_instance(self, params):
        """RebootInstance: Running -> Starting -> Running (as documented), taking the ``start`` time."""
        instance_id = _required(params, 'InstanceId')
        self._force_stop(params)
        with self.lock:
            now = self.advance()
            instance = self.instances.get(instance_id)
            if instance is None:
                raise ApiError('InstanceNotFound')
            if instance.status != 'Running':
                raise ApiError('IncorrectInstanceStatus', 'The current status of the instance (%s) does not support this operation.' % instance.status)
            self._schedule(instance, 'Starting', [(self.transition_seconds['start'], 'Running')], now)
            return {'Code': 0}, True

    def _batch(self, params, operation, not_found_code, instance_failures=None):
        ids = comma_list(params, 'InstanceIds')
        if not ids:
            raise missing_parameter('InstanceIds')
        with self.lock:
            now = self.advance()
            responses = []
            effect = False
            for instance_id in ids:
                injected = (instance_failures or {}).get(instance_id)
                if injected is not None:
                    responses.append({'InstanceId': instance_id, 'Code': injected['code'], 'Message': injected['message']})
                    continue
                try:
                    operation(instance_id, not_found_code, now)
                except ApiError as exc:
                    responses.append({'InstanceId': instance_id, 'Code': exc.code, 'Message': exc.message})
                else:
                    effect = True
                    responses.append({'InstanceId': instance_id, 'Code': '0', 'Message': 'success'})
            return {'InstanceResponses': responses}, effect

    def stop_instances(self, params, instance_failures=None):
        """StopInstances: comma list; per-instance results in InstanceResponses (``instance_failures``: {id: fail_next entry})."""
        return self._batch(params, self._stop, 'InstanceIdNotFound', instance_failures)

    def start_instances(self, params, instance_failures=None):
        """StartInstances: comma list; per-instance results in InstanceResponses (``instance_failures``: {id: fail_next entry})."""
        return self._batch(params, self._start, 'InstanceNotFound', instance_failures)

    ACTIONS = {
        'DescribeNetworkInterfaces': ('describe_network_interfaces', False),
        'DescribeInstances': ('describe_instances', False),
        'AttachNetworkInterface': ('attach_network_interface', True),
        'DetachNetworkInterface': ('detach_network_interface', True),
        'StopInstance': ('stop_instance', True),
        'StartInstance': ('start_instance', True),
        'RebootInstance': ('reboot_instance', True),
        'StopInstances': ('stop_instances', True),
        'StartInstances': ('start_instances', True),
    }

    @classmethod
    def is_mutating(cls, action):
        """Return True for actions that change state."""
        return cls.ACTIONS.get(action, (None, False))[1]

    def dispatch(self, action, params, instance_failures=None):
        """Run ``action``; return ``(body, effect)`` or raise :class:`ApiError`.

        ``instance_failures`` ({instance_id: {"code", "message"}}, batch actions only) fails those instances' entries.
        """
        entry = self.ACTIONS.get(action)
        if entry is None:
            raise ApiError('InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', 400)
        if instance_failures:
            return getattr(self, entry[0])(params, instance_failures)
        return getattr(self, entry[0])(params)
