#!/usr/bin/env bash
# Starts the jar from an image tarball's own filesystem, as the chart runs it: user 65532, the root
# filesystem read-only, a fresh /tmp, the chart's JVM options; no Docker daemon needed.
#
#   .ci/image-smoke.sh operator/target/jib-image.tar
#
# Needs root (chroot, mount namespaces); elsewhere it says so and exits 0, since it only checks.
set -Eeuo pipefail

tarball=$(realpath "$1")
if [[ $(id -u) -ne 0 ]] || ! command -v unshare >/dev/null; then
  echo "image-smoke: skipped (needs root and unshare to chroot into the image)"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
# Layers in order, as a container runtime stacks them (the image has no whiteouts).
for layer in $(tar -xOf "$tarball" manifest.json | grep -oE '"Layers":\[[^]]*\]' | grep -oE '[0-9a-f]{64}\.tar(\.gz)?'); do
  tar -xOf "$tarball" "$layer" | tar -xz -C "$root" --warning=no-unknown-keyword
done
config=$(tar -xOf "$tarball" config.json)
grep -q '"User":"65532:65532"' <<<"$config" || { echo "image-smoke: the image does not run as 65532:65532" >&2; exit 1; }
grep -q '"Entrypoint":\["java","-jar","/app/tether.jar"\]' <<<"$config" \
  || { echo "image-smoke: unexpected entrypoint in $config" >&2; exit 1; }

path=$(grep -oE '"PATH=[^"]*"' <<<"$config" | tr -d '"')

# run ENV... -- ARGS...: the entrypoint with ARGS, in the image, read-only, as 65532.
run() {
  local env=()
  while [[ $1 != -- ]]; do env+=("$1"); shift; done
  shift
  unshare --mount --pid --fork bash -c '
    root=$1; shift
    mount --bind "$root" "$root" && mount -o remount,bind,ro "$root"
    mount -t proc proc "$root/proc"
    mount -t tmpfs -o size=64m,mode=1777 tmp "$root/tmp"
    exec "$@"' \
    _ "$root" "$(command -v env)" -i "$path" \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" "${env[@]}" \
    "$(command -v chroot)" --userspec=65532:65532 "$root" java -jar /app/tether.jar "$@"
}

out=$(run -- --version 2>&1)
grep -q '^tether ' <<<"$out" || { echo "image-smoke: --version said: $out" >&2; exit 1; }
out=$(run -- operator --help 2>&1)
grep -q 'TETHER_HEARTBEAT_STATUS_INTERVAL' <<<"$out" || { echo "image-smoke: operator --help said: $out" >&2; exit 1; }
out=$(run -- proxy --help 2>&1)
grep -q 'TETHER_SSE_KEEPALIVE' <<<"$out" || { echo "image-smoke: proxy --help said: $out" >&2; exit 1; }
# A bad setting from the environment stops start-up with a message naming it (exit 2, picocli usage).
set +e
out=$(run TETHER_MIN_IDLE_TIMEOUT=3h -- operator 2>&1)
code=$?
set -e
[[ $code -eq 2 ]] && grep -q -- '--min-idle-timeout' <<<"$out" \
  || { echo "image-smoke: a bad TETHER_MIN_IDLE_TIMEOUT gave exit $code: $out" >&2; exit 1; }
echo "image-smoke: OK: $(run -- --version 2>/dev/null) starts from $(basename "$tarball") as 65532 on a read-only root; $(du -sh "$root" | cut -f1) unpacked"
