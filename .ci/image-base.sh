#!/usr/bin/env bash
# Builds Tether's runtime base image without a registry or a Docker daemon, as a `docker save`
# tarball that Jib takes as its base (`from` = tar://...; see the `image` profile in operator/pom.xml).
#
#   .ci/image-base.sh JAR OUT.tar
#
# One layer, distroless-style:
#   /opt/java      a Java runtime jlinked from a local JDK >= 25 with the modules the jar needs (jdeps)
#   /lib, /lib64   glibc and libgcc from Debian's own packages (apt-get download, else the host's copy
#                  of the same packages), package records in /var/lib/dpkg/status.d for image scanners
#   /etc           passwd/group with nonroot (65532), nsswitch.conf; /tmp (1777), /home/nonroot;
#                  empty /proc, /sys, /dev mount points
# Nothing else: no shell, no package manager. Reproducible: sorted entries, fixed mtimes and owners.
#
# Environment: TETHER_IMAGE_JDK  the JDK to jlink from (default: JAVA_HOME when it is 25+, else
#              /usr/lib/jvm/temurin-25-jdk-amd64).
set -Eeuo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 JAR OUT.tar" >&2
  exit 2
fi
jar=$(realpath "$1")
out=$(realpath -m "$2")
[[ -f $jar ]] || { echo "image-base: $jar not found; run ./mvnw package first" >&2; exit 1; }

java_major() { "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}'; }
jdk=${TETHER_IMAGE_JDK:-}
if [[ -z $jdk ]]; then
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/jlink && $(java_major "$JAVA_HOME") -ge 25 ]]; then
    jdk=$JAVA_HOME
  else
    jdk=/usr/lib/jvm/temurin-25-jdk-amd64
  fi
fi
if [[ ! -x $jdk/bin/jlink || $(java_major "$jdk") -lt 25 ]]; then
  echo "image-base: need a JDK 25 or newer with jlink (TETHER_IMAGE_JDK, JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64); got '$jdk'" >&2
  exit 1
fi

work=$(dirname "$out")/base-work
rootfs=$work/rootfs
rm -rf "$work"
mkdir -p "$rootfs" "$work/debs" "$(dirname "$out")"

# 1. Java runtime: the modules the jar uses, plus the ones reached only by reflection or service
#    loading (DNS for JNDI, EC crypto, attach-free management for Micrometer's JVM metrics).
modules=$("$jdk/bin/jdeps" --multi-release base --ignore-missing-deps --print-module-deps "$jar")
modules=$(echo "$modules,jdk.crypto.ec,jdk.naming.dns,jdk.management,jdk.zipfs" | tr ',' '\n' | sort -u | paste -sd,)
echo "image-base: jlink from $jdk ($(java_major "$jdk")): $modules"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --generate-cds-archive --output "$rootfs/opt/java"
# The CDS archive for heaps over 32 GiB (no compressed oops) is 14 MB that a pod never maps.
rm -f "$rootfs/opt/java/lib/server/classes_nocoops.jsa"

# 2. The C library from Debian's packages.
packages=(libc6 libgcc-s1)
if (cd "$work/debs" && apt-get download "${packages[@]}" >/dev/null 2>"$work/apt.log"); then
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$rootfs"
    name=$(dpkg-deb -f "$deb" Package)
    mkdir -p "$rootfs/var/lib/dpkg/status.d"
    dpkg-deb -f "$deb" Package Version Architecture Source > "$rootfs/var/lib/dpkg/status.d/$name"
  done
else
  echo "image-base: apt-get download failed ($(tail -1 "$work/apt.log")); copying the host's installed ${packages[*]}" >&2
  for name in "${packages[@]}"; do
    dpkg-query -L "$name:amd64" | while read -r path; do
      [[ -d $path && ! -L $path ]] && continue
      mkdir -p "$rootfs$(dirname "$path")"
      cp -a "$path" "$rootfs$path"
    done
    mkdir -p "$rootfs/var/lib/dpkg/status.d"
    dpkg-query -W -f='Package: ${Package}\nVersion: ${Version}\nArchitecture: ${Architecture}\nSource: ${Source}\n' "$name:amd64" \
      > "$rootfs/var/lib/dpkg/status.d/$name"
  done
fi
# What a JVM never loads: docs, locales, iconv modules, debugging preloads.
rm -rf "$rootfs/usr/share/doc" "$rootfs/usr/share/lintian" "$rootfs/usr/share/locale" \
  "$rootfs/usr/lib/x86_64-linux-gnu/gconv" "$rootfs/usr/share/man" "$rootfs/usr/share/info"
rm -f "$rootfs"/lib/x86_64-linux-gnu/{libmemusage.so,libpcprofile.so,libc_malloc_debug.so.0}

# 3. Users, name service, writable places.
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/nonroot" "$rootfs/root" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
cat > "$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat > "$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
nonroot:x:65532:
EOF
cat > "$rootfs/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/home/nonroot" "$rootfs/root"

# 4. One layer (root-owned, but /home/nonroot owned by nonroot), then the `docker save` layout.
layer=$work/layer.tar
tar_opts=(--sort=name --mtime=@0 --numeric-owner --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
tar -C "$rootfs" "${tar_opts[@]}" --owner=0 --group=0 --exclude=./home/nonroot -cf "$layer" .
tar -C "$rootfs" "${tar_opts[@]}" --owner=65532 --group=65532 -rf "$layer" ./home/nonroot
diff_id=$(sha256sum "$layer" | cut -d' ' -f1)

image=$work/image
mkdir -p "$image"
mv "$layer" "$image/layer.tar"
cat > "$image/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"User":"65532:65532","WorkingDir":"/home/nonroot",
   "Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":".ci/image-base.sh: jlinked JDK $(java_major "$jdk") runtime, Debian ${packages[*]}"}]}
EOF
cat > "$image/manifest.json" <<'EOF'
[{"Config":"config.json","RepoTags":["tether-base:local"],"Layers":["layer.tar"]}]
EOF
tar -C "$image" "${tar_opts[@]}" --owner=0 --group=0 -cf "$out" manifest.json config.json layer.tar
rm -rf "$work"
echo "image-base: $out ($(du -h "$out" | cut -f1), layer sha256:$diff_id)"
