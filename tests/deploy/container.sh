#!/usr/bin/env bash
# The container stack for real: builds the worker image from the Dockerfile with podman (local stand-ins for the
# official .NET and PostgreSQL base images, which cannot be pulled here), brings docker-compose.yml up with
# podman-compose (two workers, PostgreSQL, and a fixture news site on the stack's own network), checks the crawl in
# PostgreSQL, the health check, JSON logs, metrics and the non-root user, then takes the stack down and up again
# and checks the data survived in the named volume.
#   usage: tests/deploy/container.sh        (root; installs podman, runc, debootstrap, podman-compose when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/deploy/lib.sh
PROJECT=crawlertest
export POSTGRES_PASSWORD="test-$RANDOM$RANDOM" # a fresh secret per run, never a committed one
export POSTGRES_IMAGE=localhost/crawler-test/postgres:bookworm
export SDK_IMAGE=localhost/crawler-test/sdk:10.0 RUNTIME_IMAGE=localhost/crawler-test/aspnet:10.0
export FIXTURE_DIR="$CACHE/fixture-fdd" WORKERS=2
compose() { podman-compose -p "$PROJECT" -f docker-compose.yml -f tests/deploy/compose.test.yml "$@" >>"$CACHE/compose.log" 2>&1; }
psql_count() { podman exec "${PROJECT}_postgres_1" psql -U crawler -d crawler -Atc "$1" 2>/dev/null || echo -1; }
cleanup() { compose down -v || true; }
# A worker may still be backing off from a database that was not up when it started while the other one already
# crawled; wait for a worker to report healthy, and on failure show why in the test output.
wait_healthy() { # container
  for _ in $(seq 1 90); do podman healthcheck run "$1" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "# $1 is not healthy; its last log lines:"; podman logs --tail 15 "$1" 2>&1 | sed 's/^/#   /'
  return 1
}
both_workers_healthy() { wait_healthy "${PROJECT}_worker_1" && wait_healthy "${PROJECT}_worker_2"; }
trap cleanup EXIT

install_podman podman-compose
: >"$CACHE/compose.log"
debootstrap_image localhost/crawler-test/base:bookworm ca-certificates,libicu72,tzdata,postgresql,postgresql-client
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
podman image exists "$SDK_IMAGE" || podman build -q -t "$SDK_IMAGE" -f "$PWD/tests/deploy/images/sdk.Containerfile" "$dotnet_root" >/dev/null
podman image exists "$RUNTIME_IMAGE" || podman build -q -t "$RUNTIME_IMAGE" -f "$PWD/tests/deploy/images/aspnet.Containerfile" "$dotnet_root" >/dev/null
podman image exists "$POSTGRES_IMAGE" || podman build -q -t "$POSTGRES_IMAGE" -f tests/deploy/images/postgres.Containerfile tests/deploy/images >/dev/null

# The worker image from the repository's Dockerfile. The host's package cache is lent to the restore step, so the
# build needs no network (and skips the vulnerability audit, which CI's own restore does); docker format keeps the
# HEALTHCHECK.
check "the Dockerfile builds with the base images as build arguments" \
  podman build -q --format docker -t localhost/crawler-worker:latest --build-arg SDK_IMAGE --build-arg RUNTIME_IMAGE --build-arg NUGET_AUDIT=false \
    -v "$HOME/.nuget/packages:/root/.nuget/packages" . >/dev/null
check "the image runs as the unprivileged user" test "$(podman image inspect -f '{{.Config.User}}' localhost/crawler-worker:latest)" = app
check "the image has a HEALTHCHECK" sh -c "podman image inspect -f '{{.Config.Healthcheck.Test}}' localhost/crawler-worker:latest | grep -q -- --health"
dotnet publish tests/Crawler.FixtureSite -c Release -o "$FIXTURE_DIR" -v quiet -nologo >/dev/null

cleanup
compose up -d --no-build
for _ in $(seq 1 240); do
  n=$(psql_count "SELECT COUNT(*) FROM snapshots")
  [ "$n" -ge 20 ] && break
  sleep 0.5
done
check "two workers on PostgreSQL crawled the fixture site ($n snapshots)" test "$n" -ge 20
check "each article is stored once, the mirror linked" test "$(psql_count "SELECT COUNT(*) - COUNT(DISTINCT content_hash) FROM snapshots")/$(psql_count "SELECT COUNT(*) FROM pages WHERE duplicate_of IS NOT NULL")" = 0/1
check "both worker replicas are running" test "$(podman ps --filter "label=io.podman.compose.project=$PROJECT" --filter status=running --format '{{.Names}}' | grep -c worker)" = 2
check "the worker runs as uid 1654, not root" test "$(podman exec "${PROJECT}_worker_1" id -u)" = 1654
check "the health check passes on both workers (store reachable, scheduler running)" both_workers_healthy
check "the logs on stdout are JSON lines" sh -c "podman logs ${PROJECT}_worker_1 2>/dev/null | head -20 | python3 -c 'import json,sys; lines=[json.loads(l) for l in sys.stdin if l.strip()]; sys.exit(0 if lines and all(\"@t\" in l for l in lines) else 1)'"
# One scrape in a CI run once came back without the store's gauges; a scrape that lacks them is shown in the log
# (what it said is the clue) and tried again, up to 10 times.
for attempt in $(seq 1 10); do
  metrics=$(podman exec "${PROJECT}_worker_1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9464; printf "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n" >&3; cat <&3' 2>&1 || true)
  echo "$metrics" | grep -qE '^crawler_snapshots [0-9]+' && break
  echo "# metrics scrape $attempt lacked crawler_snapshots; it said:"; echo "$metrics" | grep -v '^# ' | tail -8 | sed 's/^/#   /'
  sleep 1
done
check "metrics are served in the Prometheus format" sh -c "echo '$metrics' | grep -qE '^crawler_snapshots [0-9]+'"
check "the PostgreSQL password is not in the compose file or the image" sh -c "! grep -q '$POSTGRES_PASSWORD' docker-compose.yml && ! podman image inspect localhost/crawler-worker:latest | grep -q '$POSTGRES_PASSWORD'"

before=$(psql_count "SELECT COUNT(*) FROM snapshots")
compose down
check "down removed the containers" test "$(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}' | wc -l)" = 0
compose up -d --no-build
for _ in $(seq 1 120); do
  after=$(psql_count "SELECT COUNT(*) FROM snapshots")
  [ "$after" -ge 0 ] && break
  sleep 0.5
done
check "after down and up the snapshots are still there ($before, then $after)" test "$after" -ge "$before"
check "and the restarted worker is healthy" wait_healthy "${PROJECT}_worker_1"

echo
report
