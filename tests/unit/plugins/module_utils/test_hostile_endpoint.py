# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The real EnsApi and the real SDK against a hostile or broken endpoint: a tiny HTTP server on 127.0.0.1.

Each case is one the security review reproduced (issue #15 §3 and §4): trickled answers, endless or
repeating pages, answers of the wrong shape, HTML 5xx pages, huge bodies, redirects to another host, and
HTTP 200 answers that carry a failure Code.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ens_simulator.answers import send_answer

from ansible_collections.alibabacloud.ens.plugins.module_utils import _transport
from ansible_collections.alibabacloud.ens.plugins.module_utils._client import EnsApi
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError

SECRET = "hostileSecret-Zq81"
TOKEN = "sts-token-must-stay-home-7731"


class HostileServer:
    """Answers each request with `script(action, handler)`; records every request it got."""

    def __init__(self, script):
        self.script = script
        self.requests = []
        self.trickled = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length") or 0))
                action = self.headers.get("x-acs-action")
                server.requests.append({"action": action, "path": self.path, "headers": dict(self.headers)})
                try:
                    server.script(action, self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def actions(self, action=None):
        return [r["action"] for r in self.requests if action is None or r["action"] == action]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def answer(handler, status, body, content_type="application/json;charset=utf-8", headers=None):
    send_answer(handler, status, body, content_type, headers)


def eni(eni_id="eni-h-01", status="Available"):
    return {"NetworkInterfaceId": eni_id, "Status": status, "InstanceId": ""}


def eni_page(items, total, request_id="REQ-ENI"):
    return {"RequestId": request_id, "TotalCount": total, "PageNumber": 1, "PageSize": 50,
            "NetworkInterfaceSets": {"NetworkInterfaceSet": items}}


def instance_page(status, request_id="REQ-INST"):
    return {"RequestId": request_id, "Code": 0, "TotalCount": 1,
            "Instances": {"Instance": [{"InstanceId": "i-h-01", "Status": status}]}}


@pytest.fixture
def hostile():
    servers = []

    def start(script):
        server = HostileServer(script)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def make_api(server, **params):
    options = dict(endpoint=server.url, access_key_id="LTAIhostile0001", access_key_secret=SECRET,
                   api_retries=0, connect_timeout=1, read_timeout=1)
    options.update(params)
    api = EnsApi.from_params(options)
    api.retry_policy.sleep = lambda seconds: None
    return api


# -- a wall-clock bound per call ------------------------------------------------------------------

def trickle(handler, head, body, pause, server):
    """Send `head` then `body` one byte at a time, `pause` seconds apart; record how far it got."""
    sent = 0
    try:
        handler.wfile.write(head)
        handler.wfile.flush()
        for byte in body:
            time.sleep(pause)
            handler.wfile.write(bytes((byte,)))
            handler.wfile.flush()
            sent += 1
    except OSError:
        pass
    server.trickled.append((sent, len(body)))


def test_a_trickled_body_is_cut_at_the_calls_wall_clock_bound(hostile):
    body = json.dumps(eni_page([eni()], 1)).encode()
    holder = {}

    def script(action, handler):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        trickle(handler, head, body, 0.25, holder["server"])  # each byte well inside read_timeout

    server = holder["server"] = hostile(script)
    api = make_api(server)  # connect_timeout 1 + read_timeout 1: at most 2 s per call
    started = time.monotonic()
    with pytest.raises(EnsApiError) as raised:
        api.describe_network_interfaces(["eni-h-01"])
    assert time.monotonic() - started >= 2
    assert raised.value.code == "ConnectionError.Timeout"
    assert raised.value.transient and raised.value.maybe_applied
    assert "no complete answer within 2 s" in raised.value.message and "read_timeout" in raised.value.message
    assert "HTTP 200 received" in raised.value.message
    assert server.actions() == ["DescribeNetworkInterfaces"]  # api_retries 0: one attempt


def test_a_trickled_status_line_is_cut_too(hostile):
    holder = {}

    def script(action, handler):
        trickle(handler, b"", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 0.25, holder["server"])

    server = holder["server"] = hostile(script)
    api = make_api(server)
    with pytest.raises(EnsApiError) as raised:
        api.describe_instances(["i-h-01"])
    assert raised.value.code == "ConnectionError.Timeout" and "HTTP" not in raised.value.message.split("within")[1][:20]


# -- paging ----------------------------------------------------------------------------------------

def test_an_endless_total_count_repeating_one_item_fails_at_the_first_repeat(hostile):
    server = hostile(lambda action, handler: answer(handler, 200, eni_page([eni()], 10 ** 9, "REQ-PAGE")))
    api = make_api(server)
    with pytest.raises(EnsApiError) as raised:
        api.describe_network_interfaces()
    assert raised.value.code == "InvalidResponse.Shape"
    assert "page 2 repeats items of earlier pages and brings nothing new" in raised.value.message
    assert "TotalCount 1000000000" in raised.value.message and "REQ-PAGE" in raised.value.message
    assert len(server.actions()) == 2


def test_a_page_that_repeats_part_of_the_previous_one_is_deduplicated(hostile):
    pages = {1: [eni("eni-h-01"), eni("eni-h-02")], 2: [eni("eni-h-02"), eni("eni-h-03")]}

    def script(action, handler):
        number = int(handler.path.split("PageNumber=")[1].split("&")[0])
        answer(handler, 200, eni_page(pages.get(number, []), 3))

    api = make_api(hostile(script))
    found = api.describe_network_interfaces()
    assert [item["NetworkInterfaceId"] for item in found] == ["eni-h-01", "eni-h-02", "eni-h-03"]


def test_pages_that_never_end_stop_at_the_page_bound(hostile, monkeypatch):
    from ansible_collections.alibabacloud.ens.plugins.module_utils import _client
    monkeypatch.setattr(_client, "MAX_PAGES", 3)
    counter = iter(range(10 ** 6))
    server = hostile(lambda action, handler: answer(handler, 200, eni_page([eni("eni-h-%d" % next(counter))], 10 ** 9)))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).describe_network_interfaces()
    assert "needs more than 3 pages" in raised.value.message
    assert len(server.actions()) == 3


# -- shapes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,expected", [
    ({"RequestId": "REQ-S1", "TotalCount": "abc", "NetworkInterfaceSets": {"NetworkInterfaceSet": [eni()]}},
     "TotalCount is 'abc', not a count"),
    ({"RequestId": "REQ-S1", "TotalCount": 1, "NetworkInterfaceSets": {"NetworkInterfaceSet": [{"Status": "Available"}]}},
     "NetworkInterfaceSets.NetworkInterfaceSet[0] has no NetworkInterfaceId"),
    ({"RequestId": "REQ-S1", "TotalCount": 1, "NetworkInterfaceSets": {"NetworkInterfaceSet": [{"NetworkInterfaceId": "eni-h-01"}]}},
     "NetworkInterfaceSet[0] has no Status"),
    ({"RequestId": "REQ-S1"}, "TotalCount is missing"),
    ({"RequestId": "REQ-S1", "TotalCount": -1}, "TotalCount is -1"),
])
def test_answers_of_the_wrong_shape_fail_naming_action_and_request_id(hostile, body, expected):
    server = hostile(lambda action, handler: answer(handler, 200, body))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).describe_network_interfaces(["eni-h-01"])
    assert raised.value.code == "InvalidResponse.Shape" and not raised.value.transient
    assert expected in raised.value.message
    assert "action DescribeNetworkInterfaces" in raised.value.message
    assert raised.value.request_id == "REQ-S1" and "request id REQ-S1" in raised.value.message


@pytest.mark.parametrize("body,expected", [
    ({}, "TotalCount is missing"),
    ([], "the body is list, not a JSON object"),
    ({"RequestId": "REQ-S2", "TotalCount": 1, "NetworkInterfaceSets": [eni()]}, "NetworkInterfaceSets is list, not an object"),
    ({"RequestId": "REQ-S2", "TotalCount": 1, "NetworkInterfaceSets": {"NetworkInterfaceSet": ["eni-h-01"]}},
     "NetworkInterfaceSets.NetworkInterfaceSet[0] is str, not an object"),
])
def test_an_empty_object_or_a_list_where_an_object_belongs_is_refused(hostile, body, expected):
    server = hostile(lambda action, handler: answer(handler, 200, body))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).describe_network_interfaces(["eni-h-01"])
    assert raised.value.code in ("InvalidResponse", "InvalidResponse.Shape")
    assert expected in raised.value.message and "action DescribeNetworkInterfaces" in raised.value.message
    if isinstance(body, dict) and body.get("RequestId"):
        assert "request id REQ-S2" in raised.value.message


def test_an_instance_without_its_id_is_refused(hostile):
    body = {"RequestId": "REQ-S3", "Code": 0, "TotalCount": 1, "Instances": {"Instance": [{"Status": "Running"}]}}
    server = hostile(lambda action, handler: answer(handler, 200, body))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).describe_instances(["i-h-01"])
    assert "Instances.Instance[0] has no InstanceId" in raised.value.message and "REQ-S3" in raised.value.message


@pytest.mark.parametrize("nested,expected", [
    ({"NetworkAttributes": "x"}, "Instances.Instance[0].NetworkAttributes is str, not an object"),
    ({"NetworkInterfaces": "y"}, "Instances.Instance[0].NetworkInterfaces is str, not an object"),
    ({"NetworkInterfaces": {"NetworkInterfaces": "z"}}, "NetworkInterfaces.NetworkInterfaces is not a list of objects"),
    ({"NetworkInterfaces": {"NetworkInterfaces": ["eni-h-01"]}}, "NetworkInterfaces.NetworkInterfaces is not a list of objects"),
])
def test_an_instance_with_an_odd_nested_field_is_refused_not_a_crash(hostile, nested, expected):
    item = dict({"InstanceId": "i-h-01", "Status": "Stopped"}, **nested)
    body = {"RequestId": "REQ-S4", "Code": 0, "TotalCount": 1, "Instances": {"Instance": [item]}}
    server = hostile(lambda action, handler: answer(handler, 200, body))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).describe_instances(["i-h-01"])
    assert raised.value.code == "InvalidResponse.Shape"
    assert expected in raised.value.message and "REQ-S4" in raised.value.message


@pytest.mark.parametrize("request_id", [12345, {"a": 1}, ["x"], ""])
def test_a_request_id_that_is_not_a_string_is_dropped_not_carried(hostile, request_id):
    body = {"RequestId": request_id, "Code": "IncorrectInstanceStatus", "Message": "no"}
    server = hostile(lambda action, handler: answer(handler, 200, body))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).stop_instance("i-h-01")
    assert raised.value.request_id is None and "request id none" in raised.value.message
    error_body = {"RequestId": request_id, "Code": "InvalidParameter", "Message": "no"}
    server = hostile(lambda action, handler: answer(handler, 400, error_body))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).stop_instance("i-h-01")
    assert raised.value.request_id is None or isinstance(raised.value.request_id, str)


# -- 5xx pages and huge bodies ------------------------------------------------------------------------

def test_a_503_html_page_is_retried_and_keeps_its_status(hostile):
    page = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
    server = hostile(lambda action, handler: answer(handler, 503, page, "text/html"))
    with pytest.raises(EnsApiError) as raised:
        make_api(server, api_retries=2).describe_instances(["i-h-01"])
    assert len(server.actions()) == 3
    error = raised.value
    assert error.status_code == 503 and error.transient and error.code == "InvalidResponse"
    assert "HTTP 503" in error.message and "not JSON (text/html" in error.message
    assert "gave up after 3 attempts" in error.message


def test_a_503_html_page_on_a_mutating_call_reads_back_before_any_resend(hostile):
    def script(action, handler):
        if action == "StopInstance":
            answer(handler, 503, b"<html>busy</html>", "text/html")
        else:
            answer(handler, 200, instance_page("Stopping"))

    server = hostile(script)
    assert make_api(server, api_retries=3).stop_instance("i-h-01") == ""
    assert server.actions() == ["StopInstance", "DescribeInstances"]


def test_a_5mb_body_is_never_echoed_whole(hostile):
    junk = b"<pre>" + b"x" * (5 * 1024 * 1024) + b"</pre>"
    server = hostile(lambda action, handler: answer(handler, 200, junk, "text/html"))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).describe_instances(["i-h-01"])
    assert len(raised.value.message) <= 1100
    assert "not JSON" in raised.value.message and "[cut" not in raised.value.message.split("starting")[0]
    assert raised.value.message.count("x") < 300


def test_a_huge_json_message_is_cut_with_a_marker(hostile):
    body = {"RequestId": "REQ-BIG", "Code": "InvalidParameter", "Message": "y" * (5 * 1024 * 1024)}
    server = hostile(lambda action, handler: answer(handler, 400, body))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).describe_instances(["i-h-01"])
    message = raised.value.message
    assert len(message) <= 1100 and "[cut: " in message and "REQ-BIG" in message


def test_a_body_over_the_size_cap_is_refused_unread(hostile, monkeypatch):
    monkeypatch.setattr(_transport, "MAX_BODY_BYTES", 1024 * 1024)
    server = hostile(lambda action, handler: answer(handler, 200, b"z" * (3 * 1024 * 1024), "text/plain"))
    with pytest.raises(EnsApiError) as raised:
        make_api(server).describe_instances(["i-h-01"])
    assert raised.value.code == "InvalidResponse.TooLarge" and "over 1048576 bytes" in raised.value.message


# -- redirects -----------------------------------------------------------------------------------------

def test_a_redirect_is_an_error_and_the_token_never_reaches_the_other_host(hostile):
    elsewhere = hostile(lambda action, handler: answer(handler, 200, instance_page("Running")))
    target = "http://user:pw@127.0.0.1:%d/steal?x=1" % elsewhere.port
    server = hostile(lambda action, handler: answer(handler, 302, b"", "text/plain", {"Location": target}))
    api = make_api(server, security_token=TOKEN, api_retries=2)
    with pytest.raises(EnsApiError) as raised:
        api.describe_instances(["i-h-01"])
    assert elsewhere.requests == []  # nothing, so no token, went to the other host
    assert len(server.requests) == 1 and not raised.value.transient
    error = raised.value
    assert error.code == "InvalidResponse.Redirect" and error.status_code == 302
    assert "http://127.0.0.1:%d" % elsewhere.port in error.message and "never followed" in error.message
    assert "pw" not in error.message and "steal" not in error.message and TOKEN not in error.message


@pytest.mark.parametrize("status", [301, 307, 308])
def test_every_redirect_status_on_a_mutating_call_is_refused(hostile, status):
    elsewhere = hostile(lambda action, handler: answer(handler, 200, {"RequestId": "R", "Code": 0}))
    location = "http://127.0.0.1:%d/" % elsewhere.port
    server = hostile(lambda action, handler: answer(handler, status, b"", "text/plain", {"Location": location}))
    with pytest.raises(EnsApiError) as raised:
        make_api(server, security_token=TOKEN).stop_instance("i-h-01")
    assert raised.value.code == "InvalidResponse.Redirect" and elsewhere.requests == []


# -- HTTP 200 answers that carry a failure -----------------------------------------------------------

def test_a_200_answer_with_a_failure_code_is_an_error_and_never_resent(hostile):
    body = {"RequestId": "REQ-CODE", "Code": "IncorrectInstanceStatus", "Message": "The instance is not running."}
    server = hostile(lambda action, handler: answer(handler, 200, body))
    with pytest.raises(EnsApiError) as raised:
        make_api(server, api_retries=5).stop_instance("i-h-01")
    error = raised.value
    assert error.code == "IncorrectInstanceStatus" and error.request_id == "REQ-CODE"
    assert error.action == "StopInstance" and error.resource == "i-h-01" and error.status_code == 200
    assert "stop instance i-h-01" in error.message and "REQ-CODE" in error.message
    assert server.actions() == ["StopInstance"]


def test_a_200_answer_with_a_backend_failure_code_reads_back_before_any_resend(hostile):
    def script(action, handler):
        if action == "StartInstance":
            answer(handler, 200, {"RequestId": "REQ-IE", "Code": "InternalError", "Message": "backend"})
        else:
            answer(handler, 200, instance_page("Starting"))

    server = hostile(script)
    assert make_api(server, api_retries=3).start_instance("i-h-01") == "REQ-IE"
    assert server.actions() == ["StartInstance", "DescribeInstances"]


@pytest.mark.parametrize("code", [0, "0", "200", None])
def test_a_200_answer_with_a_success_code_is_a_success(hostile, code):
    body = {"RequestId": "REQ-OK"}
    if code is not None:
        body["Code"] = code
    server = hostile(lambda action, handler: answer(handler, 200, body))
    assert make_api(server).stop_instance("i-h-01") == "REQ-OK"


# -- ens.interface.error -------------------------------------------------------------------------------

def test_an_interface_error_on_a_mutating_call_that_happened_is_read_back_not_resent(hostile):
    def script(action, handler):
        if action == "AttachNetworkInterface":
            answer(handler, 400, {"RequestId": "REQ-IF", "Code": "ens.interface.error", "Message": "backend failure"})
        else:
            answer(handler, 200, eni_page([{"NetworkInterfaceId": "eni-h-01", "Status": "Attaching", "InstanceId": "i-h-01"}], 1))

    server = hostile(script)
    assert make_api(server, api_retries=3).attach_network_interface("i-h-01", "eni-h-01") == "REQ-IF"
    assert server.actions() == ["AttachNetworkInterface", "DescribeNetworkInterfaces"]


def test_a_5xx_json_answer_without_a_code_keeps_its_status_and_is_retried(hostile):
    server = hostile(lambda action, handler: answer(handler, 502, {"message": "bad gateway"}))
    with pytest.raises(EnsApiError) as raised:
        make_api(server, api_retries=1).describe_instances(["i-h-01"])
    assert len(server.actions()) == 2
    assert raised.value.status_code == 502 and raised.value.transient and "HTTP 502" in raised.value.message


def test_a_mutating_call_cut_by_its_time_bound_is_read_back_never_resent(hostile):
    holder = {}

    def script(action, handler):
        if action == "StopInstance":
            body = json.dumps({"RequestId": "REQ-SLOW", "Code": 0}).encode()
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            trickle(handler, head, body, 0.25, holder["server"])
        else:
            answer(handler, 200, instance_page("Stopping"))

    server = holder["server"] = hostile(script)
    assert make_api(server, api_retries=3).stop_instance("i-h-01") == ""
    assert server.actions() == ["StopInstance", "DescribeInstances"]
