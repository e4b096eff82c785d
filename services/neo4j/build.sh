#!/usr/bin/env bash
# Builds the Neo4j test launcher (classes + runtime jars in target/lib) unless it is up to date.
# Needs java 17+ and mvn; dependencies come from Maven Central into ~/.m2.
# Usage: services/neo4j/build.sh [--force]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
stamp=target/.built

ensure_tools() {
  if command -v mvn >/dev/null && command -v java >/dev/null; then return; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "neo4j/build.sh: java and mvn are missing; install openjdk-17-jdk-headless and maven" >&2
    exit 1
  fi
  echo "neo4j/build.sh: installing openjdk-17-jdk-headless and maven with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >&2
}

up_to_date() {
  [[ -f $stamp ]] || return 1
  # Rebuild when pom.xml or any source is newer than the stamp.
  [[ -z $(find pom.xml src -newer "$stamp" -print -quit) ]]
}

if [[ ${1:-} != --force ]] && up_to_date; then
  exit 0
fi
ensure_tools
rm -f "$stamp"
rm -rf target/lib
echo "neo4j/build.sh: building the Neo4j launcher (first build downloads ~100 MB)" >&2
mvn -B -q -Dstyle.color=never -f pom.xml compile dependency:copy-dependencies >&2
touch "$stamp"
