# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The connection options of every module and plugin: credentials, endpoint, retries and timeouts. A module
    # extends alibabacloud.ens.common.options and alibabacloud.ens.common.modules; a controller-side plugin extends
    # alibabacloud.ens.common.options and alibabacloud.ens.common.plugins.
    OPTIONS = r"""
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
      - Prefer the environment (an AWX credential sets it) or a vaulted value over plain text in a playbook or a
        configuration file.
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
      - A path, a query (C(?...)), a fragment (C(#...)), user info (C(user:password@)) or a port outside 1-65535
        is refused before any call (the SDK would append the API parameters after a query, and the server would
        never see them). User info is never shown in messages.
      - Plain C(http://) is allowed only to this machine (C(localhost), C(127.0.0.0/8), C([::1])), unless
        O(allow_insecure_http=true); elsewhere the signed requests and the STS token would cross the network
        in clear text.
      - Redirects (HTTP 3xx) are never followed, they fail the call, as following one would send the signed request
        and the STS token to another host.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_ENDPOINT) is used, then the SDK's own
        endpoint for O(region_id) when the SDK knows that region, else the central endpoint C(ens.aliyuncs.com)
        (ENS zones such as C(cn-tianjin-cmcc) are served there).
    type: str
  allow_insecure_http:
    description:
      - Accept a plain C(http://) O(endpoint) on a host other than this machine, knowing that the signed requests
        and any STS token (O(security_token)) then cross the network in clear text. A warning says so on each run.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_ALLOW_INSECURE_HTTP) is used.
    type: bool
    version_added: 2.0.0
    default: false
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
  api_retry_max_seconds:
    description:
      - Upper bound, in seconds, on the total time one API call may spend in retries, throttling included.
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
      - Each attempt of a call is also bounded in wall-clock time by O(connect_timeout) + O(read_timeout), whatever
        the socket does; an answer trickled byte by byte never trips the read timeout, this bound ends it (as a
        timeout, so a mutating call is then read back, never resent blindly).
      - If not set, the environment variable E(ALIBABA_CLOUD_ENS_READ_TIMEOUT) is used, then V(15).
    type: int
"""

    # What a module adds: its action group and platforms (with the fragments ansible.builtin.action_common_attributes
    # and its actiongroups), its requirements on the managed host, and how it reports failures, once for all.
    MODULES = r"""
attributes:
  action_group:
    support: full
    membership:
      - alibabacloud.ens.ens
  platform:
    platforms: all
requirements:
  - python >= 3.9
  - alibabacloud-ens20171110 >= 12.1.0
  - tenacity >= 8.2
notes:
  - What a failed task returns is documented here once for every module; the return values of each module are
    those of a success. A failed task has C(msg), naming the resource, the rule or call that failed, the API error
    code and the request id, and those of the keys below that apply.
  - C(error_code) (str) is the API error code of the failed call. A problem found before any call (a change that
    breaks a rule, an instance that is C(Expired)) carries the code the API would answer, such as
    C(InvalidOperation.NetworkMismatch), C(IncorrectInstanceStatus) or C(InstanceNotFound).
  - C(request_id) (str) is the request id of the failed call, or of the read that showed the problem.
  - C(action) (str) is the ENS API action of the failed call, such as C(AttachNetworkInterface), and C(resource)
    (str) the resource it was about (ids separated by commas for a call about several).
  - C(http_status) (int) is the HTTP status of the failed call's answer; absent when no answer came (a connection
    error).
  - C(errors) (list of dicts) comes when the checks made before any change fail. It holds every rule the change
    breaks, each with C(resource), C(rule), C(error_code) and C(request_id) (of the read that showed it).
  - C(wait_timeout) (int, the seconds that ran out) and C(polls) (int, how many polls the wait made) come when a
    wait runs out of time.
  - A module that changes things also returns C(request_ids) on failure, the request ids of the mutating calls
    made before it, so a change made is never hidden.
  - Answers are checked before use. An answer that is not a JSON object, lacks a documented field (an item
    without its id or status, a C(TotalCount) that is not a count) or has a list where an object belongs fails
    with C(InvalidResponse.Shape), naming the action and the request id. A listing whose next page brings
    nothing new while C(TotalCount) promises more, or that needs more than 1000 pages, fails rather than
    return a partial list; items repeated across two pages are kept once. A body over 16 MB is refused.
  - Text from the endpoint (an error message, a body that is not JSON) is cut to 300 characters in messages,
    and a message to 1000, with a marker saying how much was left out.
  - Use the C(group/alibabacloud.ens.ens) action group with C(module_defaults) to set credentials once.
"""

    # What a plugin adds: the environment variables Ansible reads for its options (a module reads them through its
    # argument spec). Ansible takes the LAST variable of an `env` list that is set, so the older provider's names
    # come first: ALIBABA_CLOUD_* wins when both are set, as for the modules.
    PLUGINS = r"""
options:
  access_key_id:
    env:
      - name: ALICLOUD_ACCESS_KEY
      - name: ALIBABA_CLOUD_ACCESS_KEY_ID
  access_key_secret:
    env:
      - name: ALICLOUD_SECRET_KEY
      - name: ALIBABA_CLOUD_ACCESS_KEY_SECRET
  security_token:
    env:
      - name: ALICLOUD_SECURITY_TOKEN
      - name: ALIBABA_CLOUD_SECURITY_TOKEN
  region_id:
    env:
      - name: ALICLOUD_REGION
      - name: ALIBABA_CLOUD_REGION_ID
  endpoint:
    env:
      - name: ALIBABA_CLOUD_ENS_ENDPOINT
  allow_insecure_http:
    env:
      - name: ALIBABA_CLOUD_ENS_ALLOW_INSECURE_HTTP
  api_retries:
    env:
      - name: ALIBABA_CLOUD_ENS_API_RETRIES
  api_retry_max_seconds:
    env:
      - name: ALIBABA_CLOUD_ENS_API_RETRY_MAX_SECONDS
  connect_timeout:
    env:
      - name: ALIBABA_CLOUD_ENS_CONNECT_TIMEOUT
  read_timeout:
    env:
      - name: ALIBABA_CLOUD_ENS_READ_TIMEOUT
requirements:
  - alibabacloud-ens20171110 >= 12.1.0 (on the controller)
  - tenacity >= 8.2 (on the controller)
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
