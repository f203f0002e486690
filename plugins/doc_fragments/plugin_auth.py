# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Credentials, endpoint, retries and timeouts for the controller-side plugins (inventory): the same
    # options and environment variables as the modules (doc fragment alibabacloud.ens.common).
    # Ansible takes the LAST environment variable of an `env` list that is set, so the older provider's
    # names come first: ALIBABA_CLOUD_* wins when both are set, as for the modules.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - Alibaba Cloud AccessKey ID.
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_ID) is used, then E(ALICLOUD_ACCESS_KEY).
      - When no AccessKey is found anywhere, the SDK's default credential chain is used
        (OIDC, the CLI profile C(~/.aliyun/config.json), C(~/.alibabacloud/credentials.ini), the ECS RAM role).
    type: str
    env:
      - name: ALICLOUD_ACCESS_KEY
      - name: ALIBABA_CLOUD_ACCESS_KEY_ID
  access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret. Never printed or logged.
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) is used, then E(ALICLOUD_SECRET_KEY).
      - Prefer the environment (an AWX credential injects it) or a vaulted value over plain text in the configuration file.
    type: str
    env:
      - name: ALICLOUD_SECRET_KEY
      - name: ALIBABA_CLOUD_ACCESS_KEY_SECRET
  security_token:
    description:
      - STS security token, for temporary credentials. Never printed or logged.
      - If not set, the environment variable E(ALIBABA_CLOUD_SECURITY_TOKEN) is used, then E(ALICLOUD_SECURITY_TOKEN).
    type: str
    env:
      - name: ALICLOUD_SECURITY_TOKEN
      - name: ALIBABA_CLOUD_SECURITY_TOKEN
  region_id:
    description:
      - Region used to choose the API endpoint. ENS itself locates resources by their C(ens_region_id), so this
        only matters when O(endpoint) is not set.
      - If not set, the environment variable E(ALIBABA_CLOUD_REGION_ID) is used, then E(ALICLOUD_REGION).
      - When neither O(region_id) nor O(endpoint) is set, the SDK's central endpoint C(ens.aliyuncs.com) is used.
    type: str
    env:
      - name: ALICLOUD_REGION
      - name: ALIBABA_CLOUD_REGION_ID
  endpoint:
    description:
      - ENS API endpoint, as C(http://host:port), C(https://host) or a bare host name (HTTPS).
      - A path, a query (C(?...)), a fragment (C(#...)), user info (C(user:password@)) or a port outside 1-65535
        is refused before any call (the SDK would append the API parameters after a query, and the server would
        never see them). User info is never shown in messages.
      - Plain C(http://) is allowed only to this machine (C(localhost), C(127.0.0.0/8), C([::1])), unless
        O(allow_insecure_http=true); elsewhere the signed requests and the STS token would cross the network
        in clear text.
      - Redirects (HTTP 3xx) are never followed, they fail the call, as following one would send the signed request
        and the STS token to another host.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_ENDPOINT) is used, then the SDK's own
        endpoint for O(region_id).
    type: str
    env:
      - name: ALIBABA_CLOUD_ENS_ENDPOINT
  allow_insecure_http:
    description:
      - Accept a plain C(http://) O(endpoint) on a host other than this machine, knowing that the signed requests
        and any STS token (O(security_token)) then cross the network in clear text.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_ALLOW_INSECURE_HTTP) is used.
    type: bool
    version_added: 2.0.0
    default: false
    env:
      - name: ALIBABA_CLOUD_ENS_ALLOW_INSECURE_HTTP
  api_retries:
    description:
      - How many times one API call is retried after a transient error (C(ServiceUnavailable), C(InternalError)
        and other 5xx answers whatever their body, the backend failure C(ens.interface.error), connection resets
        and timeouts), with exponential backoff and full jitter. Client errors are never retried.
      - Throttling (C(Throttling*)) is refused before the service and is safe to resend, so a throttled call is
        retried until O(api_retry_max_seconds) is spent even when O(api_retries) attempts are used up (also with
        V(0)), waiting at least what the server's retry-after asks; a retry-after past that budget ends the call.
      - A mutating call (attach, detach, stop, start, reboot) whose answer may have been lost (a 5xx, an
        C(ens.interface.error), a timeout, or an HTTP 200 answer whose C(Code) is a backend failure) is never
        resent blindly; the resource is read back first, and if the change happened or is under way the call
        counts as done. An HTTP 200 answer whose C(Code) is not a success is an error carrying that code.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_API_RETRIES) is used, then V(8).
    type: int
    env:
      - name: ALIBABA_CLOUD_ENS_API_RETRIES
  api_retry_max_seconds:
    description:
      - Upper bound, in seconds, on the total time one API call may spend in retries, throttling included.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_API_RETRY_MAX_SECONDS) is used, then V(120).
    type: int
    env:
      - name: ALIBABA_CLOUD_ENS_API_RETRY_MAX_SECONDS
  connect_timeout:
    description:
      - Seconds to wait for a connection to the API endpoint.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_CONNECT_TIMEOUT) is used, then V(5).
    type: int
    env:
      - name: ALIBABA_CLOUD_ENS_CONNECT_TIMEOUT
  read_timeout:
    description:
      - Seconds to wait for an API answer once connected.
      - Each attempt of a call is also bounded in wall-clock time by O(connect_timeout) + O(read_timeout), whatever
        the socket does; an answer trickled byte by byte never trips the read timeout, this bound ends it (as a
        timeout, so a mutating call is then read back, never resent blindly).
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_READ_TIMEOUT) is used, then V(15).
    type: int
    env:
      - name: ALIBABA_CLOUD_ENS_READ_TIMEOUT
requirements:
  - alibabacloud-ens20171110 >= 12.1.0 (on the controller)
  - tenacity >= 8.2 (on the controller)
"""
