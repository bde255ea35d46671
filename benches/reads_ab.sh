#!/usr/bin/env bash
# Two builds of the server side by side on one database benches/run.sh kept (`--keep`):
# both servers up at once, one connection, each count query sent to one build then the
# other, round after round, so a machine that drifts moves both alike. For a change whose
# gain in instructions (benches/instructions.sh) should be checked in time.
#
#   benches/reads_ab.sh OLD_BINARY NEW_BINARY [--scale 1000000] [--rounds 3]
#                       [--duration 5] [--warmup 2] [--queries "floor stats asof"]
#
# Build the old binary from a worktree of the old commit and copy it out of target/
# before building the new one. Signs in through a session row it inserts for `admin`
# (deleted at the end). Prints one line per round, query and build, then a Markdown
# table of the p50s (µs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

[ $# -ge 2 ] || { sed -n 7,8p "$0" >&2; exit 2; }
declare -A BIN=([old]=$1 [new]=$2)
shift 2
SCALE=1000000 ROUNDS=3 DURATION=5 WARMUP=2 QUERIES="floor stats asof"
while [ $# -gt 0 ]; do
    case $1 in
        --scale) SCALE=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --queries) QUERIES=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
WORK=$ROOT/target/bench-ab
mkdir -p "$WORK"
# shellcheck source=benches/common.sh
. "$ROOT/benches/common.sh"
for build in old new; do [ -x "${BIN[$build]}" ] || die "no binary at ${BIN[$build]}"; done
need_tools wrk:wrk jq:jq curl:curl psql:postgresql-client
# shellcheck source=benches/queries.sh
. "$ROOT/benches/queries.sh"

declare -A PORT=([old]=18121 [new]=18122) PIDS=()
TOKEN="reads-ab-$$-$(date +%s%N)"
cleanup() {
    for build in "${!PIDS[@]}"; do kill "${PIDS[$build]}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    sign_out "$PG/bench_$SCALE" "$TOKEN"
}
trap cleanup EXIT

sign_in "$PG/bench_$SCALE" admin "$TOKEN"
for build in old new; do
    bench_server "${BIN[$build]}" "$PG/bench_$SCALE" "${PORT[$build]}" "$WORK/server-$build.log"
    PIDS[$build]=$!
done
for build in old new; do
    await_server "${PORT[$build]}" "${PIDS[$build]}" "$WORK/server-$build.log"
done

declare -A P50
for round in $(seq "$ROUNDS"); do
    for name in $QUERIES; do
        body=$(jq -cn --arg q "${Q[$name]}" '{query: $q}')
        for build in old new; do
            url="http://127.0.0.1:${PORT[$build]}/graphql"
            line=$(one_connection "$TOKEN" "$body" "$url" "$name $build")
            p50=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$line")
            P50[$name.$build]="${P50[$name.$build]:-}$p50 "
            echo "round $round $name $build p50_us=$p50 $line" >&2
        done
    done
done

echo "| query | old: p50 µs per round | new: p50 µs per round | new ÷ old (medians) |"
echo "| --- | --- | --- | ---: |"
for name in $QUERIES; do
    old=$(median "${P50[$name.old]}") new=$(median "${P50[$name.new]}")
    printf '| %s | %s | %s | %s× |\n' "$name" "$(sed 's/ $//; s/ / · /g' <<<"${P50[$name.old]}")" \
        "$(sed 's/ $//; s/ / · /g' <<<"${P50[$name.new]}")" \
        "$(awk -v a="$new" -v b="$old" 'BEGIN { printf "%.2f", a / b }')"
done
