#!/usr/bin/env bash
# Installs what the tests need (LibreOffice, fonts and Chromium via apt where available, the Python
# packages in .venv) and runs the clause-library lint and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# `bash tests/run.sh fast [pytest options]`: the fast tier alone, nothing installed, both cores. It
# lets Python keep bytecode for this run: with PYTHONDONTWRITEBYTECODE set, pytest rewrites every
# test module's assertions again on each run (seconds of CPU before the first test).
if [ "${1:-}" = fast ]; then
  shift
  exec env -u PYTHONDONTWRITEBYTECODE .venv/bin/python -m pytest -q -m "not slow" -n "${PYTEST_WORKERS:-2}" --dist loadscope "$@"
fi

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_packages=()
command -v soffice >/dev/null 2>&1 || apt_packages+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || apt_packages+=(poppler-utils)
# LibreOffice's Python bridge for the persistent PDF converter (without it: one soffice call per packet).
[ -f /usr/lib/python3/dist-packages/uno.py ] || [ -x /usr/lib/libreoffice/program/python ] || apt_packages+=(python3-uno)
fc-list 2>/dev/null | grep -q "Liberation Serif" || apt_packages+=(fonts-liberation2)
fc-list 2>/dev/null | grep -q "Carlito" || apt_packages+=(fonts-crosextra-carlito fonts-crosextra-caladea)
python3 -c "import ensurepip, venv" 2>/dev/null || apt_packages+=(python3-venv)
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)  # the web intake's browser tests
command -v chromedriver >/dev/null 2>&1 || apt_packages+=(chromium-driver)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing with apt: ${apt_packages[*]}"
    sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  else
    echo "warning: no apt-get here; install LibreOffice, poppler-utils, the Liberation fonts and Chromium yourself" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# constraints.txt: the exact versions that produce the reference bytes
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,web,ooxml]'
.venv/bin/formgen lint
if [ "${FORMGEN_LOWEST:-}" = 1 ] || [ "${CI:-}" = true ]; then  # CI always tests both ends
  # The lowest versions pyproject.toml allows, in their own venv: the fast tests, then the CA
  # packet must come out byte for byte as with the pinned versions.
  [ -x .venv-lowest/bin/python ] || python3 -m venv .venv-lowest
  .venv-lowest/bin/python -m pip install -q --disable-pip-version-check -c constraints-lowest.txt -e '.[test]'
  .venv-lowest/bin/python -m pytest -q tests/test_cli.py tests/test_schema.py tests/test_deal_validation.py
  tmp=$(mktemp -d)
  .venv/bin/formgen generate examples/ca_medspa.yaml -o "$tmp/pinned" >/dev/null
  .venv-lowest/bin/formgen generate examples/ca_medspa.yaml -o "$tmp/lowest" >/dev/null
  diff -r "$tmp/pinned" "$tmp/lowest" && echo "lowest versions: byte-identical packet"
  rm -rf "$tmp"
fi

# The package as users get it: build the wheel, install it into a fresh venv outside the checkout
# and generate the CA packet from another folder (the library must ship inside the wheel).
wheel_check="$(mktemp -d)"
trap 'rm -rf "$wheel_check"' EXIT
.venv/bin/python -m pip wheel -q --disable-pip-version-check --no-deps . -w "$wheel_check/dist"
python3 -m venv "$wheel_check/venv"
"$wheel_check/venv/bin/pip" install -q --disable-pip-version-check "$wheel_check"/dist/formgen-*.whl
(cd "$wheel_check" && venv/bin/formgen --version && venv/bin/python -m formgen --help >/dev/null \
  && venv/bin/formgen generate "$OLDPWD/examples/ca_medspa.yaml" -o ca_packet >/dev/null \
  && test -s ca_packet/msa.docx && echo "wheel: installed outside the checkout and built the CA packet")
# axe-core, the accessibility engine the browser tests run in Chromium (from npm, once)
if command -v npm >/dev/null 2>&1 && [ ! -f tests/.axe/node_modules/axe-core/axe.min.js ]; then
  npm install --no-save --no-audit --no-fund --silent --prefix tests/.axe axe-core@4.14 >/dev/null || echo "warning: axe-core not installed; the accessibility checks are skipped" >&2
fi
# In parallel (pytest-xdist): one worker per core, each test module on one worker so its
# module-scoped packets and LibreOffice runs are made once. PYTEST_WORKERS=0 runs in one process.
.venv/bin/python -m pytest -q -n "${PYTEST_WORKERS:-auto}" --dist loadscope "$@"
