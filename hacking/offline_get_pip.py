#!/usr/bin/env python
"""Offline stand-in for the ``get-pip.py`` bootstrap script used by ``ansible-test``.

ansible-test creates a private virtual environment for most sanity tests and bootstraps pip in
it by running ``~/.ansible/test/cache/get_pip_<version>.py`` (it downloads that script from a
host which is not reachable here when the file is missing).  ``make venv`` copies this file to
that path and puts the matching ``pip-<version>-py3-none-any.whl`` (fetched from PyPI with
``pip download``) into ``~/.ansible/test/cache/offline-pip-wheels/``.

ansible-test runs the script as ``python get_pip_X_Y.py --disable-pip-version-check pip==X.Y
--no-setuptools --no-wheel``.  Like the real get-pip.py this installs the requested packages;
it imports pip straight from the wheel (a wheel is an importable zip) and installs from the
local wheel directory only, so nothing is downloaded.
"""

import glob
import os
import sys

# Flags understood by the real get-pip.py but not by ``pip install``.
_GET_PIP_ONLY_FLAGS = ('--no-setuptools', '--no-wheel', '--no-pip')


def _wheel_dirs():
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = []
    env_dir = os.environ.get('OFFLINE_PIP_WHEELS')
    if env_dir:
        dirs.append(env_dir)
    dirs.append(os.path.join(here, 'offline-pip-wheels'))
    dirs.append(here)
    return [d for d in dirs if os.path.isdir(d)]


def _find_pip_wheel(dirs, packages):
    # Several core versions pin different pips: run the one requested (pip==X) when its wheel is here.
    wanted = [p.split('==', 1)[1] for p in packages if p.startswith('pip==')]
    for directory in dirs:
        for version in wanted:
            exact = os.path.join(directory, 'pip-%s-py3-none-any.whl' % version)
            if os.path.isfile(exact):
                return exact
    for directory in dirs:
        wheels = sorted(glob.glob(os.path.join(directory, 'pip-*-py3-none-any.whl')))
        if wheels:
            return wheels[-1]
    return None


def main():
    dirs = _wheel_dirs()
    args = [arg for arg in sys.argv[1:] if arg not in _GET_PIP_ONLY_FLAGS]
    # Options (leading dashes) first, then requirement specifiers, like get-pip.py does.
    options = [arg for arg in args if arg.startswith('-')]
    packages = [arg for arg in args if not arg.startswith('-')] or ['pip']
    wheel = _find_pip_wheel(dirs, packages)
    if wheel is None:
        sys.stderr.write(
            'offline get-pip: no pip-*-py3-none-any.whl found in %s; run "make venv" first\n'
            % ', '.join(dirs or ['(no wheel directory)']))
        return 1

    sys.path.insert(0, wheel)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    pip_args = ['install', '--no-index', '--upgrade', '--force-reinstall']
    for directory in dirs:
        pip_args += ['--find-links', directory]
    return pip_main(pip_args + options + packages)


if __name__ == '__main__':
    sys.exit(main())
