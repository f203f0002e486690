#!/usr/bin/env bash
# Let `ansible-test sanity` bootstrap pip without the network it expects.
#
# ansible-test runs ~/.ansible/test/cache/get_pip_<X_Y>.py in each private virtualenv it
# creates, and downloads that script from a host unreachable here when it is missing.
# This installs hacking/offline_get_pip.py at that path and the pip==<X.Y> wheel next to it
# (fetched once from PyPI into .cache/wheels).  The pip version is read from the installed
# ansible-test, so it follows ansible-core upgrades.
#
# Usage: hacking/install_offline_get_pip.sh [venv-python]
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
py="${1:-$src/.venv/bin/python}"

pip_version="$("$py" - <<'EOF'
import os, re, ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
with open(path) as f:
    m = re.search(r"""\bpip=['"]([0-9][^'"]*)['"]""", f.read())
if not m:
    raise SystemExit('cannot find the bootstrap pip version in %s' % path)
print(m.group(1))
EOF
)"

cache_dir="${HOME}/.ansible/test/cache"
wheel_cache="$src/.cache/wheels"
wheel_name="pip-${pip_version}-py3-none-any.whl"
script="$cache_dir/get_pip_${pip_version//./_}.py"

mkdir -p "$cache_dir/offline-pip-wheels" "$wheel_cache"

if [ ! -f "$wheel_cache/$wheel_name" ] && [ ! -f "$cache_dir/offline-pip-wheels/$wheel_name" ]; then
    echo "fetching $wheel_name from PyPI for offline ansible-test sanity"
    "$py" -m pip download --disable-pip-version-check --quiet --no-deps --only-binary=:all: \
        -d "$wheel_cache" "pip==${pip_version}"
fi
if [ ! -f "$cache_dir/offline-pip-wheels/$wheel_name" ]; then
    cp "$wheel_cache/$wheel_name" "$cache_dir/offline-pip-wheels/$wheel_name"
fi
if ! cmp -s "$src/hacking/offline_get_pip.py" "$script"; then
    cp "$src/hacking/offline_get_pip.py" "$script"
    echo "installed offline pip $pip_version bootstrap script at $script"
fi
