"""DescribeNetworkInterfaces / DescribeInstances through the official SDK: shapes, filters, paging, list encodings."""

import json

import pytest

from alibabacloud_ens20171110 import models as ens_models
from alibabacloud_tea_openapi import utils_models
from darabonba.runtime import RuntimeOptions
from sim_testing import error_of

ENI_FIELDS = {
    'NetworkInterfaceId', 'NetworkInterfaceName', 'Description', 'Status', 'Type', 'InstanceId', 'EnsRegionId', 'NetworkId',
    'VSwitchId', 'PrimaryIp', 'PrimaryIpType', 'MacAddress', 'CreationTime', 'SecurityGroupIds', 'PrivateIpSets', 'Ipv6Sets',
}
DEFAULT_ENI_IDS = [
    'eni-sim-run-01-p', 'eni-sim-run-02-p', 'eni-sim-run-02-s1', 'eni-sim-stop-01-p', 'eni-sim-stop-01-s1', 'eni-sim-stop-02-p',
    'eni-sim-full-01-p',
] + ['eni-sim-full-01-s%d' % k for k in range(1, 10)] + [
    'eni-sim-free-01', 'eni-sim-free-02', 'eni-sim-free-03', 'eni-sim-othernet-01', 'eni-sim-otherregion-01', 'eni-sim-attaching-01',
]
GENERATED = {'generate': {'instances': 30, 'free_enis_per_instance': 2, 'network_id': 'n-gen', 'ens_region_id': 'cn-tianjin-cmcc'}}


def raw_call(client, action, query):
    """Call any action with a hand-made query (to send encodings the typed SDK requests would not)."""
    params = utils_models.Params(action=action, version='2017-11-10', protocol='HTTPS', pathname='/', method='POST', auth_type='AK',
                                 style='RPC', req_body_type='formData', body_type='json')
    return client.call_api(params, utils_models.OpenApiRequest(query=query), RuntimeOptions())


def eni_ids(client, **kwargs):
    kwargs.setdefault('page_size', 100)
    body = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(**kwargs)).body
    return [eni.network_interface_id for eni in body.network_interface_sets.network_interface_set]


def instance_ids(client, **kwargs):
    kwargs.setdefault('page_size', 100)
    body = client.describe_instances(ens_models.DescribeInstancesRequest(**kwargs)).body
    return [instance.instance_id for instance in body.instances.instance]


def test_describe_network_interfaces_shape(ens_sdk_client):
    response = ens_sdk_client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(network_interface_id='eni-sim-run-02-s1'))
    assert response.status_code == 200
    body = response.body.to_map()
    assert body['TotalCount'] == 1 and body['PageNumber'] == 1 and body['PageSize'] == 10
    assert len(body['RequestId']) == 36 and body['RequestId'] == body['RequestId'].upper()
    eni = body['NetworkInterfaceSets']['NetworkInterfaceSet'][0]
    assert set(eni) == ENI_FIELDS
    assert eni['Status'] == 'InUse' and eni['Type'] == 'Secondary' and eni['InstanceId'] == 'i-sim-run-02'
    assert eni['EnsRegionId'] == 'cn-tianjin-cmcc' and eni['NetworkId'] == 'n-sim-main' and eni['VSwitchId'] == 'vsw-sim-main'
    assert eni['PrimaryIp'] == '10.10.1.12'
    assert eni['PrivateIpSets']['PrivateIpSet'] == [{'PrivateIpAddress': '10.10.1.12', 'Primary': True}]
    assert eni['MacAddress'].startswith('00:16:3e:') and len(eni['MacAddress']) == 17
    assert eni['SecurityGroupIds']['SecurityGroup'] and eni['Ipv6Sets'] == {'Ipv6Set': []}


def test_free_eni_has_empty_instance_id(client):
    body = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(network_interface_id='eni-sim-free-01')).body
    eni = body.network_interface_sets.network_interface_set[0]
    assert eni.status == 'Available' and eni.instance_id == ''


def test_unfiltered_order_is_fixture_order(client):
    assert eni_ids(client) == DEFAULT_ENI_IDS
    assert instance_ids(client) == ['i-sim-run-01', 'i-sim-run-02', 'i-sim-stop-01', 'i-sim-stop-02', 'i-sim-full-01']


@pytest.mark.parametrize('kwargs, expected', [
    ({'instance_id': 'i-sim-run-02'}, ['eni-sim-run-02-p', 'eni-sim-run-02-s1']),
    ({'ens_region_id': 'cn-beijing-cmcc'}, ['eni-sim-otherregion-01']),
    ({'status': 'Available'}, ['eni-sim-free-01', 'eni-sim-free-02', 'eni-sim-free-03', 'eni-sim-othernet-01', 'eni-sim-otherregion-01']),
    ({'status': 'Attaching'}, ['eni-sim-attaching-01']),
    ({'type': 'Primary'}, ['eni-sim-run-01-p', 'eni-sim-run-02-p', 'eni-sim-stop-01-p', 'eni-sim-stop-02-p', 'eni-sim-full-01-p']),
    ({'network_id': 'n-sim-other'}, ['eni-sim-othernet-01']),
    ({'v_switch_id': 'vsw-sim-other'}, ['eni-sim-othernet-01']),
    ({'primary_ip_address': '10.10.3.2'}, ['eni-sim-free-02']),
    ({'network_interface_id': 'eni-sim-free-03'}, ['eni-sim-free-03']),
    ({'network_interface_id': 'eni-does-not-exist'}, []),
    ({'network_interface_ids': ['eni-sim-free-03', 'eni-sim-free-01', 'eni-nope']}, ['eni-sim-free-01', 'eni-sim-free-03']),
    ({'status': 'Available', 'network_id': 'n-sim-main', 'ens_region_id': 'cn-tianjin-cmcc'}, ['eni-sim-free-01', 'eni-sim-free-02', 'eni-sim-free-03']),
    ({'instance_id': 'i-sim-stop-02', 'type': 'Secondary'}, ['eni-sim-attaching-01']),
])
def test_describe_network_interfaces_filters(client, kwargs, expected):
    assert eni_ids(client, **kwargs) == expected


def test_network_interface_ids_limit(client):
    ids = ['eni-x-%03d' % k for k in range(101)]
    error = error_of(eni_ids, client, network_interface_ids=ids)
    assert error.code == 'InvalidParameter.NetworkInterfaceIds' and error.status_code == 400
    assert eni_ids(client, network_interface_ids=ids[:100]) == []


def test_network_interface_ids_must_be_a_repeat_list(client):
    error = error_of(raw_call, client, 'DescribeNetworkInterfaces', {'NetworkInterfaceIds': '["eni-sim-free-01"]'})
    assert error.code == 'InvalidParameter.NetworkInterfaceIds'
    body = raw_call(client, 'DescribeNetworkInterfaces', {'NetworkInterfaceIds.1': 'eni-sim-free-02', 'NetworkInterfaceIds.2': 'eni-sim-free-01'})['body']
    assert [eni['NetworkInterfaceId'] for eni in body['NetworkInterfaceSets']['NetworkInterfaceSet']] == ['eni-sim-free-01', 'eni-sim-free-02']


def test_paging_network_interfaces_with_repeat_list(sim, client):
    sim.simulator.reset(fleet=GENERATED)
    wanted = ['eni-gen-%04d-%s' % (k, suffix) for k in range(1, 14) for suffix in ('p', 'a')][:25]
    pages = []
    for page_number in (1, 2, 3, 4):
        body = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(
            network_interface_ids=wanted, page_number=page_number, page_size=10)).body
        assert body.total_count == 25 and body.page_number == page_number and body.page_size == 10
        pages.append([eni.network_interface_id for eni in body.network_interface_sets.network_interface_set])
    assert [len(page) for page in pages] == [10, 10, 5, 0]
    assert sum(pages, []) == wanted


def test_default_page_size_and_cap(sim, client):
    sim.simulator.reset(fleet={'generate': {'instances': 50, 'free_enis_per_instance': 2}})
    body = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest()).body
    assert body.page_size == 10 and body.page_number == 1 and body.total_count == 150
    assert len(body.network_interface_sets.network_interface_set) == 10
    body = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(page_size=500, page_number=2)).body
    assert body.page_size == 100 and body.total_count == 150
    assert len(body.network_interface_sets.network_interface_set) == 50
    assert body.network_interface_sets.network_interface_set[0].network_interface_id == 'eni-gen-0034-a'
    body = client.describe_instances(ens_models.DescribeInstancesRequest()).body
    assert body.page_size == 10 and body.total_count == 50 and len(body.instances.instance) == 10
    body = client.describe_instances(ens_models.DescribeInstancesRequest(page_size=1000)).body
    assert body.page_size == 100 and len(body.instances.instance) == 50


@pytest.mark.parametrize('field, value', [('page_size', 0), ('page_number', 0), ('page_size', -3)])
def test_invalid_paging(client, field, value):
    error = error_of(client.describe_network_interfaces, ens_models.DescribeNetworkInterfacesRequest(**{field: value}))
    assert error.code == {'page_size': 'InvalidParameter.PageSize', 'page_number': 'InvalidParameter.PageNumber'}[field]


def test_paging_instances_with_json_list(sim, client):
    sim.simulator.reset(fleet=GENERATED)
    wanted = ['i-gen-%04d' % k for k in range(3, 28)]
    seen = []
    for page_number in (1, 2, 3):
        body = client.describe_instances(ens_models.DescribeInstancesRequest(
            instance_ids=json.dumps(list(reversed(wanted))), page_number=str(page_number), page_size='10')).body
        assert body.code == 0 and body.total_count == 25 and body.page_number == page_number
        seen.extend(instance.instance_id for instance in body.instances.instance)
    assert seen == wanted


def test_describe_instances_shape(client):
    body = client.describe_instances(ens_models.DescribeInstancesRequest(instance_id='i-sim-full-01')).body
    assert body.code == 0 and body.total_count == 1
    instance = body.to_map()['Instances']['Instance'][0]
    assert instance['InstanceName'] == 'app-full-01' and instance['Status'] == 'Stopped' and instance['EnsRegionId'] == 'cn-tianjin-cmcc'
    assert instance['NetworkAttributes']['NetworkId'] == 'n-sim-main' and instance['NetworkAttributes']['VSwitchId'] == 'vsw-sim-main'
    enis = instance['NetworkInterfaces']['NetworkInterfaces']
    assert len(enis) == 10
    assert enis[0] == {'NetworkInterfaceId': 'eni-sim-full-01-p', 'Type': 'Primary', 'MacAddress': enis[0]['MacAddress'], 'PrimaryIpAddress': '10.10.0.31'}
    assert [eni['NetworkInterfaceId'] for eni in enis[1:]] == ['eni-sim-full-01-s%d' % k for k in range(1, 10)]
    assert instance['PrivateIpAddresses']['PrivateIpAddress'][0]['Ip'] == '10.10.0.31'
    assert instance['CreationTime'] and instance['ImageId'] and instance['SpecName']


def test_instance_lists_attaching_eni(client):
    body = client.describe_instances(ens_models.DescribeInstancesRequest(instance_id='i-sim-stop-02')).body
    enis = body.instances.instance[0].network_interfaces.network_interfaces
    assert [eni.network_interface_id for eni in enis] == ['eni-sim-stop-02-p', 'eni-sim-attaching-01']


@pytest.mark.parametrize('kwargs, expected', [
    ({'status': 'Stopped'}, ['i-sim-stop-01', 'i-sim-stop-02', 'i-sim-full-01']),
    ({'status': 'Running'}, ['i-sim-run-01', 'i-sim-run-02']),
    ({'instance_id': 'i-sim-run-02'}, ['i-sim-run-02']),
    ({'instance_ids': '["i-sim-full-01", "i-sim-run-01", "i-nope"]'}, ['i-sim-run-01', 'i-sim-full-01']),
    ({'network_id': 'n-sim-main', 'status': 'Running'}, ['i-sim-run-01', 'i-sim-run-02']),
    ({'network_id': 'n-sim-other'}, []),
    ({'ens_region_id': 'cn-tianjin-cmcc', 'instance_id': 'i-sim-stop-01'}, ['i-sim-stop-01']),
    ({'ens_region_id': 'cn-beijing-cmcc'}, []),
])
def test_describe_instances_filters(client, kwargs, expected):
    assert instance_ids(client, **kwargs) == expected


@pytest.mark.parametrize('value', ['i-sim-run-01', '["i-1", 2]', '{"a": 1}', json.dumps(['i-%d' % k for k in range(101)])])
def test_describe_instances_bad_instance_ids(client, value):
    error = error_of(instance_ids, client, instance_ids=value)
    assert error.code == 'InvalidParameter.InstanceIds' and error.status_code == 400


def test_describe_instances_rejects_repeat_list_instance_ids(client):
    error = error_of(raw_call, client, 'DescribeInstances', {'InstanceIds.1': 'i-sim-run-01'})
    assert error.code == 'InvalidParameter.InstanceIds'


def test_filter_values_with_special_characters_are_signed_and_decoded(sim, client):
    name = 'web 1+/&=?%~*"\u00fc'
    with sim.model.lock:
        sim.model.enis['eni-sim-free-02'].attrs['NetworkInterfaceName'] = name
    assert eni_ids(client, network_interface_name=name) == ['eni-sim-free-02']
    assert sim.control.calls()['calls'][-1]['params']['NetworkInterfaceName'] == name
