#!/usr/bin/env bash
# Bulk benchmark: 10,000 rows through `enrolMany` (JSON) and through `importEnrolments`
# (CSV, multipart) on SQLite and then on PostgreSQL, each sent twice: the first call
# must enrol every row, the repeat must create nothing. Rows come from the project's own
# generator (`talent-registry roster`). Writes benches/RESULTS-bulk.md.
#
#   benches/bulk.sh                 # build release, 10,000 rows, both engines
#   benches/bulk.sh --no-build      # use target/release/talent-registry as built
#   benches/bulk.sh --rows 2000 --engines sqlite --out target/bench-bulk/RESULTS.md
#
# Needs a PostgreSQL server where the user may create databases (BENCH_PG, default
# postgres://postgres@127.0.0.1:5432; the script creates and drops `bench_bulk`).
# Installs jq, curl and psql with apt-get when missing. Uses port 18091 (BENCH_BULK_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COMMAND_LINE="benches/bulk.sh${*:+ $*}"

ROWS=10000 BUILD=1 ENGINES="sqlite,postgres" OUT=benches/RESULTS-bulk.md
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) ROWS=$2; shift 2 ;;
        --engines) ENGINES=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
[[ "$ROWS" =~ ^[1-9][0-9]*$ ]] && [ "$ROWS" -le 10000 ] || { echo "--rows must be 1..10000" >&2; exit 2; }

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_BULK_PORT:-18091}
URL="http://127.0.0.1:$PORT"
WORK=$ROOT/target/bench-bulk
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

say "generating $ROWS people for enrolMany (seed 101) and $ROWS for the CSV import (seed 202)"
"$BIN" roster --rows "$ROWS" --seed 101 --format json >"$WORK/trainees.json"
"$BIN" roster --rows "$ROWS" --seed 202 --format csv >"$WORK/roster.csv"
CSV_BYTES=$(stat -c %s "$WORK/roster.csv")
# The results of the imported cohort: three in four pass, dated today (no column).
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "idNumber") col = i; print "idType,idNumber,passed,score"; next }
         { pass = (NR % 4 != 0); print $2 "," $col "," (pass ? "true" : "false") "," (pass ? 80 : 40) }' \
    "$WORK/roster.csv" >"$WORK/results.csv"

drop_pg() { psql "$PG/postgres" -qtAX -c "DROP DATABASE IF EXISTS bench_bulk WITH (FORCE)" >/dev/null 2>&1 || true; }
cleanup() { stop_server; [[ ",$ENGINES," == *,postgres,* ]] && drop_pg; rm -f "$WORK"/bulk.db*; }
trap cleanup EXIT


SELECTION='createdCount failedCount applied results { index created error { code field message } }'
ENROL_MANY="mutation(\$in: EnrolManyInput!) { enrolMany(input: \$in) { $SELECTION } }"
IMPORT="mutation(\$in: ImportEnrolmentsInput!) { importEnrolments(input: \$in) { $SELECTION } }"
RESULTS="mutation(\$in: ImportResultsInput!) { importResults(input: \$in) { passedCount failedCount refusedCount results { index changed error { code field message } } } }"

# timed_results NAME CURL-ARGS...: sends one results import; prints
# "seconds passedCount failedCount refusedCount".
timed_results() {
    local name=$1; shift
    local out="$WORK/$name.json" seconds
    seconds=$(curl -sS -o "$out" -w '%{time_total}' -X POST "$URL/graphql" "$@") || die "$name: curl failed"
    jq -e '.errors' "$out" >/dev/null && die "$name: $(head -c 600 "$out")"
    echo "$seconds $(jq -r '.data.importResults | "\(.passedCount) \(.failedCount) \(.refusedCount)"' "$out")"
}

# timed NAME CURL-ARGS...: sends one request; prints "seconds createdCount failedCount".
timed() {
    local name=$1; shift
    local out="$WORK/$name.json" seconds
    seconds=$(curl -sS -o "$out" -w '%{time_total}' -X POST "$URL/graphql" "$@") || die "$name: curl failed"
    jq -e '.errors' "$out" >/dev/null && die "$name: $(head -c 600 "$out")"
    echo "$seconds $(jq -r '.data[] | "\(.createdCount) \(.failedCount)"' "$out")"
}

# check NAME "SECONDS CREATED FAILED" EXPECTED_CREATED
check() {
    local created failed
    read -r _ created failed <<<"$2"
    [ "$created" = "$3" ] && [ "$failed" = 0 ] ||
        die "$1: createdCount $created (expected $3), failedCount $failed (see $WORK/$1.json)"
}

declare -A R
bench_engine() {
    local engine=$1 dburl
    case "$engine" in
        sqlite) rm -f "$WORK"/bulk.db*; dburl="sqlite://$WORK/bulk.db?mode=rwc" ;;
        postgres)
            drop_pg
            psql "$PG/postgres" -v ON_ERROR_STOP=1 -qtAX -c "CREATE DATABASE bench_bulk" >/dev/null
            dburl="$PG/bench_bulk" ;;
        *) die "unknown engine $engine" ;;
    esac
    say "$engine: starting the server on port $PORT"
    DATABASE_URL="$dburl" TALENT_ADMIN_PASSWORD="$ADMIN_PASSWORD" TALENT_PII_KEY="$PII_KEY" \
        TALENT_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" >"$WORK/server-$engine.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do curl -s -o /dev/null "$URL/healthz" && break; sleep 0.2; done
    curl -s -o /dev/null "$URL/healthz" || die "server did not start (see $WORK/server-$engine.log)"

    local admin institution staff course_json course_csv
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
    local course_input
    course_input=$(jq -cn --arg i "$institution" --argjson c "$ROWS" \
        '{in: {institutionId: $i, title: "直播带货主播（五级）", track: "HOST", level: 5, hours: 40, capacity: $c}}')
    course_json=$(gql "$staff" 'mutation($in: CreateCourseInput!) { createCourse(input: $in) { id } }' "$course_input" | jq -r .createCourse.id)
    course_csv=$(gql "$staff" 'mutation($in: CreateCourseInput!) { createCourse(input: $in) { id } }' "$course_input" | jq -r .createCourse.id)

    jq -cn --arg q "$ENROL_MANY" --arg c "$course_json" --slurpfile t "$WORK/trainees.json" \
        '{query: $q, variables: {in: {courseId: $c, trainees: $t[0]}}}' >"$WORK/enrol-many-body.json"
    local operations map
    operations=$(jq -cn --arg q "$IMPORT" --arg c "$course_csv" '{query: $q, variables: {in: {courseId: $c, file: null}}}')
    map='{"0":["variables.in.file"]}'
    local json_args=(-H "Authorization: Bearer $staff" -H 'Content-Type: application/json' --data-binary "@$WORK/enrol-many-body.json")
    local csv_args=(-H "Authorization: Bearer $staff" -F "operations=$operations" -F "map=$map" -F "0=@$WORK/roster.csv;type=text/csv")

    R[$engine.load]=$(cut -d' ' -f1-3 /proc/loadavg)
    R[$engine.rss_setup]=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    echo "peak RSS after the setup (logins, courses): ${R[$engine.rss_setup]} MiB" >&2
    say "$engine: enrolMany of $ROWS rows, then again"
    R[$engine.json1]=$(timed "$engine-enrol-many-1" "${json_args[@]}")
    check "$engine-enrol-many-1" "${R[$engine.json1]}" "$ROWS"
    R[$engine.json2]=$(timed "$engine-enrol-many-2" "${json_args[@]}")
    check "$engine-enrol-many-2" "${R[$engine.json2]}" 0
    R[$engine.json_hwm]=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    say "$engine: importEnrolments of $ROWS rows ($CSV_BYTES bytes), then again"
    R[$engine.csv1]=$(timed "$engine-import-1" "${csv_args[@]}")
    check "$engine-import-1" "${R[$engine.csv1]}" "$ROWS"
    R[$engine.csv2]=$(timed "$engine-import-2" "${csv_args[@]}")
    check "$engine-import-2" "${R[$engine.csv2]}" 0
    R[$engine.csv_hwm]=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    local results_ops
    results_ops=$(jq -cn --arg q "$RESULTS" --arg c "$course_csv" '{query: $q, variables: {in: {courseId: $c, file: null}}}')
    local results_args=(-H "Authorization: Bearer $staff" -F "operations=$results_ops" -F "map=$map" -F "0=@$WORK/results.csv;type=text/csv")
    say "$engine: importResults of the $ROWS people just imported, then again"
    R[$engine.res1]=$(timed_results "$engine-results-1" "${results_args[@]}")
    R[$engine.res2]=$(timed_results "$engine-results-2" "${results_args[@]}")
    local passes=$(( ROWS - ROWS / 4 ))
    [ "$(cut -d' ' -f2- <<<"${R[$engine.res1]}")" = "$passes $(( ROWS / 4 )) 0" ] ||
        die "$engine-results-1: ${R[$engine.res1]} (expected $passes passed, $(( ROWS / 4 )) failed)"
    [ "$(cut -d' ' -f2- <<<"${R[$engine.res2]}")" = "0 0 0" ] ||
        die "$engine-results-2: ${R[$engine.res2]} (a repeat must change nothing)"
    R[$engine.rss]=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    stop_server
    [ "$engine" = postgres ] && drop_pg
    for k in json1 json2 csv1 csv2 res1 res2; do echo "$engine $k: ${R[$engine.$k]}" >&2; done
}

IFS=, read -r -a ENGINE_LIST <<<"$ENGINES"
for engine in "${ENGINE_LIST[@]}"; do bench_engine "$engine"; done

secs() { awk -v s="$(cut -d' ' -f1 <<<"$1")" 'BEGIN { printf "%.2f", s }'; }
verdict() { awk -v s="$(secs "$1")" 'BEGIN { print (s < 5 ? "yes" : "**no**") }'; }
# Judged before the report is written (the report itself is no change of the code).
DIRTY=$(git diff --quiet -- . ':(exclude)benches/RESULTS*' || echo '+changes')
{
    echo "# Bulk enrolment benchmark"
    echo
    echo "\`$COMMAND_LINE\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$(git rev-parse --short HEAD)$DIRTY\`,"
    echo "$(nproc) CPUs shared with other work (load average before each engine below)."
    echo "$ROWS distinct synthetic people per call from \`talent-registry roster\` (seed 101 for"
    echo "\`enrolMany\`, seed 202 for the CSV, $CSV_BYTES bytes), each into its own course with"
    echo "capacity $ROWS, every result row selected (\`index created error\`). Times are curl's"
    echo "\`time_total\` for one request over loopback to the release server: upload, parse,"
    echo "validation, writes, commit and the answer. \"Repeat\" sends the same request again:"
    echo "it must create nothing."
    echo
    echo "| engine | load avg | call | first: createdCount | first (s) | under 5 s | repeat: createdCount | repeat (s) | peak RSS before the calls (MiB) | peak RSS after this call and its repeat (MiB) | peak RSS after all calls (MiB) |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    for engine in "${ENGINE_LIST[@]}"; do
        for pair in "json:enrolMany (JSON)" "csv:importEnrolments (CSV multipart)"; do
            k=${pair%%:*}
            first=${R[$engine.${k}1]} repeat=${R[$engine.${k}2]}
            echo "| $engine | ${R[$engine.load]} | ${pair#*:} | $(cut -d' ' -f2 <<<"$first") | $(secs "$first") | $(verdict "$first") | $(cut -d' ' -f2 <<<"$repeat") | $(secs "$repeat") | ${R[$engine.rss_setup]} | ${R[$engine.${k}_hwm]} | ${R[$engine.rss]} |"
        done
    done
    echo
    echo "Results of the CSV-imported cohort (\`importResults\`, three in four pass, the rest fail,"
    echo "dated today), then the same file again, which must change nothing:"
    echo
    echo "| engine | first: passed / failed / refused | first (s) | under 5 s | repeat: passed / failed / refused | repeat (s) |"
    echo "| --- | --- | ---: | --- | --- | ---: |"
    for engine in "${ENGINE_LIST[@]}"; do
        first=${R[$engine.res1]} repeat=${R[$engine.res2]}
        echo "| $engine | $(cut -d' ' -f2- <<<"$first" | sed 's# # / #g') | $(secs "$first") | $(verdict "$first") | $(cut -d' ' -f2- <<<"$repeat" | sed 's# # / #g') | $(secs "$repeat") |"
    done
} >"$OUT"
say "wrote $OUT"
cat "$OUT"
