#!/usr/bin/env bash
# The systemd unit under real systemd: boots systemd as PID 1 in a podman container made from a debootstrap
# rootfs, installs the published worker and deploy/systemd/crawler.service, and checks readiness, the journal,
# a real crawl of the fixture site (inside the container's own network namespace), a graceful stop that leaves
# the store consistent, and a restart after the main process is killed.
#   usage: tests/deploy/systemd.sh        (root; installs podman, runc, debootstrap when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/deploy/lib.sh
NAME=crawler-systemd-test
IMAGE=localhost/crawler-systemd-base:bookworm
in_box() { podman exec "$NAME" "$@"; }
cleanup() { podman rm -f "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT

install_podman
debootstrap_image "$IMAGE" systemd,systemd-sysv,dbus,sqlite3,ca-certificates,libicu72

# as the README installs it: compiled ahead of time to one native executable, linked by the C toolchain
command -v clang >/dev/null || command -v gcc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null; }
dotnet publish src/Crawler.Worker -c Release -r linux-x64 -p:PublishAot=true -o "$CACHE/crawler" -v quiet -nologo > "$CACHE/publish.log" 2>&1 \
  || { cat "$CACHE/publish.log"; echo "not ok - the native publish failed"; exit 1; }
dotnet publish tests/Crawler.FixtureSite -c Release -r linux-x64 --self-contained -o "$CACHE/fixture" -v quiet -nologo >/dev/null

cleanup
# privileged: the unit's sandboxing (mount namespaces, ProtectSystem...) must be set up as on a real host
podman run -d --name "$NAME" --systemd=always --privileged \
  -v "$CACHE/crawler:/opt/crawler-build:ro" -v "$CACHE/fixture:/opt/fixture:ro" \
  -v "$PWD/deploy/systemd/crawler.service:/opt/crawler.service:ro" \
  "$IMAGE" /lib/systemd/systemd >/dev/null
for _ in $(seq 1 50); do
  state=$(in_box systemctl is-system-running 2>/dev/null || true)
  [ "$state" = running ] || [ "$state" = degraded ] && break
  sleep 0.2
done

# install as the README says: binaries in /opt/crawler, the unit, site settings in /etc/crawler/crawler.env
in_box cp -r /opt/crawler-build /opt/crawler
in_box cp /opt/crawler.service /etc/systemd/system/crawler.service
in_box mkdir -p /etc/crawler
podman exec -i "$NAME" sh -c 'cat > /etc/crawler/crawler.env' <<'ENV'
Crawler__Sources__0__Name=fixture
Crawler__Sources__0__Seeds__0=http://127.0.0.1:5080/news/list/2
Crawler__Sources__0__Include=/news/slow/
Crawler__Sources__0__Schedule="0/3 * * * * ?"
Crawler__Sources__1__Name=dead-host
Crawler__Sources__1__Seeds__0=http://127.0.0.1:9/news/
Crawler__Sources__1__Schedule="0/3 * * * * ?"
Crawler__Sources__2__Enabled=false
Crawler__Sources__3__Enabled=false
Crawler__Fetch__AllowPrivateNetworks=true
Crawler__Fetch__PerHostDelay=00:00:00
ENV
in_box systemd-run --quiet --unit fixture-site /opt/fixture/Crawler.FixtureSite --port 5080 --slow 40
in_box systemctl daemon-reload

check "the unit passes systemd-analyze verify" in_box systemd-analyze verify /etc/systemd/system/crawler.service
in_box systemctl enable --quiet crawler
# Type=notify: start returns once the worker sent READY=1 (store migrated, scheduler started)
check "systemctl start returns after readiness" in_box systemctl start crawler
check "the service is active (running)" test "$(in_box systemctl show -p ActiveState,SubState --value crawler | tr '\n' ' ')" = "active running "
# the journal read whole first: grep -m1 stopping early would kill journalctl with SIGPIPE, and pipefail end the script
# (and again for a few seconds: journald may not have stored the service's lines yet)
for _ in $(seq 1 20); do
  journal=$(in_box journalctl -o short-unix --no-pager)
  migrated=$(grep -m1 'Applying store migration' <<<"$journal" | cut -d' ' -f1 || true)
  started=$(grep -m1 'Started crawler.service' <<<"$journal" | cut -d' ' -f1 || true)
  [ -n "$migrated" ] && [ -n "$started" ] && break
  sleep 0.25
done
check "readiness came after the store migration ($migrated < $started)" python3 -c "import sys; sys.exit(0 if '$migrated' and '$started' and float('$migrated') < float('$started') else 1)"

for _ in $(seq 1 100); do
  n=$(in_box sqlite3 /var/lib/crawler/crawler.db 'SELECT COUNT(*) FROM snapshots' 2>/dev/null || echo 0)
  [ "$n" -ge 5 ] && break
  sleep 0.3
done
check "the service crawled the fixture site on its schedule ($n snapshots)" test "$n" -ge 5
check "its lines are in journalctl -u crawler" sh -c "podman exec $NAME journalctl -u crawler --no-pager | grep -q 'Starting run'"
check "info lines have info priority" sh -c "podman exec $NAME journalctl -u crawler -p info..info --no-pager | grep -q 'Starting run'"
check "warnings have warning priority" sh -c "podman exec $NAME journalctl -u crawler -p warning..warning --no-pager | grep -q 'Retrying http://127.0.0.1:9/'"
check "journald consumed the priority prefix" sh -c "! podman exec $NAME journalctl -u crawler -o cat --no-pager | grep -qE '^<[0-9]>'"
check "no duplicated timestamp in the message" sh -c "! podman exec $NAME journalctl -u crawler -o cat --no-pager | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2} '"
check "the store belongs to the dynamic user, not root" test "$(in_box stat -c %U /var/lib/private/crawler/crawler.db)" != root

check "systemctl stop stops it gracefully" in_box systemctl stop crawler
check "the stop was clean (Result=success)" test "$(in_box systemctl show -p Result --value crawler)" = success
check "nothing is left leased in the store" test "$(in_box sqlite3 /var/lib/crawler/crawler.db "SELECT COUNT(*) FROM frontier WHERE state = 'Leased'")" = 0
check "the store passes integrity_check" test "$(in_box sqlite3 /var/lib/crawler/crawler.db 'PRAGMA integrity_check')" = ok
check "no snapshot was stored twice" test "$(in_box sqlite3 /var/lib/crawler/crawler.db 'SELECT COUNT(*) - COUNT(DISTINCT canonical_url) FROM snapshots')" = 0

in_box systemctl start crawler
pid=$(in_box systemctl show -p MainPID --value crawler)
in_box sh -c "kill -9 $pid"   # the shell builtin: the minimal image has no kill binary
for _ in $(seq 1 60); do
  [ "$(in_box systemctl show -p NRestarts --value crawler)" = 1 ] && [ "$(in_box systemctl is-active crawler)" = active ] && break
  sleep 0.5
done
check "killed with SIGKILL, systemd restarted it (Restart=on-failure)" test "$(in_box systemctl show -p NRestarts --value crawler)" = 1
check "and it is active again with a new pid" sh -c "[ \"\$(podman exec $NAME systemctl is-active crawler)\" = active ] && [ \"\$(podman exec $NAME systemctl show -p MainPID --value crawler)\" != $pid ]"

echo
in_box systemd-analyze security crawler --no-pager 2>/dev/null | tail -1 || true
report
