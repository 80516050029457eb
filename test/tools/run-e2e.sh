#!/usr/bin/env bash
# Runs the browser end-to-end suite inside a network namespace made for it: Janus never
# gathers ICE candidates on loopback, so the namespace gets a veth whose address both Janus
# and Chromium use. Everything (Janus, relay, page server, Chromium) lives in the namespace
# and goes with it.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
  echo "e2e: needs root to create a network namespace (ip netns); run the test command as root." >&2
  exit 1
fi
command -v ip >/dev/null || { echo "e2e: the ip command (iproute2) is missing" >&2; exit 1; }
ns="hf-e2e-$$"
cleanup() {
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$ns" ip link set dev lo up
ip netns exec "$ns" ip link add hfmedia0 type veth peer name hfmedia1
ip netns exec "$ns" ip addr add 10.199.0.1/24 dev hfmedia0
ip netns exec "$ns" ip link set dev hfmedia0 up
ip netns exec "$ns" ip link set dev hfmedia1 up
# A default route, as any machine on a LAN has: without one liblinphone's five-second network
# check finds only loopback, calls the network down, drops its registration and answers the
# next INVITE with c=127.0.0.1, which Janus's connected RTP socket never hears from.
ip netns exec "$ns" ip route add default dev hfmedia0
export HOLDFAST_E2E_IFACE=hfmedia0 HOLDFAST_E2E_ADDR=10.199.0.1
ip netns exec "$ns" npx playwright test "$@"
