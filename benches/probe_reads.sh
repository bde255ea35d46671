#!/usr/bin/env bash
# The count queries of benches/run.sh measured again on the databases it kept
# (`benches/run.sh --keep`): one connection, one request at a time, the two scales
# alternated query by query and round by round, so that a machine that drifts through a
# run moves both scales alike (run.sh measures all of 10,000, then all of 1,000,000).
#
#   benches/probe_reads.sh [--scales 10000,1000000] [--rounds 3] [--duration 8] [--warmup 3]
#
# Uses the release binary (build it first), the databases bench_<scale> of the two
# scales (the smaller first), wrk, jq, curl and psql. Signs in through a session row it inserts for `admin` and `bench.institution`
# (their passwords were the run's own) and deletes at the end. Prints one line per
# query, round and scale, then a Markdown table of the p50s.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

ROUNDS=3 DURATION=8 WARMUP=3 SCALE_LIST=10000,1000000
while [ $# -gt 0 ]; do
    case $1 in
        --scales) SCALE_LIST=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/talent-registry
WORK=$ROOT/target/bench-probe
IFS=, read -r -a SCALES <<<"$SCALE_LIST"
[ "${#SCALES[@]}" = 2 ] || { echo "--scales takes two scales" >&2; exit 2; }
SMALL=${SCALES[0]} LARGE=${SCALES[1]}
declare -A PORT=([$SMALL]=18097 [$LARGE]=18098) PIDS=()
mkdir -p "$WORK"
# shellcheck source=benches/common.sh
. "$ROOT/benches/common.sh"
[ -x "$BIN" ] || die "no release binary at $BIN (cargo build --release)"

ADMIN_TOKEN="probe-admin-$$-$(date +%s%N)"
INST_TOKEN="probe-institution-$$-$(date +%s%N)"
cleanup() {
    for scale in "${!PIDS[@]}"; do kill "${PIDS[$scale]}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for scale in "${SCALES[@]}"; do
        sign_out "$PG/bench_$scale" "$ADMIN_TOKEN"
        sign_out "$PG/bench_$scale" "$INST_TOKEN"
    done
}
trap cleanup EXIT

for scale in "${SCALES[@]}"; do
    sign_in "$PG/bench_$scale" admin "$ADMIN_TOKEN"
    sign_in "$PG/bench_$scale" bench.institution "$INST_TOKEN"
    bench_server "$BIN" "$PG/bench_$scale" "${PORT[$scale]}" "$WORK/server-$scale.log"
    PIDS[$scale]=$!
done
for scale in "${SCALES[@]}"; do
    await_server "${PORT[$scale]}" "${PIDS[$scale]}" "$WORK/server-$scale.log"
done

# shellcheck source=benches/queries.sh
. "$ROOT/benches/queries.sh"
NAMES=(floor progress progressinst stats range asof asofinst)
declare -A P50
for round in $(seq "$ROUNDS"); do
    for name in "${NAMES[@]}"; do
        query=${Q[${name%inst}]} token=$ADMIN_TOKEN
        [ "$name" != "${name%inst}" ] && token=$INST_TOKEN
        body=$(jq -cn --arg q "$query" '{query: $q}')
        for scale in "${SCALES[@]}"; do
            URL="http://127.0.0.1:${PORT[$scale]}"
            gql "$token" "$query" '{}' >/dev/null
            line=$(one_connection "$token" "$body" "$URL/graphql" "$name $scale")
            p50=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$line")
            P50[$name.$scale]="${P50[$name.$scale]:-}$p50 "
            echo "round $round $name $scale p50_us=$p50 $line" >&2
        done
    done
done

floor=$(median "${P50[floor.$LARGE]}")
echo "| query | $SMALL: p50 µs per round | $LARGE: p50 µs per round | median ÷ $SMALL | median ÷ the floor at $LARGE |"
echo "| --- | --- | --- | ---: | ---: |"
for name in "${NAMES[@]}"; do
    small=$(median "${P50[$name.$SMALL]}") large=$(median "${P50[$name.$LARGE]}")
    printf '| %s | %s | %s | %s× | %s× |\n' "$name" "$(echo "${P50[$name.$SMALL]}" | sed 's/ $//; s/ / · /g')" \
        "$(echo "${P50[$name.$LARGE]}" | sed 's/ $//; s/ / · /g')" \
        "$(awk -v a="$large" -v b="$small" 'BEGIN { printf "%.2f", a / b }')" \
        "$(awk -v a="$large" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')"
done
