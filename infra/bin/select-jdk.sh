#!/usr/bin/env bash
# Prints the JAVA_HOME of a JDK >= 21: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
# Exits 1 with a clear message when there is none.
set -euo pipefail
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
ok() { [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && m=$(major "$1") && [ -n "$m" ] && [ "${m%%.*}" -ge 21 ]; }
if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
best=""; bestv=0
for d in /usr/lib/jvm/*; do
  [ -d "$d" ] || continue
  if ok "$d"; then v=$(major "$d"); v=${v%%.*}; if [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi; fi
done
if [ -z "$best" ]; then
  echo "No JDK >= 21 found (checked \$JAVA_HOME and /usr/lib/jvm/*). Install one, e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21, and retry." >&2
  exit 1
fi
echo "$best"
