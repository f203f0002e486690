#!/usr/bin/env bash
# Build the collection tarball and import it with galaxy-importer, the check Galaxy and Automation Hub
# run on upload.  It passes only with exit code 0 AND no warning or error in the importer's output.
#
# The importer runs from its own venv (<build>/venvs/galaxy-importer, from
# hacking/requirements-galaxy-importer.txt; it brings its own ansible-core and ansible-lint), with its
# venv's bin first on PATH so it finds ansible-doc, and without ansible-test (it needs a container
# engine; ansible-test runs in its own stages).
#
# Usage: hacking/galaxy_import.sh        (run by `make galaxy-import`)
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
build="${ENS_BUILD_DIR:-$src/.build}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
venv="$build/venvs/galaxy-importer"
stamp="$venv/.galaxy-importer-installed"
work="$build/galaxy-import"

if [ ! -f "$stamp" ] || [ "$src/hacking/requirements-galaxy-importer.txt" -nt "$stamp" ]; then
    echo "--- creating $venv"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$src/hacking/requirements-galaxy-importer.txt"
    touch "$stamp"
fi

rm -rf "$work"
mkdir -p "$work/dist"
"$src/hacking/stage_collection.sh" "$build" >/dev/null
"$src/.venv/bin/ansible-galaxy" collection build --force --output-path "$work/dist" "$build/ansible_collections/alibabacloud/ens"
tarball="$(ls "$work"/dist/alibabacloud-ens-*.tar.gz)"

cat > "$work/galaxy-importer.cfg" <<CFG
[galaxy-importer]
RUN_ANSIBLE_TEST = False
CHECK_CHANGELOG = True
RUN_ANSIBLE_LINT = True
CFG

echo "--- galaxy-importer $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))') on $(basename "$tarball")"
rc=0
(cd "$work" && env GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg" PATH="$venv/bin:$PATH" \
    "$venv/bin/python" -m galaxy_importer.main "$tarball") >"$work/import.log" 2>&1 || rc=$?
cat "$work/import.log"
# "Loading module_utils _errors" names a file, not a problem.
problems="$(grep -Ei 'warn|error|fail' "$work/import.log" | grep -Ev '^Loading [a-z_]+ [A-Za-z0-9_]+$' || true)"
if [ "$rc" -ne 0 ] || [ -n "$problems" ]; then
    echo "galaxy-import: the importer exited $rc; warnings and errors:" >&2
    echo "${problems:-(none printed)}" >&2
    exit 1
fi
echo "galaxy-import: $(basename "$tarball") imported with no warning and no error"
