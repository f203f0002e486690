#!/usr/bin/env bash
# The progress lines of alibabacloud.ens.ens_eni_batch in ansible-playbook output, over 12 instances with 2 s
# transitions: several lines inside the task and none after it; none with progress_interval 0; the private
# progress folder removed after the run; a progress_file given by the user is used, shown and kept.
set -eux
config="$(cd ../.. && pwd)/integration_config.yml"
export ANSIBLE_ROLES_PATH=..
export ANSIBLE_NOCOLOR=1
py="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
out="${OUTPUT_DIR:-$(mktemp -d)}/progress-$$"
mkdir -p "${out}/tmp"
"${py}" fleet.py 12 > "${out}/vars.json"

run() {  # run NAME [ansible-playbook args...]: the play's output goes to ${out}/NAME.log (and is shown)
    local name="$1"
    shift
    local rc=0
    TMPDIR="${out}/tmp" ansible-playbook -i "${INVENTORY_PATH}" -e "@${config}" -e "@${out}/vars.json" progress.yml "$@" \
        > "${out}/${name}.log" 2>&1 || rc=$?
    cat "${out}/${name}.log"
    return "${rc}"
}

# 1. A line every 2 s while the batch runs (about 8 s of transitions), none after the task's result.
run every2 -e progress_interval=2
"${py}" check_progress.py "${out}/every2.log" 12 3 2
# The private folder of the progress file is gone.
[ -z "$(find "${out}/tmp" -maxdepth 1 -name 'ens_eni_batch-progress-*' -print -quit)" ]

# 2. progress_interval 0: no line at all.
run silent -e progress_interval=0
"${py}" check_progress.py "${out}/silent.log" 12 0 0

# 3. A progress_file of the user's: passed to the module as given, shown, and left in place.
run mine -e progress_interval=1 -e "progress_file=${out}/mine.json"
"${py}" check_progress.py "${out}/mine.log" 12 1 1
"${py}" -c "import json,sys; p=json.load(open(sys.argv[1])); assert sorted(p['instances']) == ['i-prog-%02d' % n for n in range(1, 13)], p" \
    "${out}/mine.json"
