"""Simulated resources: statuses and natural transitions, :class:`Resource`, building one from a fixture entry, and
the API representation of ENIs and instances."""

import hashlib

from .fleet import FixtureError

ENI_STATUSES = ('Available', 'Attaching', 'InUse', 'Detaching', 'Deleting')
# Creating ends in Running; Expired (only a renewal clears it) and Releasing (then the instance is gone) never end usable
INSTANCE_STATUSES = ('Creating', 'Running', 'Stopping', 'Stopped', 'Starting', 'Expired', 'Releasing')
ATTACHED_STATUSES = ('Attaching', 'InUse', 'Detaching')

# transient status -> (natural target, transition kind); a target of None removes the resource; a kind of None
# means no configured time: the step happens only after an explicit TransitionRemaining
ENI_TRANSITIONS = {'Attaching': ('InUse', 'attach'), 'Detaching': ('Available', 'detach'), 'Deleting': (None, 'detach')}
INSTANCE_TRANSITIONS = {'Stopping': ('Stopped', 'stop'), 'Starting': ('Running', 'start'), 'Creating': ('Running', 'start'),
                        'Releasing': (None, None)}
DEFAULT_CREATION_TIME = '2024-03-01T08:00:00Z'


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


def _pop_new_id(entry, key, existing, what):
    """Pop a fixture entry's ID ``key``; FixtureError when it is missing or already taken."""
    resource_id = entry.pop(key, None)
    if not resource_id:
        raise FixtureError('%s needs %s' % (what, key))
    if resource_id in existing:
        raise FixtureError('duplicate %s %s' % (key, resource_id))
    return resource_id


def instance_from_entry(entry, instances, now):
    """Build an instance from a fixture entry; return ``(resource, TransitionRemaining)`` (``instances``: those built so far)."""
    entry = dict(entry)
    instance_id = _pop_new_id(entry, 'InstanceId', instances, 'an instance')
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
    resource = Resource('instance', instance_id, attrs, status, now, len(instances))
    return resource, remaining


def eni_from_entry(entry, instances, enis, now, next_ip):
    """Build an ENI from a fixture entry; return ``(resource, TransitionRemaining)`` (``next_ip()``: a fresh PrimaryIp)."""
    entry = dict(entry)
    eni_id = _pop_new_id(entry, 'NetworkInterfaceId', enis, 'a network interface')
    instance_id = entry.get('InstanceId') or ''
    instance = instances.get(instance_id) if instance_id else None
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
        attrs['PrimaryIp'] = next_ip()
    attrs['SecurityGroupIds'] = _as_list(attrs.get('SecurityGroupIds')) or ['sg-%s' % _digest(attrs['NetworkId'])[:12]]
    attrs['Ipv6Addresses'] = _as_list(attrs.get('Ipv6Addresses'))
    if attrs['Type'] not in ('Primary', 'Secondary'):
        raise FixtureError('network interface %s has Type %r (Primary or Secondary)' % (eni_id, attrs['Type']))
    resource = Resource('eni', eni_id, attrs, status, now, len(enis))
    return resource, remaining


def render_eni(eni, stale=None):
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


def render_instance(instance, enis, stale=None):
    """Return the API representation of an instance (``enis``: its attached ENIs, primary first; ``stale``: lagging fields)."""
    attrs = instance.attrs
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
