# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ens
short_description: Alibaba Cloud ENS instances as inventory hosts
version_added: 1.0.0
description:
  - Reads Alibaba Cloud ENS (Edge Node Service) instances with C(DescribeInstances), following every page, and
    makes each one an inventory host; their ENIs come from C(DescribeNetworkInterfaces), also every page.
  - Uses a YAML configuration file whose name ends with C(ens.yml) or C(ens.yaml), for example C(edge.ens.yml).
  - 'Every host gets these host vars:
    C(ens_instance_id) (the variable the roles and playbooks of this collection read, so they run unchanged
    over this inventory), C(ens_instance_name), C(ens_host_name), C(ens_status), C(ens_region_id) (the ENS
    edge zone), C(ens_network_id), C(ens_vswitch_id), C(ens_private_ip_address) (the first private IP),
    C(ens_private_ip_addresses), C(ens_public_ip_addresses), C(ens_network_interfaces) (the ENIs attached to
    the instance, primary first: a list of dicts with C(network_interface_id), C(network_interface_name),
    C(type) V(Primary) or V(Secondary), C(status) V(Attaching), V(InUse) or V(Detaching), C(primary_ip),
    C(mac_address), C(network_id), C(vswitch_id)), and C(ens_instance), the whole C(DescribeInstances) entry
    with snake_case keys, for O(compose) and O(keyed_groups).'
  - The filters O(ens_region_ids), O(network_ids), O(statuses) and O(instance_ids) combine with AND; each value
    of a list is an alternative (OR). They are applied by the API, one paged query per combination of status
    and network, so a large fleet is never read in full when only part of it is wanted.
  - Credentials, endpoint, retries and timeouts are the options of the modules, with the same environment
    variables, so the AWX credential type of this collection serves both the inventory source and the jobs.
  - Nothing is cached unless O(cache=true). The cache holds host vars only, never credentials. Its key is the
    path of the configuration file, so after changing a filter in it refresh with C(ansible-inventory --flush-cache).
author:
  - Alibaba Cloud ENS Ansible collection maintainers (@alibabacloud)
extends_documentation_fragment:
  - alibabacloud.ens.common.options
  - alibabacloud.ens.common.plugins
  - constructed
  - inventory_cache
options:
  plugin:
    description:
      - The name of this plugin. It must always be set to V(alibabacloud.ens.ens) for this plugin to read the file.
    type: str
    required: true
    choices: [alibabacloud.ens.ens]
  ens_region_ids:
    description:
      - Only instances in these ENS edge zones (for example V(cn-tianjin-cmcc)). At most 100.
      - Empty (the default) means every edge zone the credentials can see.
    type: list
    elements: str
    default: []
  network_ids:
    description:
      - Only instances in these networks (for example V(n-5sax03dh2eyagujgsn7z9xxxx)).
    type: list
    elements: str
    default: []
  statuses:
    description:
      - Only instances in these states, as the API spells them, for example V(Running), V(Stopped), V(Expired).
      - Empty (the default) means every state, transitional ones (V(Starting), V(Stopping)) included.
    type: list
    elements: str
    default: []
  instance_ids:
    description:
      - Only these instances.
    type: list
    elements: str
    default: []
  hostnames:
    description:
      - How to name the hosts, in order of preference; the first usable one of an instance is its host name, and
        its instance id when none is usable. V(instance_id) is always usable (instance ids are unique).
      - 'A name (V(instance_name) or V(host_name)) is not usable, with a warning naming the instance, when it:
        is a name of the controller or of a built-in group (C(localhost), C(localhost.localdomain), any name ending
        in C(.localhost), a loopback or unspecified IP address such as C(127.0.0.1) or C(::1), C(all),
        C(ungrouped), in any letter case); is the instance id of another instance of this inventory; contains a
        template marker (C({{), C({%), C({#)).'
      - 'A name that two or more instances would take is given to none of them, with a warning naming every one:
        each takes its next choice, in the end its instance id. So two instances are never merged into one host,
        an ENS instance never stands for C(localhost), and a host name never depends on the order of the API
        answer.'
      - An instance whose own instance id is empty, reserved or contains a template marker is left out, with a
        warning.
    type: list
    elements: str
    choices: [instance_id, instance_name, host_name]
    default: [instance_id]
  network_interfaces:
    description:
      - Read the attached ENIs with C(DescribeNetworkInterfaces), which gives their status.
      - With V(false), C(ens_network_interfaces) comes from the C(DescribeInstances) answer alone (no status)
        and no ENI is read.
    type: bool
    default: true
notes:
  - The API calls are made from the controller, so the ENS SDK must be installed there (in the execution
    environment under AWX).
  - An API error fails the inventory source with its error code and request id; with the default Ansible settings
    a failed source is only a warning, set E(ANSIBLE_INVENTORY_UNPARSED_FAILED=true) to make it fatal.
  - A filter list (O(ens_region_ids), O(network_ids), O(statuses), O(instance_ids)) or O(hostnames) with an element
    that is not a non-empty string (for example an unquoted number in YAML) fails the source, naming the option,
    the element and its position.
  - Every string read from the API that could be a template (it has a brace) is marked unsafe wherever it is in the
    host vars (names, ids, addresses, C(ens_instance), C(ens_network_interfaces)), so it is data and never runs as a
    template on any supported ansible-core, nor do the variables that O(compose) makes from it. Other strings stay
    plain, so C(ansible-inventory --list) and an AWX inventory import show them as they are. A host name never holds
    a template marker (see O(hostnames)), and ansible-core turns every character of a group name made by
    O(keyed_groups) that is not a letter, digit or underscore into an underscore.
seealso:
  - name: ENS DescribeInstances
    description: The API call behind the hosts.
    link: https://www.alibabacloud.com/help/en/ens/developer-reference/api-ens-2017-11-10-describeinstances
  - name: Inventory plugins
    description: How to use inventory plugins, constructed features and caching.
    link: https://docs.ansible.com/ansible/latest/plugins/inventory.html
"""

EXAMPLES = r"""
# edge.ens.yml: every running instance of two edge zones, named by instance name, grouped by zone and
# network. Credentials come from the ALIBABA_CLOUD_* environment variables (or an AWX credential).
plugin: alibabacloud.ens.ens
ens_region_ids:
  - cn-tianjin-cmcc
  - cn-beijing-cmcc
statuses:
  - Running
hostnames:
  - instance_name
  - instance_id
keyed_groups:
  - key: ens_region_id
    prefix: ens_zone
  - key: ens_network_id
    prefix: ens_network
  - key: ens_network_interfaces | selectattr('type', 'equalto', 'Secondary') | length
    prefix: ens_secondary_enis
groups:
  # instances that still have a free ENI slot (10 per instance)
  ens_eni_room: ens_network_interfaces | length < 10
compose:
  # what playbooks/swap.yml reads, per host
  ens_detach_network_interface_ids: >-
    ens_network_interfaces | selectattr('type', 'equalto', 'Secondary') | map(attribute='network_interface_id') | list

# ---
# web.ens.yml: the instances of one network, cached for an hour in a JSON file.
# `ansible-inventory -i web.ens.yml --list --flush-cache` reads the API again.
#   plugin: alibabacloud.ens.ens
#   network_ids: [n-5sax03dh2eyagujgsn7z9xxxx]
#   cache: true
#   cache_plugin: ansible.builtin.jsonfile
#   cache_connection: ~/.cache/ansible-ens-inventory
#   cache_timeout: 3600

# ---
# staging.ens.yml: explicit endpoint and credentials (vault the secret: ansible-vault encrypt_string).
#   plugin: alibabacloud.ens.ens
#   endpoint: https://ens.aliyuncs.com
#   access_key_id: LTAI5tXXXXXXXXXXXXXXXXXX
#   access_key_secret: !vault |
#     $ANSIBLE_VAULT;1.1;AES256
#     6231...
#   instance_ids: [i-5p67acfmxazb4pxxxx, i-5p67acfmxazb5pxxxx]
#   strict: true
"""

import ipaddress
import json
import socket

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.alibabacloud.ens.plugins.module_utils._client import EnsApi
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError, EnsMissingLibrary
from ansible_collections.alibabacloud.ens.plugins.module_utils._host_record import host_record
from ansible_collections.alibabacloud.ens.plugins.module_utils._listing import chunks
from ansible_collections.alibabacloud.ens.plugins.module_utils._options import SDK_PACKAGE

# The options passed to EnsApi.from_params, exactly the modules' shared options.
AUTH_OPTIONS = (
    "access_key_id", "access_key_secret", "security_token", "region_id", "endpoint", "allow_insecure_http",
    "api_retries", "api_retry_max_seconds", "connect_timeout", "read_timeout",
)
MAX_FILTER_VALUES = 100
# Up to this many instances, their ENIs are read one instance at a time (one call each); above it, every
# ENI of their edge zones is listed (one call per 50 ENIs) and matched to the instances.
PER_INSTANCE_ENI_QUERIES = 5
HOSTNAME_VARS = {"instance_id": "ens_instance_id", "instance_name": "ens_instance_name", "host_name": "ens_host_name"}
# The list options whose every element must be a non-empty string.
STRING_LIST_OPTIONS = ("ens_region_ids", "network_ids", "statuses", "instance_ids", "hostnames")
# Names that mean the controller itself or a built-in group (compared in lower case, without a trailing dot).
RESERVED_HOSTNAMES = frozenset(("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "all", "ungrouped"))
# Jinja2's block starts: a name holding one could run as a template wherever ansible-core drops its unsafe mark.
TEMPLATE_MARKERS = ("{{", "{%", "{#")


def _chunks(values):
    # Filters of at most 100 values per call; no filter is one call without one.
    return chunks(values, MAX_FILTER_VALUES) or [[]]


def _quoted(value):
    """`value` in double quotes (JSON), for messages: shows surrounding spaces and non-string types."""
    return json.dumps(value, default=str, ensure_ascii=False)


def _kind(value):
    """A short English name of the type of a configuration value, for error messages."""
    for kinds, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (dict, "a mapping"),
                        (list, "a list"), (str, "an empty string")):
        if isinstance(value, kinds):
            return name
    return "null" if value is None else "a %s" % type(value).__name__


def _has_template_marker(name):
    return any(marker in name for marker in TEMPLATE_MARKERS)


def reserved_name(name):
    """Why `name` may never be a host name of this plugin (it stands for the controller or a built-in group),
    or None."""
    lowered = name.strip().lower().rstrip(".")
    if lowered in RESERVED_HOSTNAMES or lowered.endswith(".localhost"):
        return "is a name of the controller or of a built-in group"
    try:
        address = ipaddress.ip_address(lowered.strip("[]"))
    except ValueError:
        try:  # the short forms the resolver also takes, such as 127.1
            address = ipaddress.IPv4Address(socket.inet_aton(lowered))
        except (OSError, ValueError):
            return None
    if address.is_loopback or address.is_unspecified:
        return "is an address of the controller"
    return None


def make_unsafe(value):
    """`value` with every string that could be a template (it has a brace) marked unsafe, in dicts and lists too.
    Other strings stay plain, so `ansible-inventory --list` (and an AWX inventory import) shows them as they are."""
    if isinstance(value, dict):
        return dict((make_unsafe(key), make_unsafe(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [make_unsafe(item) for item in value]
    if isinstance(value, str) and ("{" in value or "}" in value):
        return wrap_var(value)
    return value


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Alibaba Cloud ENS instances as inventory hosts."""

    NAME = "alibabacloud.ens.ens"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("ens.yml", "ens.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        self._validate_options(path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        # `cache` is False when the user asked for a refresh (--flush-cache, meta: refresh_inventory).
        read_cache = use_cache and cache
        update_cache = use_cache and not cache
        records = None
        if read_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = self._fetch(path)
        if update_cache:
            self._cache[cache_key] = records
        self._populate(records)

    def _validate_options(self, path):
        """Every element of a list option is a non-empty string (YAML reads an unquoted 7 as a number)."""
        for option in STRING_LIST_OPTIONS:
            values = self.get_option(option)
            if values is None:
                continue
            if not isinstance(values, list):
                raise AnsibleParserError("ENS inventory %s: option %s must be a list of strings, not %s"
                                         % (path, option, _kind(values)))
            for position, value in enumerate(values, 1):
                if not isinstance(value, str) or not value.strip():
                    raise AnsibleParserError(
                        "ENS inventory %s: option %s: element %d (%s) is %s; every element must be a non-empty string "
                        "(quote it in YAML)" % (path, option, position, _quoted(value), _kind(value)))

    # -- reading the API ---------------------------------------------------------------------------------

    def _fetch(self, path):
        params = {name: self.get_option(name) for name in AUTH_OPTIONS}
        try:
            api = EnsApi.from_params(params, warn=self.display.warning)
            instances = self._describe_instances(api)
            enis = self._describe_enis(api, instances) if self.get_option("network_interfaces") else None
        except EnsMissingLibrary as exc:
            raise AnsibleError(
                "The alibabacloud.ens.ens inventory plugin needs the Python library %s on the controller "
                "(pip install %s)%s" % (exc.library, SDK_PACKAGE if exc.library == SDK_PACKAGE else exc.library,
                                        ": %s" % to_native(exc.exc) if exc.exc else ""))
        except EnsApiError as exc:
            raise AnsibleError("ENS inventory %s: %s" % (path, exc.message))
        return [host_record(instance, None if enis is None else enis.get(instance.get("InstanceId"), []))
                for instance in instances]

    def _region_filters(self, regions):
        """DescribeInstances takes one edge zone as EnsRegionId, several as a JSON list in EnsRegionIds."""
        if not regions:
            return [{}]
        return [{"ens_region_id": chunk[0]} if len(chunk) == 1 else {"ens_region_ids": json.dumps(chunk)}
                for chunk in _chunks(regions)]

    def _describe_instances(self, api):
        regions = list(self.get_option("ens_region_ids") or [])
        statuses = list(self.get_option("statuses") or []) or [None]
        network_ids = list(self.get_option("network_ids") or []) or [None]
        instance_ids = list(self.get_option("instance_ids") or []) or None
        found = {}
        for region_filter in self._region_filters(regions):
            for status in statuses:
                for network_id in network_ids:
                    for instance in api.describe_instances(instance_ids, status=status, network_id=network_id,
                                                           **region_filter):
                        found.setdefault(instance.get("InstanceId"), instance)
        return list(found.values())

    def _describe_enis(self, api, instances):
        """The ENIs attached to the instances, by instance id."""
        wanted = [instance.get("InstanceId") for instance in instances]
        by_instance = dict((instance_id, []) for instance_id in wanted)
        if not wanted:
            return by_instance
        if len(wanted) <= PER_INSTANCE_ENI_QUERIES:
            batches = [api.describe_network_interfaces(instance_id=instance_id) for instance_id in wanted]
        else:
            regions = sorted(set(instance.get("EnsRegionId") for instance in instances if instance.get("EnsRegionId")))
            network_ids = list(self.get_option("network_ids") or []) or [None]
            batches = [api.describe_network_interfaces(ens_region_ids=chunk or None, network_id=network_id)
                       for chunk in _chunks(regions) for network_id in network_ids]
        seen = set()
        for batch in batches:
            for eni in batch:
                eni_id, instance_id = eni.get("NetworkInterfaceId"), eni.get("InstanceId")
                if instance_id in by_instance and eni_id not in seen:
                    seen.add(eni_id)
                    by_instance[instance_id].append(eni)
        return by_instance

    # -- building the inventory --------------------------------------------------------------------------

    def _unusable_name(self, name, own_id, instance_ids):
        """Why `name` cannot be the host name of instance `own_id`, or None."""
        if _has_template_marker(name):
            return "contains a template marker"
        reason = reserved_name(name)
        if reason:
            return reason
        if name != own_id and name in instance_ids:
            return "is the instance id of instance %s" % name
        return None

    def _hostnames(self, records):
        """The host name of each instance, by instance id; the rules are in the `hostnames` option's documentation."""
        candidates = {}
        for record in records:
            own_id = record.get("ens_instance_id")
            if not isinstance(own_id, str) or not own_id.strip() or _has_template_marker(own_id) or reserved_name(own_id):
                self.display.warning("ENS inventory: an instance with the instance id %s is left out: an instance id "
                                     "must be a non-empty name that is not reserved and has no template marker"
                                     % _quoted(own_id))
                continue
            candidates[own_id] = record
        instance_ids = set(candidates)
        choices = {}
        for own_id, record in candidates.items():
            names = []
            for choice in self.get_option("hostnames"):
                name = record.get(HOSTNAME_VARS[choice])
                if not isinstance(name, str) or not name or name in names:
                    continue
                reason = None if choice == "instance_id" else self._unusable_name(name, own_id, instance_ids)
                if reason:
                    self.display.warning("ENS inventory: the %s %s of instance %s %s: not used as its host name"
                                         % (choice.replace("_", " "), _quoted(name), own_id, reason))
                    continue
                names.append(name)
            choices[own_id] = names + [own_id]
        # A name claimed by several instances goes to none of them; repeat until every claim is unique.
        refused = set()
        while True:
            chosen = dict((own_id, next(name for name in names if name not in refused or name == own_id))
                          for own_id, names in choices.items())
            claims = {}
            for own_id, name in chosen.items():
                claims.setdefault(name, []).append(own_id)
            shared = dict((name, sorted(owners)) for name, owners in claims.items() if len(owners) > 1)
            if not shared:
                return chosen
            for name, owners in sorted(shared.items()):
                self.display.warning("ENS inventory: instances %s would all be named %s: none of them gets that host "
                                     "name" % (", ".join(owners), _quoted(name)))
                refused.add(name)

    def _populate(self, records):
        strict = self.get_option("strict")
        hostnames = self._hostnames(records)
        for record in records:
            hostname = hostnames.get(record.get("ens_instance_id"))
            if hostname is None:
                continue
            self.inventory.add_host(hostname)
            for key, value in record.items():
                # API data is never a template: unsafe for ansible-core 2.16-2.18 (2.19 trusts no inventory data)
                self.inventory.set_variable(hostname, key, make_unsafe(value))
            hostvars = self.inventory.get_host(hostname).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, hostname, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, hostname, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, hostname, strict=strict)
