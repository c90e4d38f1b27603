# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
# The Debian packages Lilac needs, in one place, and the function that installs the missing ones.
# Sourced by ./run and ./test (bash). Add a package to the list of the task that needs it.
# shellcheck shell=bash disable=SC2034  # the lists are used by the scripts that source this

# To build lilac and lilac-worker.
LILAC_BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libjson-glib-dev libsqlite3-dev libsodium-dev libsoup-3.0-dev
  libpurple-dev libpurple-bin
)

# To run every test suite: the real IM peers (Prosody, ngircd) and the python clients that talk to
# them, the text browsers for the lightweight view, Chromium for the browser page (driven by
# playwright-core from npm, tests/page), clang's runtime for fuzzing, valgrind.
# Never npm or nodejs from Debian: Node 20 and npm come preinstalled and Debian's npm conflicts.
# Third-party libpurple plugins: the protocol listing and the operator's plugin list are tested
# with them.
LILAC_TEST_PACKAGES=(
  prosody ngircd python3-slixmpp python3-irc
  purple-xmpp-carbons purple-discord purple-rocketchat
  python3-nacl python3-prometheus-client openssl
  w3m lynx python3-html5lib
  chromium
  clang libclang-rt-14-dev valgrind
)

# lilac_packages_missing PACKAGE...: prints the packages that are not installed, one a line.
lilac_packages_missing ()
{
  local package status
  for package in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)
    [ "$status" = "install ok installed" ] || printf '%s\n' "$package"
  done
}

# lilac_packages_ensure PACKAGE...: installs what is missing when root, otherwise says what to
# run and fails.
lilac_packages_ensure ()
{
  local missing
  mapfile -t missing < <(lilac_packages_missing "$@")
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    {
      echo "lilac: these Debian packages are missing: ${missing[*]}"
      echo "install them as root, then run this again:"
      echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
    } >&2
    return 1
  fi

  echo "lilac: installing missing Debian packages: ${missing[*]}" >&2
  apt-get update || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || return 1
}
