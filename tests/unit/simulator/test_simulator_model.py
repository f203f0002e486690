"""The model without HTTP: a fake clock drives lazy transitions; fixture loading, generation and validation."""

import json

import pytest

import ens_simulator
from ens_simulator import fleet
from ens_simulator.model import ApiError, EnsModel
from sim_testing import HandClock


def test_transitions_are_resolved_lazily_from_timestamps():
    clock = HandClock(1000.0)
    model = EnsModel('default', transition_seconds={'attach': 2.0}, clock=clock)
    model.attach_network_interface({'InstanceId': 'i-sim-stop-01', 'NetworkInterfaceId': 'eni-sim-free-01'})
    eni = model.enis['eni-sim-free-01']
    assert eni.status == 'Attaching' and eni.queue == [(1002.0, 'InUse')]
    clock.now = 1001.999
    assert model.state()['network_interfaces']['eni-sim-free-01']['Status'] == 'Attaching'
    clock.now = 1500.0
    state = model.state()['network_interfaces']['eni-sim-free-01']
    assert state['Status'] == 'InUse'
    assert state['history'] == [['Available', 1000.0], ['Attaching', 1000.0], ['InUse', 1002.0]]


def test_rule_checks_see_resolved_state():
    clock = HandClock(1000.0)
    model = EnsModel('default', transition_seconds=1.0, clock=clock)
    model.stop_instance({'InstanceId': 'i-sim-run-01'})
    with pytest.raises(ApiError) as info:
        model.attach_network_interface({'InstanceId': 'i-sim-run-01', 'NetworkInterfaceId': 'eni-sim-free-01'})
    assert info.value.code == 'InvalidOperation.InvalidEnsStatus'
    clock.now += 1.0
    body, effect = model.attach_network_interface({'InstanceId': 'i-sim-run-01', 'NetworkInterfaceId': 'eni-sim-free-01'})
    assert body == {} and effect is True


def test_reboot_history_with_fake_clock():
    clock = HandClock(1000.0)
    model = EnsModel('default', transition_seconds={'stop': 3, 'start': 4}, clock=clock)
    model.reboot_instance({'InstanceId': 'i-sim-run-01'})
    clock.now = 1010.0
    # as documented: Running -> Starting -> Running, taking the start time (no Stopping/Stopped)
    assert model.state()['instances']['i-sim-run-01']['history'] == [
        ['Running', 1000.0], ['Starting', 1000.0], ['Running', 1004.0]]


def test_deleting_eni_disappears_after_its_time():
    clock = HandClock(1000.0)
    model = EnsModel({'instances': [], 'network_interfaces': [
        {'NetworkInterfaceId': 'eni-1', 'EnsRegionId': 'r', 'NetworkId': 'n', 'Status': 'Deleting', 'TransitionRemaining': 5}]}, clock=clock)
    assert 'eni-1' in model.state()['network_interfaces']
    clock.now += 5
    assert model.state()['network_interfaces'] == {}


def test_a_fixture_countdown_that_starts_at_the_next_api_call_ignores_time_until_then():
    clock = HandClock(1000.0)
    model = EnsModel({'instances': [{'InstanceId': 'i-x', 'Status': 'Starting', 'TransitionRemaining': 2,
                                     'TransitionStartsAtNextCall': True, 'EnsRegionId': 'r', 'NetworkId': 'n'}],
                      'network_interfaces': []}, clock=clock)
    clock.now = 1500.0
    state = model.state()['instances']['i-x']
    assert state['Status'] == 'Starting' and 'TransitionStartsAtNextCall' not in state
    model.start_countdowns()  # the HTTP layer calls it as each API call begins
    clock.now = 1501.999
    assert model.state()['instances']['i-x']['Status'] == 'Starting'
    clock.now = 1502.0
    assert model.state()['instances']['i-x']['history'] == [['Starting', 1000.0], ['Running', 1502.0]]
    model.start_countdowns()  # a later call starts nothing again
    assert model.state()['instances']['i-x']['Status'] == 'Running'


def test_dispatch_unknown_action():
    with pytest.raises(ApiError) as info:
        EnsModel('default').dispatch('CreateInstance', {})
    assert info.value.code == 'InvalidAction.NotFound'


def test_generated_fleet_ids_and_defaults():
    model = EnsModel({'generate': {'instances': 12, 'free_enis_per_instance': 28, 'secondary_enis_per_instance': 1, 'network_id': 'n-big'}})
    assert list(model.instances)[:2] == ['i-gen-0001', 'i-gen-0002'] and len(model.instances) == 12
    enis = [eni for eni in model.enis if eni.startswith('eni-gen-0001-')]
    assert enis[:5] == ['eni-gen-0001-p', 'eni-gen-0001-s1', 'eni-gen-0001-a', 'eni-gen-0001-b', 'eni-gen-0001-c']
    assert 'eni-gen-0001-o' in enis and 'eni-gen-0001-q' in enis
    assert enis[-3:] == ['eni-gen-0001-aa', 'eni-gen-0001-ab', 'eni-gen-0001-ac']
    assert len(model.enis) == 12 * 30
    assert model.enis['eni-gen-0001-p'].status == 'InUse' and model.enis['eni-gen-0001-p'].attrs['Type'] == 'Primary'
    assert model.enis['eni-gen-0001-a'].status == 'Available' and model.enis['eni-gen-0001-a'].attrs['InstanceId'] == ''
    ips = [eni.attrs['PrimaryIp'] for eni in model.enis.values()]
    assert len(set(ips)) == len(ips)
    instance = model.render_instance(model.instances['i-gen-0003'])
    assert instance['InstanceName'] == 'gen-0003' and instance['NetworkAttributes']['NetworkId'] == 'n-big'
    assert instance['Status'] == 'Running'


def test_generate_appends_to_listed_resources():
    data = json.loads(json.dumps({'instances': [{'InstanceId': 'i-x', 'EnsRegionId': 'r', 'NetworkId': 'n'}],
                                  'generate': {'instances': 2, 'status': 'Stopped', 'prefix': 'bench'}}))
    model = EnsModel(data)
    assert list(model.instances) == ['i-x', 'i-bench-0001', 'i-bench-0002']
    assert model.instances['i-bench-0002'].status == 'Stopped'


def test_missing_fields_get_realistic_defaults():
    model = EnsModel({'instances': [{'InstanceId': 'i-1', 'EnsRegionId': 'r', 'NetworkId': 'n'}],
                      'network_interfaces': [{'NetworkInterfaceId': 'eni-1', 'InstanceId': 'i-1', 'Type': 'Primary'},
                                             {'NetworkInterfaceId': 'eni-2', 'EnsRegionId': 'r', 'NetworkId': 'n'}]})
    first = model.render_eni(model.enis['eni-1'])
    assert first['Status'] == 'InUse' and first['EnsRegionId'] == 'r' and first['NetworkId'] == 'n' and first['VSwitchId'].startswith('vsw-')
    assert first['MacAddress'].startswith('00:16:3e:') and first['PrimaryIp'].count('.') == 3 and first['CreationTime']
    second = model.render_eni(model.enis['eni-2'])
    assert second['Status'] == 'Available' and second['InstanceId'] == '' and second['PrimaryIp'] != first['PrimaryIp']
    assert model.render_instance(model.instances['i-1'])['Status'] == 'Running'


@pytest.mark.parametrize('fixture, message', [
    ({'instances': [{'InstanceId': 'i-1', 'EnsRegionId': 'r', 'NetworkId': 'n'}] * 2}, 'duplicate'),
    ({'network_interfaces': [{'NetworkInterfaceId': 'eni-1', 'InstanceId': 'i-nope'}]}, 'unknown instance'),
    ({'instances': [{'InstanceId': 'i-1', 'EnsRegionId': 'r', 'NetworkId': 'n'}],
      'network_interfaces': [{'NetworkInterfaceId': 'eni-1', 'InstanceId': 'i-1', 'Status': 'Available'}]}, 'Available but has InstanceId'),
    ({'network_interfaces': [{'NetworkInterfaceId': 'eni-1', 'EnsRegionId': 'r', 'NetworkId': 'n', 'Status': 'InUse'}]}, 'no InstanceId'),
    ({'network_interfaces': [{'NetworkInterfaceId': 'eni-1', 'NetworkId': 'n'}]}, 'needs EnsRegionId'),
    ({'instances': [{'InstanceId': 'i-1', 'EnsRegionId': 'r'}]}, 'needs NetworkId'),
    ({'network_interfaces': [{'NetworkInterfaceId': 'eni-1', 'EnsRegionId': 'r', 'NetworkId': 'n', 'Type': 'Tertiary'}]}, 'Type'),
    ({'instance': []}, 'unknown fixture keys'),
    ({'transition_seconds': {'attach': -1}}, 'attach'),
    ({'transition_seconds': {'boot': 1}}, 'boot'),
    ({'generate': {'instances': 2, 'free': 1}}, 'unknown generate keys'),
    ({'credentials': [{'AccessKeyId': 'a'}]}, 'AccessKeySecret'),
    ({'credentials': [{'AccessKeyId': 'a', 'AccessKeySecret': 'b', 'DeniedActions': {'StopInstance': 'Nope'}}]}, 'DeniedActions'),
    ('no-such-fixture', 'not found'),
])
def test_bad_fixtures_are_rejected(fixture, message):
    with pytest.raises(fleet.FixtureError) as info:
        EnsModel(fixture)
    assert message in str(info.value)


def test_failed_load_keeps_the_previous_fleet():
    model = EnsModel('default')
    with pytest.raises(fleet.FixtureError):
        model.load({'network_interfaces': [{'NetworkInterfaceId': 'eni-1', 'InstanceId': 'i-nope'}]})
    assert 'i-sim-run-01' in model.instances and len(model.enis) == 22


def test_shipped_fixtures_and_default_credentials():
    assert {'default', 'demo'} <= set(fleet.fixture_names())
    for name in ('default', 'demo'):
        data = fleet.load_fixture(name)
        assert fleet.normalize_credentials(data['credentials'])[:3] == fleet.normalize_credentials(None)
    keys = {cred['AccessKeyId']: cred for cred in ens_simulator.DEFAULT_CREDENTIALS}
    assert keys['LTAIsimulatorKey0001']['AccessKeySecret'] == 'simSecret-Q7v9Xk2pRt'
    assert keys['STS.simulatorSts0001']['SecurityToken'] == 'simStsToken-Zx41Pq'
    assert keys['LTAIsimulatorDenied01']['DeniedActions'] == {'AttachNetworkInterface': 'NoPermission', 'DetachNetworkInterface': 'Forbidden.RAM'}
    assert EnsModel({'instances': []}).credentials == fleet.normalize_credentials(None)


def test_default_fixture_contents():
    model = EnsModel('default')
    statuses = {iid: res.status for iid, res in model.instances.items()}
    assert statuses == {'i-sim-run-01': 'Running', 'i-sim-run-02': 'Running', 'i-sim-stop-01': 'Stopped', 'i-sim-stop-02': 'Stopped',
                        'i-sim-full-01': 'Stopped'}
    assert len(model.attached_enis('i-sim-full-01')) == 10
    free = [eni.id for eni in model.enis.values() if eni.status == 'Available' and eni.attrs['NetworkId'] == 'n-sim-main'
            and eni.attrs['EnsRegionId'] == 'cn-tianjin-cmcc']
    assert free == ['eni-sim-free-01', 'eni-sim-free-02', 'eni-sim-free-03']
    assert model.enis['eni-sim-othernet-01'].attrs['NetworkId'] == 'n-sim-other'
    assert model.enis['eni-sim-otherregion-01'].attrs['EnsRegionId'] == 'cn-beijing-cmcc'
    assert model.enis['eni-sim-attaching-01'].status == 'Attaching'


def test_demo_fixture_contents():
    model = EnsModel('demo')
    assert [res.attrs['InstanceName'] for res in model.instances.values()] == ['web-1', 'web-2', 'web-3']
    assert all(res.status == 'Running' for res in model.instances.values())
    for number in (1, 2, 3):
        attached = [eni.id for eni in model.attached_enis('i-demo-web-%d' % number)]
        assert attached == ['eni-demo-web-%d-primary' % number, 'eni-demo-web-%d-old' % number]
        new = model.enis['eni-demo-web-%d-new' % number]
        assert new.status == 'Available' and new.attrs['NetworkId'] == 'n-demo-web'
    assert model.enis['eni-demo-wrongnet'].attrs['NetworkId'] != 'n-demo-web'


def test_letter_suffix_and_sequential_ips():
    assert [fleet.letter_suffix(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ['a', 'b', 'z', 'aa', 'ab', 'zz', 'aaa']
    assert fleet.free_suffixes(17)[-3:] == ['o', 'q', 'r']
    assert fleet.sequential_ip(0, 64) == '10.64.0.2' and fleet.sequential_ip(250, 64) == '10.64.1.2'
