#!/usr/bin/env bash
# playbooks/swap.yml through ansible-runner, the engine AWX uses, with the environment injected the way
# extensions/awx/credential_type_ens.yml does and extra vars shaped by extensions/awx/surveys/swap.yml;
# then an inventory update with the alibabacloud.ens.ens plugin and a job over it (forks, batch_size).
set -eux
here="$(pwd)"
config="$(cd ../.. && pwd)/integration_config.yml"
# ansible-test copies only tests/integration here: the playbooks and extensions/awx come from the
# collection it runs against, found through ANSIBLE_COLLECTIONS_PATH.
root=""
IFS=: read -r -a collection_paths <<< "${ANSIBLE_COLLECTIONS_PATH:-}"
for path in "${collection_paths[@]}"; do
    if [ -f "${path}/ansible_collections/alibabacloud/ens/playbooks/swap.yml" ]; then
        root="${path}/ansible_collections/alibabacloud/ens"
        break
    fi
done
if [ -z "${root}" ]; then
    echo "alibabacloud.ens not found in ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-}" >&2
    exit 1
fi
# Anything that might use the SDK's default credential chain must not reach a metadata server.
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ANSIBLE_NOCOLOR=1
# ansible-test puts its own python, ansible-playbook and ansible-inventory first on PATH; ansible-runner
# starts those.
python "${here}/awx_job.py" "${root}" "${config}" "${OUTPUT_DIR}/awx"
