#!/usr/bin/env bash
# Runs the Neo4j test launcher in the foreground, building it first when needed.
# Usage: services/neo4j/launch.sh --port N --data DIR [--pagecache-mb N]
# Prints `ready bolt://127.0.0.1:N` on stdout once Bolt answers; SIGTERM stops it cleanly.
# Auth is off unless NEO4J_PASSWORD is set. Heap: NEO4J_HEAP (default 512m). NEO4J_JAVA_OPTS adds
# JVM options after the defaults (for example -XX:TieredStopAtLevel=1 starts ~15% faster).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/build.sh"
heap="${NEO4J_HEAP:-512m}"
read -r -a extra <<<"${NEO4J_JAVA_OPTS:-}"
exec java \
  -Xms128m -Xmx"$heap" \
  -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow \
  -Dfile.encoding=UTF-8 \
  -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
  -Dlog4j2.disable.jmx=true \
  --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED \
  "${extra[@]}" \
  -cp "$here/target/classes:$here/target/lib/*" \
  dev.weir.neo4j.Launcher "$@"
