#!/usr/bin/env bash
# Makes sure the programs the tests run for real are here: Janus and Chromium from Debian,
# and the SIP world's registrar (kamailio) and far ends (baresip, linphone).
# As root it installs what is missing; otherwise it stops and names what to install.
set -euo pipefail
missing=()
command -v janus >/dev/null || missing+=(janus)
[ -x "${HOLDFAST_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v ip >/dev/null || missing+=(iproute2)
command -v kamailio >/dev/null || [ -x /usr/sbin/kamailio ] || missing+=(kamailio)
command -v baresip >/dev/null || missing+=(baresip)
command -v linphone-daemon >/dev/null || missing+=(linphone-cli)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "The tests need these Debian packages, which are not installed: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}   (or run the test command as root)" >&2
  exit 1
fi
echo "Installing from Debian: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
base=() sip=()
for p in "${missing[@]}"; do
  case $p in kamailio | baresip | linphone-cli) sip+=("$p") ;; *) base+=("$p") ;; esac
done
[ ${#base[@]} -eq 0 ] || apt-get install -y -qq "${base[@]}" >/dev/null
# The SIP far end and registrar need none of their recommended extras.
[ ${#sip[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${sip[@]}" >/dev/null
