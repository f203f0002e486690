"""The command line: ``python -m ens_simulator`` prints its URL, serves the SDK and exits 0 on SIGTERM or /_sim/shutdown."""

import json
import os
import signal
import subprocess
import sys

import pytest

from alibabacloud_ens20171110 import models as ens_models
from ens_simulator import ControlClient

SIMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'simulator')


class Endpoint:
    def __init__(self, url):
        self.url = url
        self.endpoint = url[len('http://'):]


def start_cli(*args):
    env = dict(os.environ, PYTHONPATH=SIMULATOR_DIR)
    process = subprocess.Popen([sys.executable, '-m', 'ens_simulator', '--port', '0'] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, text=True)
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise AssertionError('the simulator exited: %s' % process.communicate()[1])
    return process, line


@pytest.fixture
def cli_processes():
    processes = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_cli_serves_the_sdk_and_stops_on_sigterm(tmp_path, cli_processes, ens_sdk_client_factory):
    url_file, pid_file, call_log = tmp_path / 'sim.url', tmp_path / 'sim.pid', tmp_path / 'calls.jsonl'
    process, line = start_cli('--fixture', 'demo', '--transition-seconds', '0.05', '--url-file', str(url_file), '--pid-file', str(pid_file),
                              '--call-log', str(call_log))
    cli_processes.append(process)
    url = line.strip()
    assert line.endswith('\n') and url.startswith('http://127.0.0.1:')
    assert url_file.read_text().strip() == url
    assert int(pid_file.read_text().strip()) == process.pid
    client = ens_sdk_client_factory(Endpoint(url))
    body = client.describe_instances(ens_models.DescribeInstancesRequest()).body
    assert [instance.instance_name for instance in body.instances.instance] == ['web-1', 'web-2', 'web-3']
    assert ControlClient(url).state()['transition_seconds']['attach'] == 0.05
    process.send_signal(signal.SIGTERM)
    stdout, _stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert stdout == ''
    assert not url_file.exists() and not pid_file.exists()
    assert [json.loads(entry)['action'] for entry in call_log.read_text().splitlines()] == ['DescribeInstances']


def test_cli_stops_on_sigint(cli_processes):
    process, _line = start_cli()
    cli_processes.append(process)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0


def test_cli_stops_on_shutdown_endpoint(tmp_path, cli_processes):
    url_file = tmp_path / 'sim.url'
    process, line = start_cli('--url-file', str(url_file), '--faults', '{"seed": 3, "latency_ms": 5}')
    cli_processes.append(process)
    control = ControlClient(line.strip())
    assert control.call('GET', 'faults')[1]['faults']['latency_ms'] == 5
    assert control.shutdown() == {'ok': True}
    assert process.wait(timeout=10) == 0
    assert not url_file.exists()


def test_cli_behaviours_and_read_lag(tmp_path, cli_processes):
    config = tmp_path / 'behaviours.json'
    config.write_text(json.dumps({'read_lag': 2, 'rate_limits': {'*': 50}, 'seed': 7}))
    process, line = start_cli('--behaviours', str(config), '--read-lag', '0.5')
    cli_processes.append(process)
    control = ControlClient(line.strip())
    behaviours = control.behaviours()['behaviours']
    assert behaviours['read_lag'] == 0.5 and behaviours['rate_limits'] == {'*': 50} and behaviours['seed'] == 7
    control.set_behaviours({})
    control.reset()
    assert control.behaviours()['behaviours']['read_lag'] == 0.5
    process, line = start_cli('--behaviours', '{"one_eni_operation_per_instance": true}')
    cli_processes.append(process)
    assert ControlClient(line.strip()).behaviours()['behaviours']['one_eni_operation_per_instance'] is True


def test_cli_rejects_bad_behaviours():
    env = dict(os.environ, PYTHONPATH=SIMULATOR_DIR)
    result = subprocess.run([sys.executable, '-m', 'ens_simulator', '--behaviours', '{"read_lags": 1}'], capture_output=True, text=True, env=env,
                            timeout=30, check=False)
    assert result.returncode == 2 and 'read_lags' in result.stderr


def test_cli_rejects_an_unknown_fixture():
    env = dict(os.environ, PYTHONPATH=SIMULATOR_DIR)
    result = subprocess.run([sys.executable, '-m', 'ens_simulator', '--fixture', 'no-such-fixture'], capture_output=True, text=True, env=env,
                            timeout=30, check=False)
    assert result.returncode == 2 and result.stdout == '' and 'no-such-fixture' in result.stderr
