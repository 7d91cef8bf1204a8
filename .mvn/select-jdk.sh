# Sourced (POSIX sh) by ./mvnw and .ci/run: make JAVA_HOME a JDK >= 21, the newest found,
# when it is unset or older. Fails with a clear message when there is none.
tether_java_major() {
  "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(tether_java_major "$JAVA_HOME")" -lt 21 ]; then
  tether_best=""
  case $- in *f*) tether_noglob=1; set +f ;; *) tether_noglob="" ;; esac
  tether_best_major=0
  for tether_candidate in /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do
    [ -x "$tether_candidate/bin/javac" ] || continue
    tether_major=$(tether_java_major "$tether_candidate")
    if [ -n "$tether_major" ] && [ "$tether_major" -ge 21 ] && [ "$tether_major" -gt "$tether_best_major" ]; then
      tether_best=$tether_candidate
      tether_best_major=$tether_major
    fi
  done
  [ -z "$tether_noglob" ] || set -f
  if [ -z "$tether_best" ]; then
    echo "Tether needs a JDK 21 or newer; none found in JAVA_HOME or /usr/lib/jvm. Install one (e.g. Temurin 25) and set JAVA_HOME." >&2
    exit 1
  fi
  JAVA_HOME=$tether_best
  export JAVA_HOME
fi
PATH=$JAVA_HOME/bin:$PATH
export PATH
