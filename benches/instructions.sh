#!/usr/bin/env bash
# Instructions the server runs per request, counted by valgrind's callgrind on the
# databases benches/run.sh kept (`--keep`): the same count for the same binary, data and
# request however busy the machine is, so two builds or two scales compare exactly where
# wall-clock figures on a shared machine drift.
#
#   benches/instructions.sh [--scales 10000,1000000] [--requests 40] [--queries "floor stats asof"]
#
# For each scale, starts the release binary under callgrind with counting off, signs in
# through a session row it inserts for `admin` (deleted at the end), and for each query
# sends 10 requests uncounted, then --requests counted ones (curl, one at a time). Prints
# one line per scale and query, then a Markdown table; the profiles stay in
# target/bench-instructions/ for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCALE_LIST=10000,1000000 REQUESTS=40 QUERIES="floor stats asof"
while [ $# -gt 0 ]; do
    case $1 in
        --scales) SCALE_LIST=$2; shift 2 ;;
        --requests) REQUESTS=$2; shift 2 ;;
        --queries) QUERIES=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/talent-registry
WORK=$ROOT/target/bench-instructions
PORT=18111
mkdir -p "$WORK"
# shellcheck source=benches/common.sh
. "$ROOT/benches/common.sh"
[ -x "$BIN" ] || die "no release binary at $BIN (cargo build --release)"
need_tools valgrind:valgrind curl:curl psql:postgresql-client

# shellcheck source=benches/queries.sh
. "$ROOT/benches/queries.sh"
TOKEN="instructions-$$-$(date +%s%N)"
VPID=""
cleanup() {
    [ -n "$VPID" ] && kill "$VPID" 2>/dev/null && wait "$VPID" 2>/dev/null
    for scale in ${SCALE_LIST//,/ }; do
        sign_out "$PG/bench_$scale" "$TOKEN"
    done
}
trap cleanup EXIT

declare -A COUNT
for scale in ${SCALE_LIST//,/ }; do
    sign_in "$PG/bench_$scale" admin "$TOKEN"
    DATABASE_URL="$PG/bench_$scale" TALENT_ADMIN_PASSWORD="instructions-unused-password" \
        TALENT_PII_KEY="talent-registry benchmark key (synthetic data only)" \
        TALENT_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn \
        valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$WORK/$scale.%p.out" "$BIN" serve >"$WORK/server-$scale.log" 2>&1 &
    VPID=$!
    for _ in $(seq 600); do
        curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
        kill -0 "$VPID" 2>/dev/null || die "server exited (see $WORK/server-$scale.log)"
        sleep 0.5
    done
    for name in $QUERIES; do
        body=$(jq -cn --arg q "${Q[$name]}" '{query: $q}')
        ask() {
            curl -fsS -o /dev/null -X POST "http://127.0.0.1:$PORT/graphql" \
                -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
                --data-binary "$body"
        }
        for _ in $(seq 10); do ask; done
        callgrind_control -z "$VPID" >/dev/null
        callgrind_control -i on "$VPID" >/dev/null
        for _ in $(seq "$REQUESTS"); do ask; done
        callgrind_control -i off "$VPID" >/dev/null
        callgrind_control -d "$name" "$VPID" >/dev/null
        sleep 1
        profile=$(grep -l "^desc: Trigger: dump $name\$" "$WORK/$scale.$VPID.out."* | tail -1)
        total=$(grep -m1 '^totals:' "$profile" | awk '{ print $2 }')
        COUNT[$name.$scale]=$((total / REQUESTS))
        echo "$scale $name: ${COUNT[$name.$scale]} instructions per request ($profile)" >&2
    done
    kill "$VPID"; wait "$VPID" 2>/dev/null || true; VPID=""
done

scales=(${SCALE_LIST//,/ })
printf '| query |'; for s in "${scales[@]}"; do printf ' %s |' "$s"; done
[ "${#scales[@]}" = 2 ] && printf ' %s ÷ %s |' "${scales[1]}" "${scales[0]}"
printf '\n| --- |'; for _ in "${scales[@]}"; do printf ' ---: |'; done
[ "${#scales[@]}" = 2 ] && printf ' ---: |'
echo
for name in $QUERIES; do
    printf '| %s |' "$name"
    for s in "${scales[@]}"; do printf " %'d |" "${COUNT[$name.$s]}"; done
    [ "${#scales[@]}" = 2 ] && awk -v a="${COUNT[$name.${scales[1]}]}" -v b="${COUNT[$name.${scales[0]}]}" \
        'BEGIN { printf " %.2f× |", a / b }'
    echo
done
