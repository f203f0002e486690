# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile or broken ENS endpoint for the ens_bad_input target: one loopback port per misbehaviour.

Usage: python hostile_endpoint.py STATE_FILE LIFETIME_SECONDS
Writes {"pid": ..., "ports": {mode: port}} to STATE_FILE once every port listens, serves until LIFETIME
runs out, and records in STATE_FILE.sink any request that reached the "sink" port (where "redirect" points).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ansible-test runs this from a copy of the target: the simulator package is in the collection under test
sys.path[:0] = [os.path.join(path, "ansible_collections", "alibabacloud", "ens", "tests", "simulator")
                for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if path]
from ens_simulator.answers import send_answer  # noqa: E402 pylint: disable=wrong-import-position


def page(total, items):
    return {"RequestId": "HOSTILE-REQ-1", "TotalCount": total, "PageNumber": 1, "PageSize": 50,
            "NetworkInterfaceSets": {"NetworkInterfaceSet": items}}


ENI = {"NetworkInterfaceId": "eni-sim-free-01", "Status": "Available", "InstanceId": ""}


def make_handler(mode, ports, state_file):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=None):
            send_answer(self, status, body, content_type, headers)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length") or 0))
            if mode == "sink":
                with open(state_file + ".sink", "a") as sink:
                    sink.write(json.dumps({"token": "x-acs-security-token" in self.headers}) + "\n")
                self.reply(200, page(1, [ENI]))
            elif mode == "redirect":
                self.reply(302, b"", "text/plain", {"Location": "http://127.0.0.1:%d/" % ports["sink"]})
            elif mode == "trickle":
                data = json.dumps(page(1, [ENI])).encode()
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(data))
                for byte in data:
                    self.wfile.flush()
                    time.sleep(0.5)
                    self.wfile.write(bytes((byte,)))
            elif mode == "html503":
                self.reply(503, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", "text/html")
            elif mode == "endless_pages":
                self.reply(200, page(10 ** 9, [ENI]))
            elif mode == "bad_total":
                self.reply(200, page("abc", [ENI]))
            elif mode == "no_id":
                self.reply(200, page(1, [{"Status": "Available"}]))
            elif mode == "big_body":
                self.reply(200, b"<pre>" + b"x" * (5 * 1024 * 1024) + b"</pre>", "text/html")

    return Handler


def main():
    state_file, lifetime = sys.argv[1], float(sys.argv[2])
    modes = ("sink", "redirect", "trickle", "html503", "endless_pages", "bad_total", "no_id", "big_body")
    ports = {}
    servers = []
    for mode in modes:
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(mode, ports, state_file))
        server.daemon_threads = True
        ports[mode] = server.server_address[1]
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(state_file + ".tmp", "w") as state:
        json.dump({"pid": os.getpid(), "ports": ports}, state)
    os.rename(state_file + ".tmp", state_file)
    time.sleep(lifetime)


if __name__ == "__main__":
    main()
