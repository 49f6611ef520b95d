#!/usr/bin/env bash
# Builds the gateway and the benchmark harness, then measures the gateway against direct S3 on
# the same S3 server in one run. Prints the table and writes bench/results/<date>-<rev>.md and
# bench/results/latest.md.
#
# Usage: bench/run.sh [-Dbench.largeMib=512] [-Dbench.runs=5] [-Dbench.smallFiles=500]
#                     [-Dbench.listEntries=10000] [-Dbench.clients=8] [-Dbench.concurrentMib=256]
#                     [-Dbench.downloads=1000] [-Dbench.mirrorRuns=3] [-Dbench.logins=20]
#                     [-Dbench.cases=1,2,3,4,5,7,8,9,10] [-Dbench.jfr=gateway.jfr] [-Dbench.jfrSettings=profile]
#                     [-Dbench.gatewayJvmOptions="-XX:..."]
# Extra arguments are JVM options of the harness (sizes; a JFR recording of the gateway).
# BENCH_WORK chooses the scratch directory for the S3 server's files (default: a new temp dir).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mvn -B -q -Pbench -DskipTests -pl bench -am package

work="${BENCH_WORK:-$(mktemp -d -t dropzone-bench.XXXXXX)}"
mkdir -p "$work"
# Object data of several GiB: removed afterwards unless the caller chose the directory.
if [[ -z "${BENCH_WORK:-}" ]]; then
  trap 'rm -rf "$work"' EXIT
fi

revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain -- . ':!bench/results' 2>/dev/null)" ]]; then
  revision="${revision}-dirty"
fi

echo "[bench] work directory: $work (child logs: s3-server.log, gateway.log)"
java -Xmx2g -Dlogback.configurationFile=logback-bench.xml "$@" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.dropzone.bench.harness.Bench "$work" "$root/bench/results" "$revision"
