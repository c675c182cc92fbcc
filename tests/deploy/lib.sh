# Shared by the deployment tests: prerequisites, podman set-up, a debootstrap base image, and the check helper.
# Source it from a test script after `cd` to the repository root.
CACHE=${CRAWLER_DEPLOY_CACHE:-/var/tmp/crawler-deploy}
passed=0
failed=0

check() { # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   - $what"; else failed=$((failed + 1)); echo "FAIL - $what"; fi
}

report() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

install_podman() { # extra apt packages...
  local need=()
  command -v podman >/dev/null || need+=(podman)
  command -v runc >/dev/null || need+=(runc)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  for pkg in "$@"; do command -v "$pkg" >/dev/null || need+=("$pkg"); done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ ! -f /etc/containers/containers.conf ] || ! grep -q 'runtime = "runc"' /etc/containers/containers.conf; then
    # crun fails on these hosts' hybrid cgroups; raising ulimits is not permitted
    mkdir -p /etc/containers
    printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n' > /etc/containers/containers.conf
  fi
  mkdir -p "$CACHE"
}

debootstrap_image() { # image, comma-separated extra packages
  local image=$1 packages=$2 tar
  tar="$CACHE/$(echo "$image" | tr '/:' '__').tar"
  podman image exists "$image" && return 0
  if [ ! -f "$tar" ]; then
    rm -rf "$CACHE/rootfs"
    debootstrap --variant=minbase --include="$packages" bookworm "$CACHE/rootfs" http://deb.debian.org/debian >"$CACHE/debootstrap.log"
    tar -C "$CACHE/rootfs" -cf "$tar" .
    rm -rf "$CACHE/rootfs"
  fi
  podman import -q "$tar" "$image" >/dev/null
}
