#!/usr/bin/env bash
# Every deployment test: the systemd unit under real systemd, then the container stack under podman-compose.
# Slow (a few minutes on a fresh machine, most of it building base images once); .ci/run runs it after the suite.
#   usage: tests/deploy/run.sh        (root)
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
for test in systemd container; do
  echo "== tests/deploy/$test.sh"
  bash "tests/deploy/$test.sh" || status=1
done
exit $status
