#!/usr/bin/env bash
# Installs the OCI registry that crates/oci's tests start on loopback: Debian's
# `docker-registry` package (distribution 2.8, /usr/bin/docker-registry). The tests
# start and stop their own instances (config in a temp dir, 127.0.0.1 only); the
# package's own service is never started (there is no init system on these machines).
#
# From .ci/run, before `cargo test`:
#     bash .ci/oci-registry.sh
#     export PRESCREEN_REQUIRE_REGISTRY=1   # a missing registry fails the tests instead of skipping them
set -euo pipefail
if [ -x /usr/bin/docker-registry ]; then
    exit 0
fi
install() {
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry
}
if [ "$(id -u)" -eq 0 ]; then install; else sudo bash -c "$(declare -f install); install"; fi
test -x /usr/bin/docker-registry
