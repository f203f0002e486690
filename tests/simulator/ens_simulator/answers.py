"""One HTTP answer from a ``BaseHTTPRequestHandler``, for the small scripted servers the tests run beside the simulator
(hostile or broken endpoints: tests/unit/plugins/module_utils/test_hostile_endpoint.py, the ens_bad_input target)."""

import json


def send_answer(handler, status, body, content_type='application/json', headers=None):
    """Answer ``status`` with ``body`` (bytes as they are, anything else as JSON) and extra ``headers``."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header('Content-Type', content_type)
    handler.send_header('Content-Length', str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)
    handler.wfile.flush()
