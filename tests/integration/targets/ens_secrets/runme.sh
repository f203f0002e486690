#!/usr/bin/env bash
# access_key_secret and security_token never appear in any output at -vvv, on success or failure,
# whether they come from module options, module_defaults or environment variables.
set -eu
config="$(cd ../.. && pwd)/integration_config.yml"
log="${OUTPUT_DIR:-$(mktemp -d)}/secrets-vvv-$$.log"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
ansible-playbook -vvv -i "${INVENTORY_PATH}" -e "@${config}" secrets.yml > "${log}" 2>&1 || {
    echo "the secrets playbook failed; its output:"; cat "${log}"; exit 1; }
endpoint="$(sed -n 's/^ens_endpoint: *//p' "${config}" | tr -d "\"'")"
# As the AWX credential type injects them: in the environment of ansible-playbook itself.
# (Ansible's own `environment:` task keyword shows its values at -vvv: never pass secrets that way.)
for secret in simStsSecret-H3m8Lw not-the-real-secret-4242; do
    expect_failure=$([ "${secret}" = simStsSecret-H3m8Lw ] && echo false || echo true)
    ALIBABA_CLOUD_ACCESS_KEY_ID=STS.simulatorSts0001 ALIBABA_CLOUD_ACCESS_KEY_SECRET="${secret}" \
    ALIBABA_CLOUD_SECURITY_TOKEN=simStsToken-Zx41Pq ALIBABA_CLOUD_ENS_ENDPOINT="${endpoint}" \
        ansible-playbook -vvv -i "${INVENTORY_PATH}" -e "expect_failure=${expect_failure}" secrets_env.yml >> "${log}" 2>&1 || {
        echo "the environment case failed; its output:"; cat "${log}"; exit 1; }
done
# The playbooks really ran every case, at -vvv.
grep -q "All the secret cases ran" "${log}"
grep -q "The environment case ran (expect_failure=false)" "${log}"
grep -q "The environment case ran (expect_failure=true)" "${log}"
grep -q "ESTABLISH LOCAL CONNECTION" "${log}"
for secret in simSecret-Q7v9Xk2pRt simStsSecret-H3m8Lw simStsToken-Zx41Pq not-the-real-secret-4242 \
        "$(sed -n 's/^ens_access_key_secret: *//p' "${config}" | tr -d "\"'")"; do
    if grep -n -- "${secret}" "${log}"; then
        echo "secret ${secret} leaked into the -vvv output above" >&2
        exit 1
    fi
done
echo "no secret in $(wc -l < "${log}") lines of -vvv output"
