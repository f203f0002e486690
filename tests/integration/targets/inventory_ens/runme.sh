#!/usr/bin/env bash
# The alibabacloud.ens.ens inventory plugin against the simulator: `ansible-inventory --list` over 123
# instances (3 pages), server-side filters, keyed and composed groups, the cache, a failing source, a bad option,
# API data that must never run as a template (untrusted.sh), and playbooks/swap.yml run unchanged over the
# inventory it produces.
set -eux
here="$(pwd)"
config="$(cd ../.. && pwd)/integration_config.yml"
work="${OUTPUT_DIR}/inventory_ens"
rm -rf "${work}"
mkdir -p "${work}"
check() { python "${here}/check.py" "${config}" "$@"; }

# Credentials and endpoint through the environment, as the AWX credential type injects them.
eval "$(python - "${config}" <<'PY'
import shlex, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for name, key in (("ALIBABA_CLOUD_ENS_ENDPOINT", "ens_endpoint"), ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ens_access_key_id"),
                  ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ens_access_key_secret")):
    print("export %s=%s" % (name, shlex.quote(c[key])))
PY
)"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
# A source that fails must fail the command, not just warn.
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true
export ANSIBLE_INVENTORY_CACHE_CONNECTION="${work}/cache"

ansible-doc -t inventory alibabacloud.ens.ens | grep -q ens_instance_id

check reset
ansible-inventory -i sources/all.ens.yml --list --output "${work}/all.json"
check list-all "${work}/all.json"

check clear
ansible-inventory -i sources/running_gen.ens.yml --list --output "${work}/running_gen.json"
check list-running-gen "${work}/running_gen.json"

check clear
ansible-inventory -i sources/not_running.ens.yml --list --output "${work}/not_running.json"
check list-not-running "${work}/not_running.json"

# Cache: first run fills it, the second is served from it, --flush-cache reads the API again.
check clear
ansible-inventory -i sources/cached.ens.yml --list --output "${work}/cached1.json"
check list-cached "${work}/cached1.json" Stopped yes
check cache-dir "${work}/cache"
check clear
check set-status i-bj-1 Starting
ansible-inventory -i sources/cached.ens.yml --list --output "${work}/cached2.json"
check list-cached "${work}/cached2.json" Stopped no
# ansible-inventory has --flush-cache from ansible-core 2.17 on; on 2.16 the same refresh is asked through
# ansible-playbook --flush-cache, which flushes the inventory cache as it loads the source.
if ansible-inventory --help | grep -q -- --flush-cache; then
    ansible-inventory -i sources/cached.ens.yml --list --flush-cache --output "${work}/cached3.json"
else
    printf '%s\n' '- {hosts: localhost, gather_facts: false, tasks: []}' > "${work}/noop.yml"
    ansible-playbook -i sources/cached.ens.yml --flush-cache "${work}/noop.yml" >/dev/null
    ansible-inventory -i sources/cached.ens.yml --list --output "${work}/cached3.json"
fi
check list-cached "${work}/cached3.json" Starting yes
check clear
ansible-inventory -i sources/cached.ens.yml --list --output "${work}/cached4.json"
check list-cached "${work}/cached4.json" Starting no

# A wrong secret fails the source with the API's error code and request id, never showing the secret.
if ansible-inventory -i sources/bad_secret.ens.yml --list > "${work}/bad.out" 2> "${work}/bad.err"; then
    echo "a source with a wrong secret must fail" >&2
    exit 1
fi
grep -q "SignatureDoesNotMatch" "${work}/bad.err"
grep -q "request id" "${work}/bad.err"
if grep -q "wrong-secret-Zq81" "${work}/bad.err" "${work}/bad.out"; then
    echo "the secret was printed" >&2
    exit 1
fi

# Options: a list element that is not a string fails the source, naming the option and the element.
if ansible-inventory -i sources/bad_option.ens.yml --list > "${work}/bad_option.out" 2> "${work}/bad_option.err"; then
    echo "a source with a number among instance_ids must fail" >&2
    exit 1
fi
tr -s ' \n' ' ' < "${work}/bad_option.err" | grep -q 'option instance_ids: element 2 (7) is an integer'

# API data never runs as a template; names that collide never merge instances nor stand for localhost.
bash "${here}/untrusted.sh" "${config}" "${work}"

# playbooks/swap.yml, unchanged, over the hosts the plugin produces (a keyed group as target), in batch mode.
check reset
ansible-inventory -i sources/swap.ens.yml --graph
ansible-playbook -i sources/swap.ens.yml alibabacloud.ens.swap -e target_hosts=ens_Running --forks 2 "$@"
check swapped
