# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's /_sim/ control API from a shell, with the standard library only (no curl needed).

Usage: python sim.py URL GET|POST PATH [JSON_FILE]   prints the JSON answer
"""

from __future__ import annotations

import sys
import urllib.request


def main(url, method, path, body_file=None):
    data = None
    if body_file is not None:
        with open(body_file, "rb") as handle:
            data = handle.read()
    elif method == "POST":
        data = b"{}"
    request = urllib.request.Request(url.rstrip("/") + "/_sim/" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    # Loopback only: never through a proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as answer:
        sys.stdout.write(answer.read().decode() + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
