#!/usr/bin/env bash
# Concurrent bulk benchmark: N clients (default 12) of one institution each send a
# 10,000-row `enrolMany` at the same moment, into a course of their own, to the release
# server, on SQLite and then on PostgreSQL. A client answered 429 (`RATE_LIMITED`, its
# turn did not come within the request time limit) waits `Retry-After` and sends again,
# as a client should, until every call is accepted. Reports each engine's peak resident
# memory (VmHWM) before and after, every call's attempts and time, and checks that every
# row was enrolled once. Writes benches/RESULTS-bulk-concurrent.md.
#
#   benches/bulk-concurrent.sh                        # build release, 12 × 10,000 rows
#   benches/bulk-concurrent.sh --no-build --clients 4 --rows 2000 --engines sqlite
#
# Needs a PostgreSQL server where the user may create databases (BENCH_PG, default
# postgres://postgres@127.0.0.1:5432; creates and drops `bench_bulk_concurrent`).
# Uses port 18094 (BENCH_BULK_PORT). Installs jq, curl and psql with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COMMAND_LINE="benches/bulk-concurrent.sh${*:+ $*}"

ROWS=10000 CLIENTS=12 BUILD=1 ENGINES="sqlite,postgres" OUT=benches/RESULTS-bulk-concurrent.md
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) ROWS=$2; shift 2 ;;
        --clients) CLIENTS=$2; shift 2 ;;
        --engines) ENGINES=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=bench_bulk_concurrent
PORT=${BENCH_BULK_PORT:-18094}
URL="http://127.0.0.1:$PORT"
WORK=$ROOT/target/bench-bulk-concurrent
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/talent-registry
ADMIN_PASSWORD="bulk-admin-password-$$"
STAFF_PASSWORD="bulk-staff-password-$$"
PII_KEY="talent-registry bulk benchmark key (synthetic data only)"
mkdir -p "$WORK"

# shellcheck source=benches/common.sh
. "$ROOT/benches/common.sh"
need_tools jq:jq curl:curl psql:postgresql-client
if curl -s -o /dev/null "$URL/healthz"; then
    die "something already listens on 127.0.0.1:$PORT (set BENCH_BULK_PORT)"
fi
if [ "$BUILD" = 1 ]; then
    say "cargo build --release"
    cargo build --release --locked
fi
[ -x "$BIN" ] || die "no binary at $BIN (build it, or drop --no-build)"

say "generating $CLIENTS cohorts of $ROWS people"
for i in $(seq "$CLIENTS"); do
    "$BIN" roster --rows "$ROWS" --seed $((1000 + i)) --format json >"$WORK/trainees-$i.json"
done

drop_pg() { psql "$PG/postgres" -qtAX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; }
cleanup() { stop_server; [[ ",$ENGINES," == *,postgres,* ]] && drop_pg; rm -f "$WORK"/bulk.db*; }
trap cleanup EXIT


ENROL_MANY='mutation($in: EnrolManyInput!) { enrolMany(input: $in) { createdCount failedCount } }'

# client I TOKEN: sends body I until it is accepted, honouring Retry-After; writes
# "attempts seconds createdCount failedCount" to client-I.out.
client() {
    local i=$1 token=$2 attempts=0 started status wait
    started=$(date +%s.%N)
    while :; do
        attempts=$((attempts + 1))
        status=$(curl -sS -o "$WORK/answer-$i.json" -D "$WORK/head-$i.txt" -w '%{http_code}' \
            -X POST "$URL/graphql" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' --data-binary "@$WORK/body-$i.json") || status=000
        if [ "$status" = 429 ] || [ "$status" = 503 ]; then
            wait=$(awk 'tolower($1) == "retry-after:" { print $2 + 0 }' "$WORK/head-$i.txt")
            sleep "${wait:-1}"
            continue
        fi
        break
    done
    local seconds
    seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    echo "$status $attempts $seconds $(jq -r '.data.enrolMany | "\(.createdCount) \(.failedCount)"' "$WORK/answer-$i.json" 2>/dev/null || echo '- -')" \
        >"$WORK/client-$i.out"
}

declare -A R
bench_engine() {
    local engine=$1 dburl
    case "$engine" in
        sqlite) rm -f "$WORK"/bulk.db*; dburl="sqlite://$WORK/bulk.db?mode=rwc" ;;
        postgres)
            drop_pg
            psql "$PG/postgres" -v ON_ERROR_STOP=1 -qtAX -c "CREATE DATABASE $DB" >/dev/null
            dburl="$PG/$DB" ;;
        *) die "unknown engine $engine" ;;
    esac
    say "$engine: starting the server on port $PORT"
    DATABASE_URL="$dburl" TALENT_ADMIN_PASSWORD="$ADMIN_PASSWORD" TALENT_PII_KEY="$PII_KEY" \
        TALENT_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" >"$WORK/server-$engine.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do curl -s -o /dev/null "$URL/healthz" && break; sleep 0.2; done
    curl -s -o /dev/null "$URL/healthz" || die "server did not start (see $WORK/server-$engine.log)"

    local admin institution staff
    admin=$(gql "" 'mutation($in: LoginInput!) { login(input: $in) { token } }' \
        "$(jq -cn --arg p "$ADMIN_PASSWORD" '{in: {username: "admin", password: $p}}')" | jq -r .login.token)
    institution=$(gql "$admin" 'mutation($in: CreateInstitutionInput!) { createInstitution(input: $in) { id } }' \
        '{"in":{"name":"南山直播电商学院","creditCode":"91440300708461136T","district":"南山","kind":"TRAINING_INSTITUTION"}}' |
        jq -r .createInstitution.id)
    gql "$admin" 'mutation($in: CreateUserInput!) { createUser(input: $in) { id } }' \
        "$(jq -cn --arg i "$institution" --arg p "$STAFF_PASSWORD" \
            '{in: {username: "bulk.admin", password: $p, role: "INSTITUTION_ADMIN", institutionId: $i}}')" >/dev/null
    staff=$(gql "" 'mutation($in: LoginInput!) { login(input: $in) { token } }' \
        "$(jq -cn --arg p "$STAFF_PASSWORD" '{in: {username: "bulk.admin", password: $p}}')" | jq -r .login.token)
    local course_input course
    course_input=$(jq -cn --arg i "$institution" --argjson c "$ROWS" \
        '{in: {institutionId: $i, title: "直播带货主播（五级）", track: "HOST", level: 5, hours: 40, capacity: $c}}')
    for i in $(seq "$CLIENTS"); do
        course=$(gql "$staff" 'mutation($in: CreateCourseInput!) { createCourse(input: $in) { id } }' "$course_input" | jq -r .createCourse.id)
        jq -cn --arg q "$ENROL_MANY" --arg c "$course" --slurpfile t "$WORK/trainees-$i.json" \
            '{query: $q, variables: {in: {courseId: $c, trainees: $t[0]}}}' >"$WORK/body-$i.json"
    done

    R[$engine.load]=$(cut -d' ' -f1-3 /proc/loadavg)
    R[$engine.rss_before]=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    say "$engine: $CLIENTS concurrent enrolMany calls of $ROWS rows"
    local started pids=()
    started=$(date +%s.%N)
    for i in $(seq "$CLIENTS"); do
        client "$i" "$staff" &
        pids+=($!)
    done
    wait "${pids[@]}"
    R[$engine.wall]=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    R[$engine.rss_after]=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    local created=0 retries=0
    for i in $(seq "$CLIENTS"); do
        read -r status attempts seconds made failed <"$WORK/client-$i.out"
        [ "$status" = 200 ] && [ "$made" = "$ROWS" ] && [ "$failed" = 0 ] ||
            die "$engine client $i: HTTP $status, createdCount $made, failedCount $failed (see $WORK/answer-$i.json)"
        created=$((created + made))
        retries=$((retries + attempts - 1))
        R[$engine.calls]+="$attempts/$seconds "
    done
    R[$engine.created]=$created
    R[$engine.retries]=$retries
    stop_server
    [ "$engine" = postgres ] && drop_pg
    echo "$engine: ${R[$engine.rss_before]} -> ${R[$engine.rss_after]} MiB, $created enrolled, $retries resends, ${R[$engine.wall]} s" >&2
}

IFS=, read -r -a ENGINE_LIST <<<"$ENGINES"
for engine in "${ENGINE_LIST[@]}"; do bench_engine "$engine"; done

{
    echo "# Concurrent bulk enrolment: memory"
    echo
    echo "\`$COMMAND_LINE\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')\`,"
    echo "$(nproc) CPUs shared with other work, default settings (\`TALENT_BULK_CONCURRENCY=1\`,"
    echo "\`TALENT_REQUEST_TIMEOUT_MS=30000\`). $CLIENTS clients of one institution each send one"
    echo "\`enrolMany\` of $ROWS distinct synthetic people (\`talent-registry roster\`, seeds 1001…)"
    echo "into a course of their own, all at the same moment. A call answered 429 waits its"
    echo "\`Retry-After\` and is sent again. Peak RSS is the server's \`VmHWM\`."
    echo
    echo "| engine | load avg | peak RSS before (MiB) | peak RSS after all calls (MiB) | rows enrolled | resends after 429 | wall time (s) | per call: attempts/seconds |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
    for engine in "${ENGINE_LIST[@]}"; do
        echo "| $engine | ${R[$engine.load]} | ${R[$engine.rss_before]} | ${R[$engine.rss_after]} | ${R[$engine.created]} | ${R[$engine.retries]} | ${R[$engine.wall]} | ${R[$engine.calls]} |"
    done
} >"$OUT"
say "wrote $OUT"
