# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options shared by every module of the collection: credentials, endpoint, retries and timeouts.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - Alibaba Cloud AccessKey ID.
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_ID) is used, then E(ALICLOUD_ACCESS_KEY).
      - When no AccessKey is found anywhere, the SDK's default credential chain is used
        (OIDC, the CLI profile C(~/.aliyun/config.json), C(~/.alibabacloud/credentials.ini), the ECS RAM role).
    type: str
  access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret. Never printed or logged.
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) is used, then E(ALICLOUD_SECRET_KEY).
    type: str
  security_token:
    description:
      - STS security token, for temporary credentials. Never printed or logged.
      - If not set, the environment variable E(ALIBABA_CLOUD_SECURITY_TOKEN) is used, then E(ALICLOUD_SECURITY_TOKEN).
    type: str
  region_id:
    description:
      - Region used to choose the API endpoint. ENS itself locates resources by their C(ens_region_id), so this
        only matters when O(endpoint) is not set.
      - If not set, the environment variable E(ALIBABA_CLOUD_REGION_ID) is used, then E(ALICLOUD_REGION).
      - When neither O(region_id) nor O(endpoint) is set, the SDK's central endpoint C(ens.aliyuncs.com) is used.
    type: str
  endpoint:
    description:
      - ENS API endpoint, as C(http://host:port), C(https://host) or a bare host name (HTTPS).
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_ENDPOINT) is used, then the SDK's own
        endpoint for O(region_id) when the SDK knows that region, else the central endpoint C(ens.aliyuncs.com)
        (ENS zones such as C(cn-tianjin-cmcc) are served there).
    type: str
  api_retries:
    description:
      - How many times one API call is retried after a transient error (throttling, C(ServiceUnavailable),
        C(InternalError) and other 5xx answers, connection resets and timeouts), with exponential backoff and
        full jitter. Client errors that are not throttling are never retried.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_API_RETRIES) is used, then V(8).
    type: int
  api_retry_max_seconds:
    description:
      - Upper bound, in seconds, on the total time one API call may spend in retries.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_API_RETRY_MAX_SECONDS) is used, then V(120).
    type: int
  connect_timeout:
    description:
      - Seconds to wait for a connection to the API endpoint.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_CONNECT_TIMEOUT) is used, then V(5).
    type: int
  read_timeout:
    description:
      - Seconds to wait for an API answer once connected.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_READ_TIMEOUT) is used, then V(15).
    type: int
requirements:
  - python >= 3.9
  - alibabacloud-ens20171110 >= 12.1.0
  - tenacity >= 8.2
notes:
  - Every API error is reported with its API error code (RV(error_code)) and request id (RV(request_id)).
  - Use the C(group/alibabacloud.ens.ens) action group with C(module_defaults) to set credentials once.
"""

    # Options shared by the modules that wait for an asynchronous change.
    WAIT = r"""
options:
  wait:
    description:
      - Wait until every resource reaches the requested state before returning.
      - The state is polled with one API call per poll for all resources together; the first poll comes
        within half a second, then the interval grows with the time already waited (1.1 seconds after
        10 seconds), up to 3.5 seconds from 20 seconds on.
      - A throttled or failed poll counts as "not yet", never as done, and is not retried on its own (the next
        poll comes at the next interval), so throttling never stretches a wait past O(wait_timeout).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true). On timeout the task fails, naming each resource
        and the last status seen for it.
    type: int
    default: 300
"""
