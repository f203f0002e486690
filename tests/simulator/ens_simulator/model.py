"""The ENS API actions and their rules over the simulated fleet (the simulator's "backend", independent of HTTP).

:class:`EnsModel` is the fleet state of :mod:`.state` plus one method per API action; every action takes the lock and
first advances the transitions to "now".  The names other code imports from here (ApiError, the status tables, the
parameter decoders) are kept.
"""

from .errors import ERROR_MESSAGES, ApiError, invalid_parameter, missing_parameter
from .params import (DEFAULT_PAGE_SIZE, MAX_IDS_PER_FILTER, MAX_PAGE_SIZE, comma_list, json_list, paginate, repeat_list, required_param,
                     str_param)
from .resources import (ATTACHED_STATUSES, DEFAULT_CREATION_TIME, ENI_STATUSES, ENI_TRANSITIONS, INSTANCE_STATUSES, INSTANCE_TRANSITIONS,
                        Resource, default_mac)
from .state import FleetState

__all__ = [
    'ATTACHED_STATUSES', 'DEFAULT_CREATION_TIME', 'DEFAULT_PAGE_SIZE', 'ENI_STATUSES', 'ENI_TRANSITIONS', 'ERROR_MESSAGES', 'INSTANCE_STATUSES',
    'INSTANCE_TRANSITIONS', 'MAX_IDS_PER_FILTER', 'MAX_PAGE_SIZE', 'ApiError', 'EnsModel', 'Resource', 'comma_list', 'default_mac',
    'invalid_parameter', 'json_list', 'missing_parameter', 'paginate', 'repeat_list',
]


class EnsModel(FleetState):
    """The simulated ENS fleet: instances, ENIs, rules and timed transitions."""

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
            value = str_param(params, param)
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
            (str_param(params, 'SecurityGroupId'), lambda eni, wanted: wanted in eni.attrs['SecurityGroupIds']),
            (str_param(params, 'Ipv6Address'), lambda eni, wanted: wanted in eni.attrs['Ipv6Addresses']),
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
        instance_id = required_param(params, 'InstanceId')
        eni_id = required_param(params, 'NetworkInterfaceId')
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
        eni_id = required_param(params, 'NetworkInterfaceId')
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
        value = str_param(params, 'ForceStop')
        if value is not None and value not in ('true', 'false'):
            raise invalid_parameter('ForceStop', 'Use "true" or "false".')

    def _power_step(self, instance_id, not_found_code, needed, status, kind, target, now):
        """Move an instance in status ``needed`` to ``status``, then to ``target`` after the ``kind`` transition time."""
        instance = self.instances.get(instance_id)
        if instance is None:
            raise ApiError(not_found_code)
        if instance.status != needed:
            raise ApiError('IncorrectInstanceStatus', 'The current status of the instance (%s) does not support this operation.' % instance.status)
        self._schedule(instance, status, [(self.transition_seconds[kind], target)], now)

    def _stop(self, instance_id, not_found_code, now):
        self._power_step(instance_id, not_found_code, 'Running', 'Stopping', 'stop', 'Stopped', now)

    def _start(self, instance_id, not_found_code, now):
        self._power_step(instance_id, not_found_code, 'Stopped', 'Starting', 'start', 'Running', now)

    def stop_instance(self, params):
        """StopInstance: Running -> Stopping -> Stopped."""
        instance_id = required_param(params, 'InstanceId')
        self._force_stop(params)
        with self.lock:
            self._stop(instance_id, 'InstanceIdNotFound', self.advance())
            return {'Code': 0}, True

    def start_instance(self, params):
        """StartInstance: Stopped -> Starting -> Running."""
        instance_id = required_param(params, 'InstanceId')
        with self.lock:
            self._start(instance_id, 'InstanceNotFound', self.advance())
            return {'Code': 0}, True

    def reboot_instance(self, params):
        """RebootInstance: Running -> Starting -> Running (as documented), taking the ``start`` time."""
        instance_id = required_param(params, 'InstanceId')
        self._force_stop(params)
        with self.lock:
            self._power_step(instance_id, 'InstanceNotFound', 'Running', 'Starting', 'start', 'Running', self.advance())
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
