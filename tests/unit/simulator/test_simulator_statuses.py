"""Instance statuses beyond the four (Creating, Expired, Releasing) and RebootInstance as documented."""

import pytest

from alibabacloud_ens20171110 import models as ens_models
from Tea.exceptions import TeaException
from sim_testing import HandClock, snapshot, wait_for

LONG = 30.0
SIM_TRANSITION_SECONDS = LONG
SIM_HOLD_ATTACHING = True


def refused(sim, call, request):
    before = snapshot(sim)
    with pytest.raises(TeaException) as info:
        call(request)
    assert info.value.status_code == 400
    assert snapshot(sim) == before
    return info.value.code


@pytest.mark.parametrize('status', ['Creating', 'Expired', 'Releasing'])
@pytest.mark.parametrize('instance_id', ['i-sim-run-01', 'i-sim-stop-01'])
def test_every_mutating_call_is_refused(sim, client, status, instance_id):
    sim.control.set_status(instance_id, status, -1)
    assert client.describe_instances(ens_models.DescribeInstancesRequest(instance_id=instance_id)).body.instances.instance[0].status == status
    for call, request in [
        (client.stop_instance, ens_models.StopInstanceRequest(instance_id=instance_id)),
        (client.start_instance, ens_models.StartInstanceRequest(instance_id=instance_id)),
        (client.reboot_instance, ens_models.RebootInstanceRequest(instance_id=instance_id)),
    ]:
        assert refused(sim, call, request) == 'IncorrectInstanceStatus'
    attach = ens_models.AttachNetworkInterfaceRequest(instance_id=instance_id, network_interface_id='eni-sim-free-01')
    assert refused(sim, client.attach_network_interface, attach) == 'InvalidOperation.InvalidEnsStatus'
    secondary = 'eni-sim-stop-01-s1' if instance_id == 'i-sim-stop-01' else 'eni-sim-run-02-s1'
    if instance_id == 'i-sim-run-01':
        sim.control.set_status('i-sim-run-02', status, -1)
    detach = ens_models.DetachNetworkInterfaceRequest(network_interface_id=secondary)
    assert refused(sim, client.detach_network_interface, detach) == 'InvalidOperation.InvalidEnsStatus'
    batch = client.start_instances(ens_models.StartInstancesRequest(instance_ids=[instance_id])).body.instance_responses
    assert [(item.instance_id, item.code) for item in batch] == [(instance_id, 'IncorrectInstanceStatus')]
    batch = client.stop_instances(ens_models.StopInstancesRequest(instance_ids=[instance_id])).body.instance_responses
    assert [(item.instance_id, item.code) for item in batch] == [(instance_id, 'IncorrectInstanceStatus')]
    assert sim.control.calls()['effects'] == 0


@pytest.mark.parametrize('status', ['Expired', 'Releasing'])
def test_expired_and_releasing_never_end_by_themselves(sim, status):
    sim.control.set_status('i-sim-stop-01', status)
    state = sim.model.state()['instances']['i-sim-stop-01']
    assert state['Status'] == status and state['pending'] == []


def test_creating_becomes_running_after_the_start_time(sim, client):
    sim.control.set_transition({'start': 0.1})
    sim.control.set_status('i-sim-stop-01', 'Creating')
    pending = sim.model.state()['instances']['i-sim-stop-01']['pending']
    assert [status for _due, status in pending] == ['Running']
    assert wait_for(lambda: sim.model.state()['instances']['i-sim-stop-01']['Status'] == 'Running')
    history = sim.model.state()['instances']['i-sim-stop-01']['history']
    assert [status for status, _since in history] == ['Stopped', 'Creating', 'Running']
    assert history[2][1] - history[1][1] == pytest.approx(0.1, abs=1e-6)
    assert client.stop_instance(ens_models.StopInstanceRequest(instance_id='i-sim-stop-01')).body.code == 0


def test_statuses_from_a_fixture(ens_simulator_factory, ens_sdk_client_factory):
    clock = HandClock()
    sim = ens_simulator_factory({
        'transition_seconds': 0.1,
        'instances': [
            {'InstanceId': 'i-new', 'Status': 'Creating', 'EnsRegionId': 'r', 'NetworkId': 'n'},
            {'InstanceId': 'i-old', 'Status': 'Expired', 'EnsRegionId': 'r', 'NetworkId': 'n'},
            {'InstanceId': 'i-gone', 'Status': 'Releasing', 'TransitionRemaining': 0.2, 'EnsRegionId': 'r', 'NetworkId': 'n'},
            {'InstanceId': 'i-slow', 'Status': 'Releasing', 'EnsRegionId': 'r', 'NetworkId': 'n'},
        ],
        'network_interfaces': [
            {'NetworkInterfaceId': 'eni-gone-p', 'InstanceId': 'i-gone', 'Type': 'Primary'},
            {'NetworkInterfaceId': 'eni-gone-s', 'InstanceId': 'i-gone'},
        ],
    }, clock=clock)
    client = ens_sdk_client_factory(sim)
    body = client.describe_instances(ens_models.DescribeInstancesRequest()).body
    assert {item.instance_id: item.status for item in body.instances.instance} == {
        'i-new': 'Creating', 'i-old': 'Expired', 'i-gone': 'Releasing', 'i-slow': 'Releasing'}
    filtered = client.describe_instances(ens_models.DescribeInstancesRequest(status='Expired')).body
    assert [item.instance_id for item in filtered.instances.instance] == ['i-old']
    clock.now += 0.1
    assert sim.model.state()['instances']['i-new']['Status'] == 'Running'
    assert 'i-gone' in sim.model.state()['instances']
    clock.now += 0.15
    state = sim.model.state()
    assert 'i-gone' not in state['instances']
    assert state['instances']['i-old']['Status'] == 'Expired' and state['instances']['i-slow']['Status'] == 'Releasing'
    # the released instance took its primary ENI with it; its secondary ENI is free again
    assert 'eni-gone-p' not in state['network_interfaces']
    assert state['network_interfaces']['eni-gone-s']['Status'] == 'Available' and state['network_interfaces']['eni-gone-s']['InstanceId'] == ''
    with pytest.raises(TeaException) as info:
        client.start_instance(ens_models.StartInstanceRequest(instance_id='i-gone'))
    assert info.value.code == 'InstanceNotFound'
    assert client.describe_instances(ens_models.DescribeInstancesRequest(instance_id='i-gone')).body.total_count == 0


def test_reboot_goes_through_starting_only(sim, client):
    assert client.reboot_instance(ens_models.RebootInstanceRequest(instance_id='i-sim-run-01')).body.code == 0
    described = client.describe_instances(ens_models.DescribeInstancesRequest(instance_id='i-sim-run-01')).body.instances.instance[0]
    assert described.status == 'Starting'
    state = sim.model.state()['instances']['i-sim-run-01']
    assert [status for status, _since in state['history']] == ['Running', 'Starting']
    assert [status for _due, status in state['pending']] == ['Running']
    assert state['pending'][0][0] - state['history'][1][1] == pytest.approx(LONG, abs=1e-6)
    # a second reboot while Starting is refused
    assert refused(sim, client.reboot_instance, ens_models.RebootInstanceRequest(instance_id='i-sim-run-01')) == 'IncorrectInstanceStatus'
    last = sim.control.calls()['calls']
    assert [(call['action'], call['effect']) for call in last if call['action'] == 'RebootInstance'] == [('RebootInstance', True), ('RebootInstance', False)]
