#!/usr/bin/env bash
# Builds the gateway and the soak harness, then runs the soak: well-behaved clients upload,
# download, list and rename while S3 is paused and reset and misbehaving clients abandon sessions;
# at the end every stored byte is verified and the gateway must hold no passive port, no pending
# multipart upload, no extra threads and no extra live heap. Prints the summary and writes
# bench/results/soak-<date>-<rev>.md and bench/results/soak-latest.md; exits 1 if a check failed.
#
# Usage: bench/soak.sh [-Dsoak.clients=8] [-Dsoak.minutes=5] [-Dsoak.maxFileMib=10]
#                      [-Dsoak.passivePorts=24] [-Dsoak.idleConnections=30]
#                      [-Dsoak.commandDeadlineSeconds=5] [-Dsoak.pauseEverySeconds=40]
#                      [-Dsoak.longestPauseSeconds=20] [-Dsoak.seed=20261204]
# BENCH_WORK chooses the directory for the child logs (default: a new temp dir, removed after).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mvn -B -q -Pbench -DskipTests -pl bench -am package

work="${BENCH_WORK:-$(mktemp -d -t dropzone-soak.XXXXXX)}"
mkdir -p "$work"
if [[ -z "${BENCH_WORK:-}" ]]; then
  trap 'rm -rf "$work"' EXIT
fi

revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain -- . ':!bench/results' 2>/dev/null)" ]]; then
  revision="${revision}-dirty"
fi

echo "[soak] work directory: $work (child logs: s3-server.log, gateway.log)"
java -Xmx1g -Dlogback.configurationFile=logback-bench.xml "$@" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.dropzone.bench.soak.Soak "$work" "$root/bench/results" "$revision"
