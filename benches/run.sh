#!/usr/bin/env bash
# Benchmark of talent-registry on PostgreSQL: seeds each scale, drives the release
# server over HTTP with wrk (programmeProgress, stats, stats over a range that cuts
# months, a roster, enrol), runs pgbench on the bare SQL of one enrolment, checks the
# counts, and writes a markdown report.
#
#   benches/run.sh                      # 10,000 and 1,000,000 trainees, 20 s per run
#   benches/run.sh --smoke              # 1,000 trainees, 3 s runs (CI)
#   benches/run.sh --scales 10000 --duration 10 --conns 8 --keep
#
# benches/README.md describes what is measured. Needs a PostgreSQL server where the
# user may create databases (BENCH_PG, default postgres://postgres@127.0.0.1:5432);
# installs wrk, pgbench, jq and curl with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COMMAND_LINE="benches/run.sh${*:+ $*}"

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
Options:
  --scales A,B     trainee counts to seed (default 10000,1000000)
  --duration S     seconds per load run (default 20)
  --conns N        concurrent connections of wrk and pgbench (default 16)
  --smoke          scale 1000, 3 s runs, report in target/bench/RESULTS-smoke.md
  --out FILE       report file (default benches/RESULTS.md)
  --keep           keep the bench_<scale> databases
  --strict         exit 1 when a target is missed (correctness failures always exit 1)
  --no-build       use the binary already built (target/release/talent-registry)
  --debug          build and run the debug binary (quick; CI's smoke run, not for figures)
EOF
}

SCALES="" DURATION="" CONNS=16 SMOKE=0 KEEP=0 STRICT=0 OUT="" BUILD=1 PROFILE=release
while [ $# -gt 0 ]; do
    case "$1" in
        --scales) SCALES=$2; shift 2 ;;
        --scales=*) SCALES=${1#*=}; shift ;;
        --duration) DURATION=$2; shift 2 ;;
        --duration=*) DURATION=${1#*=}; shift ;;
        --conns) CONNS=$2; shift 2 ;;
        --conns=*) CONNS=${1#*=}; shift ;;
        --out) OUT=$2; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --smoke) SMOKE=1; shift ;;
        --keep) KEEP=1; shift ;;
        --strict) STRICT=1; shift ;;
        --no-build) BUILD=0; shift ;;
        --debug) PROFILE=debug; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
if [ "$SMOKE" = 1 ]; then
    SCALES=${SCALES:-1000} DURATION=${DURATION:-3} OUT=${OUT:-target/bench/RESULTS-smoke.md}
    WARMUP=1
else
    SCALES=${SCALES:-10000,1000000} DURATION=${DURATION:-20} OUT=${OUT:-benches/RESULTS.md}
    WARMUP=3
fi
IFS=, read -r -a SCALE_LIST <<<"$SCALES"
for s in "${SCALE_LIST[@]}" "$DURATION" "$CONNS"; do
    [[ "$s" =~ ^[1-9][0-9]*$ ]] || { echo "not a positive integer: $s" >&2; exit 2; }
done

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18090}
URL="http://127.0.0.1:$PORT"
WRK_THREADS=2
ADMIN_PASSWORD="bench-admin-password-$$"
INSTITUTION_PASSWORD="bench-institution-password-$$"
PII_KEY="talent-registry benchmark key (synthetic data only)"
WORK=$ROOT/target/bench
mkdir -p "$WORK"
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/talent-registry
# Trainees for the HTTP enrol run: enough that no id repeats at ~3,000 enrolments/s.
HTTP_POOL=$((DURATION * 3000)); [ "$HTTP_POOL" -lt 20000 ] && [ "$SMOKE" = 0 ] && HTTP_POOL=20000
SQL_POOL=$((DURATION * 6000))
LATENCY_DURATION=$(( DURATION / 2 > 2 ? DURATION / 2 : 2 ))

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- tools
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null || die "$1 is missing and there is no apt-get: install $2"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    say "installing $2 with apt-get"
    if ! $sudo apt-get install -y "$2" >"$WORK/apt.log" 2>&1; then
        if [ "$APT_UPDATED" = 0 ]; then
            $sudo apt-get update >>"$WORK/apt.log" 2>&1 || true
            APT_UPDATED=1
        fi
        $sudo apt-get install -y "$2" >>"$WORK/apt.log" 2>&1 || die "apt-get install $2 (see $WORK/apt.log)"
    fi
}
command -v wrk >/dev/null || apt_install wrk wrk
command -v pgbench >/dev/null || apt_install pgbench postgresql-client
command -v psql >/dev/null || apt_install psql postgresql-client
command -v jq >/dev/null || apt_install jq jq
command -v curl >/dev/null || apt_install curl curl

psql_admin() { psql "$PG/postgres" -v ON_ERROR_STOP=1 -qtAX "$@"; }
psql_admin -c 'SELECT 1' >/dev/null || die "cannot reach PostgreSQL at $PG (set BENCH_PG)"
if curl -s -o /dev/null "$URL/healthz"; then
    die "something already listens on 127.0.0.1:$PORT (set BENCH_PORT)"
fi

if [ "$BUILD" = 1 ]; then
    if [ "$PROFILE" = release ]; then
        say "cargo build --release"
        cargo build --release --locked
    else
        say "cargo build (debug)"
        cargo build --locked
    fi
fi
[ -x "$BIN" ] || die "no binary at $BIN"

# ---------------------------------------------------------------- helpers
# shellcheck source=benches/common.sh
. "$ROOT/benches/common.sh"   # stop_server (this script's gql below takes optional variables)
trap stop_server EXIT

# gql TOKEN QUERY [VARIABLES]: prints the answer's data; fails on a non-200 or `errors`.
gql() {
    local token=$1 query=$2 vars=${3:-'{}'} body answer code
    body=$(jq -cn --arg q "$query" --argjson v "$vars" '{query: $q, variables: $v}')
    local auth=()
    [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
    answer=$(curl -sS -X POST "$URL/graphql" -H 'Content-Type: application/json' \
        "${auth[@]}" --data-binary "$body" -w '\n%{http_code}') || die "POST /graphql: $query"
    code=${answer##*$'\n'}
    answer=${answer%$'\n'*}
    if [ "$code" != 200 ] || jq -e '.errors' <<<"$answer" >/dev/null; then
        die "GraphQL answered $code: $answer (query: $query)"
    fi
    jq -c '.data' <<<"$answer"
}

# cpu_ticks PID: user + system CPU of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
# cpu_per_request TICKS REQUESTS: server CPU milliseconds per request.
cpu_per_request() { awk -v t="$1" -v n="$2" -v hz="$TICK" 'BEGIN { if (n == 0) print "n/a"; else printf "%.2f", t * 1000 / hz / n }'; }

# field LINE KEY: the value of KEY=value in a BENCH line.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# wrk_run NAME SCRIPT SECONDS [THREADS CONNECTIONS]: runs wrk with the BENCH_* environment;
# prints the BENCH line.
wrk_run() {
    local name=$1 script=$2 seconds=$3 threads=${4:-$WRK_THREADS} conns=${5:-$CONNS}
    local log="$WORK/wrk-$1.log" line
    BENCH_THREADS=$threads wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 10s --latency \
        -s "$ROOT/benches/$script" "$URL/graphql" >"$log" 2>&1 || die "wrk $name (see $log)"
    line=$(grep '^BENCH ' "$log") || die "wrk $name printed no summary (see $log)"
    if [ "$(field "$line" graphql_errors)" != 0 ] || [ "$(field "$line" socket_errors)" != 0 ] \
        || [ "$(field "$line" non2xx)" != 0 ]; then
        die "wrk $name had errors: $line (see $log)"
    fi
    echo "$line"
}

declare -A R
SEEDED=()

# ---------------------------------------------------------------- one scale
bench_scale() {
    local scale=$1 db="bench_$1"
    local dburl="$PG/$db"
    say "scale $scale: database $db"
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    local env=(DATABASE_URL="$dburl" TALENT_ADMIN_PASSWORD="$ADMIN_PASSWORD"
        TALENT_PII_KEY="$PII_KEY" TALENT_LISTEN="127.0.0.1:$PORT")

    say "scale $scale: seed --trainees $scale --seed 42"
    local t0
    t0=$(now)
    env "${env[@]}" RUST_LOG=info "$BIN" seed --trainees "$scale" --seed 42 \
        >"$WORK/seed-$scale.log" 2>&1 || die "seed (see $WORK/seed-$scale.log)"
    R[$scale.seed_s]=$(elapsed "$t0")
    SEEDED+=("$scale")
    local psql_db=(psql "$dburl" -v ON_ERROR_STOP=1 -qtAX)
    read -r R[$scale.trainees] R[$scale.enrolments] R[$scale.certificates] R[$scale.revoked] \
        R[$scale.institutions] R[$scale.courses] < <("${psql_db[@]}" -F ' ' -c \
        "SELECT (SELECT count(*) FROM trainee), (SELECT count(*) FROM enrolment),
                (SELECT count(*) FROM certificate),
                (SELECT count(*) FROM certificate WHERE revoked_at IS NOT NULL),
                (SELECT count(*) FROM institution), (SELECT count(*) FROM course)")
    echo "seeded in ${R[$scale.seed_s]} s: ${R[$scale.trainees]} trainees, ${R[$scale.enrolments]} enrolments, ${R[$scale.certificates]} certificates" >&2

    say "scale $scale: server on $URL"
    env "${env[@]}" RUST_LOG=warn "$BIN" serve >"$WORK/server-$scale.log" 2>&1 &
    SERVER_PID=$!
    local up=0
    for _ in $(seq 150); do
        if curl -fs -o /dev/null "$URL/healthz"; then up=1; break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || die "server exited (see $WORK/server-$scale.log)"
        sleep 0.2
    done
    [ "$up" = 1 ] || die "server not healthy after 30 s"

    local login='mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }'
    local admin_token
    admin_token=$(gql "" "$login" "$(jq -cn --arg p "$ADMIN_PASSWORD" '{u: "admin", p: $p}')" | jq -r '.login.token')

    # The institution with the most courses, and its district.
    local institution district programme
    read -r institution district < <("${psql_db[@]}" -F ' ' -c \
        "SELECT i.id, i.district FROM institution i JOIN course c ON c.institution_id = i.id
         GROUP BY i.id ORDER BY count(*) DESC, i.id LIMIT 1")
    programme=$("${psql_db[@]}" -c "SELECT id FROM programme ORDER BY starts_on LIMIT 1")
    gql "$admin_token" 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }' \
        "$(jq -cn --arg p "$INSTITUTION_PASSWORD" --arg i "$institution" \
            '{i: {username: "bench.institution", password: $p, role: "INSTITUTION_ADMIN", institutionId: $i}}')" >/dev/null
    local inst_token
    inst_token=$(gql "" "$login" "$(jq -cn --arg p "$INSTITUTION_PASSWORD" '{u: "bench.institution", p: $p}')" | jq -r '.login.token')
    # The institution's course with the most enrolments: the longest roster.
    local roster_course
    roster_course=$("${psql_db[@]}" -c "SELECT e.course_id FROM enrolment e JOIN course c ON c.id = e.course_id
         WHERE c.institution_id = '$institution' GROUP BY e.course_id ORDER BY count(*) DESC LIMIT 1")
    local create_course='mutation($i: CreateCourseInput!) { createCourse(input: $i) { id } }'
    local http_course sql_course
    http_course=$(gql "$inst_token" "$create_course" "$(jq -cn --arg i "$institution" \
        '{i: {institutionId: $i, title: "Benchmark course (HTTP enrol)", track: "PROFESSIONAL", level: 4, hours: 40}}')" | jq -r '.createCourse.id')
    sql_course=$(gql "$inst_token" "$create_course" "$(jq -cn --arg i "$institution" \
        '{i: {institutionId: $i, title: "Benchmark course (pgbench enrol)", track: "PROFESSIONAL", level: 4, hours: 40}}')" | jq -r '.createCourse.id')

    say "scale $scale: $HTTP_POOL trainees for HTTP enrol, $SQL_POOL for pgbench (direct SQL)"
    # Synthetic, valid-looking rows owned by the institution, as registerTrainee leaves
    # them. Ids: b0… a probe, b1… the wrk run, b2… pgbench (pgbench_enrol.sql).
    "${psql_db[@]}" -v district="$district" -v institution="$institution" <<SQL
BEGIN;
INSERT INTO trainee (id, name, id_type, id_hash, id_masked, phone, district,
                     activation_code_hash, created_at, updated_at)
SELECT (p.prefix || '000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
       '基准学员' || p.prefix || n, 'RESIDENT_ID',
       encode(sha256(convert_to('bench-' || p.prefix || '-' || n, 'UTF8')), 'hex'),
       '440305' || repeat('*', 8) || lpad((n % 10000)::text, 4, '0'),
       NULL, :'district', NULL, now(), now()
FROM (VALUES ('b0', 1), ('b1', $HTTP_POOL), ('b2', $SQL_POOL)) AS p(prefix, size),
     generate_series(1, p.size) AS n;
INSERT INTO trainee_institution (trainee_id, institution_id, created_at)
SELECT id, :'institution', now() FROM trainee WHERE id >= 'b0000000-0000-0000-0000-000000000000';
COMMIT;
SQL
    # What autovacuum leaves a production database in after a bulk load: visibility map
    # and hint bits set, statistics gathered. Without it (this machine's PostgreSQL runs
    # with autovacuum = off) the first readers of each page set its hint bits and write
    # it back while being measured.
    say "scale $scale: VACUUM (ANALYZE)"
    t0=$(now)
    "${psql_db[@]}" -c "VACUUM (ANALYZE)"
    R[$scale.vacuum_s]=$(elapsed "$t0")
    seq 1 "$HTTP_POOL" | awk '{ printf "b1000000-0000-4000-8000-%012x\n", $1 }' >"$WORK/ids-$scale.txt"

    # The floor: the cheapest authenticated answer (session lookup, parse, execute,
    # serialize) in the same run; every count query is judged against it.
    local floor_q='{ me { username } }'
    local progress_q='{ programmeProgress { targets { track certified inTraining ratio projectedReachDate reachedOn } } }'
    local stats_q='{ stats(groupBy: [DISTRICT, MONTH]) { district month trainees enrolments completions certifiedPersons } }'
    # A range from a 15th to a 10th: whole months from stats_rollup, the two cut months'
    # days from stats_day (was a recount over the base tables: 15.2 s at 300,000).
    local range_q='{ stats(groupBy: [DISTRICT, MONTH], filter: {from: "2024-03-15", to: "2024-09-10"}) { district month trainees enrolments completions certifiedPersons } }'
    # Every figure with every goal as it stood at the end of a past day, from the
    # maintained day changes: for the city and for the enrol run's institution.
    local asof_q='{ programmeProgress(asOf: "2024-09-10") { asOf certifiedPersons certifiedOnBothTracks targets { track certified inTraining ratio projectedReachDate reachedOn } goals { kind achieved ratio projectedReachDate reachedOn requiredPerMonth onTrack } } }'
    # A course's roster, first page, as its institution sees it (names whole): the
    # course with the most enrolments of the institution the enrol run uses.
    local roster_q='query($c: ID!) { enrolments(first: 100, filter: {courseId: $c}) { totalCount edges { cursor node { id status assessedOn trainee { name nameMasked } } } } }'
    local enrol_q='mutation($t: ID!, $c: ID!) { enrol(input: {traineeId: $t, courseId: $c}) { created enrolment { id } } }'
    say "scale $scale: one request of each"
    gql "$admin_token" "$progress_q" | tee "$WORK/progress-$scale.json" | cut -c1-300 >&2
    gql "$admin_token" "$stats_q" >"$WORK/stats-$scale.json"
    echo "stats: $(jq '.stats | length' "$WORK/stats-$scale.json") rows" >&2
    gql "$admin_token" "$range_q" >"$WORK/stats-range-$scale.json"
    echo "stats 2024-03-15..2024-09-10: $(jq '.stats | length' "$WORK/stats-range-$scale.json") rows, $(jq '[.stats[].enrolments] | add' "$WORK/stats-range-$scale.json") enrolments" >&2
    local probe
    probe=$(gql "$inst_token" "$enrol_q" "$(jq -cn --arg c "$http_course" '{t: "b0000000-0000-4000-8000-000000000001", c: $c}')")
    [ "$(jq -r '.enrol.created' <<<"$probe")" = true ] || die "probe enrol did not create: $probe"

    local line
    gql "$admin_token" "$asof_q" | cut -c1-400 >&2
    for q in floor progress progressinst stats range asof asofinst roster; do
        local body token=$admin_token
        case $q in
            floor) body=$(jq -cn --arg q "$floor_q" '{query: $q}') ;;
            progress) body=$(jq -cn --arg q "$progress_q" '{query: $q}') ;;
            progressinst)
                token=$inst_token
                body=$(jq -cn --arg q "$progress_q" '{query: $q}')
                ;;
            stats) body=$(jq -cn --arg q "$stats_q" '{query: $q}') ;;
            range) body=$(jq -cn --arg q "$range_q" '{query: $q}') ;;
            asof) body=$(jq -cn --arg q "$asof_q" '{query: $q}') ;;
            asofinst)
                token=$inst_token
                body=$(jq -cn --arg q "$asof_q" '{query: $q}')
                ;;
            roster)
                token=$inst_token
                body=$(jq -cn --arg q "$roster_q" --arg c "$roster_course" '{query: $q, variables: {c: $c}}')
                echo "roster of course $roster_course: $(gql "$inst_token" "$roster_q" "$(jq -cn --arg c "$roster_course" '{c: $c}')" | jq '.enrolments.totalCount') enrolments" >&2
                ;;
        esac
        say "scale $scale: $q, wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s (after ${WARMUP} s warm-up)"
        BENCH_TOKEN=$token BENCH_BODY=$body wrk_run "$q-$scale-warmup" query.lua "$WARMUP" >/dev/null
        local c0
        c0=$(cpu_ticks "$SERVER_PID")
        line=$(BENCH_TOKEN=$token BENCH_BODY=$body wrk_run "$q-$scale" query.lua "$DURATION")
        echo "$line" >&2
        R[$scale.$q.cpu]=$(cpu_per_request $(($(cpu_ticks "$SERVER_PID") - c0)) "$(field "$line" requests)")
        R[$scale.$q.rps]=$(field "$line" rps)
        R[$scale.$q.p50]=$(ms "$(field "$line" p50_us)")
        R[$scale.$q.p99]=$(ms "$(field "$line" p99_us)")
        say "scale $scale: $q, one connection (wrk -t1 -c1 -d${LATENCY_DURATION}s): latency without queueing"
        line=$(BENCH_TOKEN=$token BENCH_BODY=$body wrk_run "$q-$scale-c1" query.lua "$LATENCY_DURATION" 1 1)
        echo "$line" >&2
        R[$scale.$q.c1rps]=$(field "$line" rps)
        R[$scale.$q.c1p50]=$(ms "$(field "$line" p50_us)")
        R[$scale.$q.c1p99]=$(ms "$(field "$line" p99_us)")
    done

    say "scale $scale: enrol, wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, one new trainee per request"
    local count_http="SELECT count(*) FROM enrolment WHERE course_id = '$http_course'"
    local before after
    before=$("${psql_db[@]}" -c "$count_http")
    local c0
    c0=$(cpu_ticks "$SERVER_PID")
    line=$(BENCH_TOKEN=$inst_token BENCH_COURSE=$http_course BENCH_IDS="$WORK/ids-$scale.txt" \
        wrk_run "enrol-$scale" enrol.lua "$DURATION")
    echo "$line" >&2
    R[$scale.enrol.cpu]=$(cpu_per_request $(($(cpu_ticks "$SERVER_PID") - c0)) "$(field "$line" requests)")
    sleep 1
    after=$("${psql_db[@]}" -c "$count_http")
    local created=$(($(field "$line" created))) inserted=$((after - before))
    R[$scale.enrol.rps]=$(field "$line" rps)
    R[$scale.enrol.p50]=$(ms "$(field "$line" p50_us)")
    R[$scale.enrol.p99]=$(ms "$(field "$line" p99_us)")
    R[$scale.enrol.requests]=$(field "$line" requests)
    R[$scale.enrol.created]=$created
    R[$scale.enrol.inserted]=$inserted
    R[$scale.enrol.repeated]=$(field "$line" repeated)
    # Requests still in flight when wrk stops may commit without wrk seeing the answer.
    if [ "$inserted" -lt "$created" ] || [ "$inserted" -gt $((created + CONNS)) ]; then
        die "enrol: $created answers said created, but $inserted enrolments were inserted"
    fi
    [ "$(field "$line" repeated)" = 0 ] || echo "warning: $(field "$line" repeated) enrol requests repeated an id (pool too small)" >&2

    say "scale $scale: pgbench on the SQL of one enrolment, -c $CONNS -j 2 -T $DURATION -M prepared"
    local count_sql="SELECT count(*) FROM enrolment WHERE course_id = '$sql_course'"
    rm -f "$WORK"/pgbench-"$scale".*
    (cd "$WORK" && pgbench -n -f "$ROOT/benches/pgbench_enrol.sql" -c "$CONNS" -j 2 \
        -T "$DURATION" -M prepared -l --log-prefix="pgbench-$scale" \
        -D course="$sql_course" -D institution="$institution" -D district="$district" \
        -D track=PROFESSIONAL -D level=4 -D programme="$programme" -D clients="$CONNS" \
        -D pool="$SQL_POOL" -D i=0 "$dburl") >"$WORK/pgbench-$scale.out" 2>&1 \
        || die "pgbench (see $WORK/pgbench-$scale.out)"
    local out="$WORK/pgbench-$scale.out"
    R[$scale.pgbench.tps]=$(sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p' "$out")
    R[$scale.pgbench.avg]=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")
    R[$scale.pgbench.tx]=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
    local failed
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
    [ -n "${R[$scale.pgbench.tps]}" ] || die "no tps in pgbench output (see $out)"
    R[$scale.pgbench.tps]=$(awk -v t="${R[$scale.pgbench.tps]}" 'BEGIN { printf "%.1f", t }')
    [ "${failed:-0}" = 0 ] || die "pgbench: $failed failed transactions (see $out)"
    read -r R[$scale.pgbench.p50] R[$scale.pgbench.p99] < <(cat "$WORK"/pgbench-"$scale".* 2>/dev/null \
        | awk '$3 ~ /^[0-9]+$/ { print $3 }' | sort -n | awk '{ v[NR] = $1 }
            END { if (NR == 0) { print "n/a n/a"; exit }
                  i = int(NR * 0.50 + 0.5); if (i < 1) i = 1
                  j = int(NR * 0.99 + 0.5); if (j < 1) j = 1
                  printf "%.2f %.2f\n", v[i] / 1000, v[j] / 1000 }')
    R[$scale.pgbench.inserted]=$("${psql_db[@]}" -c "$count_sql")
    cat "$out" | grep -E '^(tps|latency|number of)' >&2
    R[$scale.enrol.ratio]=$(ratio "${R[$scale.enrol.rps]}" "${R[$scale.pgbench.tps]}")

    local status
    status=$(cat "/proc/$SERVER_PID/status")
    R[$scale.hwm]=$(mib "$(awk '/^VmHWM/ { print $2 }' <<<"$status")")
    R[$scale.rss]=$(mib "$(awk '/^VmRSS/ { print $2 }' <<<"$status")")
    echo "server VmHWM ${R[$scale.hwm]} MiB, VmRSS ${R[$scale.rss]} MiB" >&2
    stop_server

    say "scale $scale: verify-counts"
    local verify rc=0
    verify=$(env DATABASE_URL="$dburl" RUST_LOG=warn "$BIN" verify-counts 2>&1) || rc=$?
    echo "$verify" | tail -20 >&2
    R[$scale.verify]=$(grep -E 'difference\(s\)' <<<"$verify" | tail -1)
    [ -n "${R[$scale.verify]}" ] || R[$scale.verify]="no summary line (exit $rc)"
    [ "$rc" = 0 ] || die "verify-counts found differences at scale $scale: ${R[$scale.verify]}"

    if [ "$KEEP" = 0 ]; then
        psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    fi
}

STARTED=$(now)
# Judged before this run writes its report (an old report is not a change of the code).
dirty=""
[ -n "$(git status --porcelain 2>/dev/null | grep -v 'benches/RESULTS')" ] && dirty=" plus uncommitted changes in the working tree"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
for scale in "${SCALE_LIST[@]}"; do
    bench_scale "$scale"
done

# ---------------------------------------------------------------- report
say "writing $OUT"
SMALL=${SCALE_LIST[0]} LARGE=${SCALE_LIST[${#SCALE_LIST[@]}-1]}
for s in "${SCALE_LIST[@]}"; do
    [ "$s" -lt "$SMALL" ] && SMALL=$s
    [ "$s" -gt "$LARGE" ] && LARGE=$s
done
thousands() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
met() { if "$@"; then echo met; else echo "**not met**"; fi; }
{
    echo "# Benchmark results"
    echo
    echo "Written by \`benches/run.sh\` (see [README.md](README.md)); every figure below comes from the one run described here."
    echo
    echo "| | |"
    echo "| --- | --- |"
    echo "| command | \`$COMMAND_LINE\` |"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| commit | \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`$dirty |"
    echo "| machine | $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, $(uname -sr) |"
    echo "| PostgreSQL | $(psql_admin -c 'SHOW server_version') on the same machine |"
    echo "| load generator | wrk $(wrk -v 2>&1 | head -1 | awk '{ print $2 }'), $WRK_THREADS threads, $CONNS connections, ${DURATION} s per run after a ${WARMUP} s warm-up (reads); pgbench $(pgbench --version | awk '{ print $3 }') -c $CONNS -j 2 -M prepared |"
    echo "| server | $PROFILE build, \`RUST_LOG=warn\`, pool of 16 connections (default) |"
    echo "| total time | $(elapsed "$STARTED") s after the build |"
    echo
    echo "wrk, pgbench, the server and PostgreSQL share the same $(nproc) CPUs; load average when the run started: $LOAD_AT_START (other work on the machine slows every figure)."
    echo
    echo "## Seed"
    echo
    echo "| trainees | enrolments | certificates (revoked) | institutions | courses | \`seed\` wall time | \`VACUUM (ANALYZE)\` |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for s in "${SCALE_LIST[@]}"; do
        echo "| $(thousands "${R[$s.trainees]}") | $(thousands "${R[$s.enrolments]}") | $(thousands "${R[$s.certificates]}") ($(thousands "${R[$s.revoked]}")) | ${R[$s.institutions]} | ${R[$s.courses]} | ${R[$s.seed_s]} s | ${R[$s.vacuum_s]} s |"
    done
    echo
    echo "After the seed and the enrol runs' trainees, each database is vacuumed and analysed, as autovacuum leaves a production database after a bulk load (\`autovacuum\` is $(psql_admin -qtAX -c 'SHOW autovacuum') on this PostgreSQL)."
    for s in "${SCALE_LIST[@]}"; do
        echo
        echo "## $(thousands "$s") trainees"
        echo
        echo "| query | req/s | p50 ms | p99 ms | server CPU ms/request | 1 connection: req/s | p50 ms | p99 ms |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        echo "| the floor: \`{ me { username } }\` (CITY_ADMIN) | ${R[$s.floor.rps]} | ${R[$s.floor.p50]} | ${R[$s.floor.p99]} | ${R[$s.floor.cpu]} | ${R[$s.floor.c1rps]} | ${R[$s.floor.c1p50]} | ${R[$s.floor.c1p99]} |"
        echo "| \`programmeProgress\` (CITY_ADMIN) | ${R[$s.progress.rps]} | ${R[$s.progress.p50]} | ${R[$s.progress.p99]} | ${R[$s.progress.cpu]} | ${R[$s.progress.c1rps]} | ${R[$s.progress.c1p50]} | ${R[$s.progress.c1p99]} |"
        echo "| the same, its institution's share (INSTITUTION_ADMIN) | ${R[$s.progressinst.rps]} | ${R[$s.progressinst.p50]} | ${R[$s.progressinst.p99]} | ${R[$s.progressinst.cpu]} | ${R[$s.progressinst.c1rps]} | ${R[$s.progressinst.c1p50]} | ${R[$s.progressinst.c1p99]} |"
        echo "| \`stats(groupBy: [DISTRICT, MONTH])\` (CITY_ADMIN) | ${R[$s.stats.rps]} | ${R[$s.stats.p50]} | ${R[$s.stats.p99]} | ${R[$s.stats.cpu]} | ${R[$s.stats.c1rps]} | ${R[$s.stats.c1p50]} | ${R[$s.stats.c1p99]} |"
        echo "| \`stats(groupBy: [DISTRICT, MONTH], filter: {from: \"2024-03-15\", to: \"2024-09-10\"})\` (CITY_ADMIN) | ${R[$s.range.rps]} | ${R[$s.range.p50]} | ${R[$s.range.p99]} | ${R[$s.range.cpu]} | ${R[$s.range.c1rps]} | ${R[$s.range.c1p50]} | ${R[$s.range.c1p99]} |"
        echo "| \`programmeProgress(asOf: \"2024-09-10\")\` with goals (CITY_ADMIN) | ${R[$s.asof.rps]} | ${R[$s.asof.p50]} | ${R[$s.asof.p99]} | ${R[$s.asof.cpu]} | ${R[$s.asof.c1rps]} | ${R[$s.asof.c1p50]} | ${R[$s.asof.c1p99]} |"
        echo "| the same, its institution's share (INSTITUTION_ADMIN) | ${R[$s.asofinst.rps]} | ${R[$s.asofinst.p50]} | ${R[$s.asofinst.p99]} | ${R[$s.asofinst.cpu]} | ${R[$s.asofinst.c1rps]} | ${R[$s.asofinst.c1p50]} | ${R[$s.asofinst.c1p99]} |"
        echo "| \`enrolments(first: 100, filter: {courseId})\` (its institution's admin, names whole) | ${R[$s.roster.rps]} | ${R[$s.roster.p50]} | ${R[$s.roster.p99]} | ${R[$s.roster.cpu]} | ${R[$s.roster.c1rps]} | ${R[$s.roster.c1p50]} | ${R[$s.roster.c1p99]} |"
        echo "| \`enrol\` over HTTP (INSTITUTION_ADMIN) | ${R[$s.enrol.rps]} | ${R[$s.enrol.p50]} | ${R[$s.enrol.p99]} | ${R[$s.enrol.cpu]} | | | |"
        echo "| pgbench, the SQL of one \`enrol\` transaction | ${R[$s.pgbench.tps]} tps | ${R[$s.pgbench.p50]} | ${R[$s.pgbench.p99]} | | | | |"
        echo
        echo "Columns 2–5: wrk with $CONNS connections (pgbench: $CONNS clients). Last three: wrk with one connection, one request at a time."
        echo
        echo "- enrol ÷ pgbench: **${R[$s.enrol.ratio]}** (${R[$s.enrol.rps]} req/s ÷ ${R[$s.pgbench.tps]} tps)"
        echo "- enrol check: ${R[$s.enrol.requests]} requests answered, ${R[$s.enrol.created]} said \`created: true\`, ${R[$s.enrol.inserted]} enrolments inserted (SQL count), ${R[$s.enrol.repeated]} repeats; pgbench: ${R[$s.pgbench.tx]} transactions, ${R[$s.pgbench.inserted]} enrolments inserted"
        echo "- server memory after the runs: peak (VmHWM) **${R[$s.hwm]} MiB**, resident now (VmRSS) ${R[$s.rss]} MiB"
        echo "- \`verify-counts\` after the runs: ${R[$s.verify]}"
    done
    echo
    echo "## Targets"
    echo
    if [ "$SMALL" != "$LARGE" ]; then
        echo "p50 at $(thousands "$LARGE") ÷ p50 at $(thousands "$SMALL"): programmeProgress $(ratio "${R[$LARGE.progress.p50]}" "${R[$SMALL.progress.p50]}") ($CONNS connections), $(ratio "${R[$LARGE.progress.c1p50]}" "${R[$SMALL.progress.c1p50]}") (1 connection); stats $(ratio "${R[$LARGE.stats.p50]}" "${R[$SMALL.stats.p50]}") ($CONNS connections), $(ratio "${R[$LARGE.stats.c1p50]}" "${R[$SMALL.stats.c1p50]}") (1 connection)."
        echo
    fi
    echo "| target | measured | |"
    echo "| --- | --- | --- |"
    echo "| roster (first 100 of a course) p50 < 10 ms at $(thousands "$LARGE") trainees (one request at a time) | ${R[$LARGE.roster.c1p50]} ms | $(met lt "${R[$LARGE.roster.c1p50]}" 10) |"
    for q in progress stats; do
        echo "| $q p50 ≤ 5 ms at $(thousands "$LARGE") trainees (latency: one request at a time) | ${R[$LARGE.$q.c1p50]} ms | $(met le "${R[$LARGE.$q.c1p50]}" 5) |"
    done
    echo "| stats with a date filter that cuts months p50 ≤ 3 ms at $(thousands "$LARGE") (one request at a time) | ${R[$LARGE.range.c1p50]} ms | $(met le "${R[$LARGE.range.c1p50]}" 3) |"
    echo "| programmeProgress with goals and asOf p50 ≤ 3 ms at $(thousands "$LARGE"), the city (one request at a time) | ${R[$LARGE.asof.c1p50]} ms | $(met le "${R[$LARGE.asof.c1p50]}" 3) |"
    echo "| the same for an institution's own share | ${R[$LARGE.asofinst.c1p50]} ms | $(met le "${R[$LARGE.asofinst.c1p50]}" 3) |"
    if [ "$SMALL" != "$LARGE" ]; then
        for q in progress stats; do
            r=$(ratio "${R[$LARGE.$q.c1p50]}" "${R[$SMALL.$q.c1p50]}")
            echo "| $q p50 at $(thousands "$LARGE") within 2× of $(thousands "$SMALL"), 1 connection | ${r}× | $(met le "$r" 2) |"
            r=$(ratio "${R[$LARGE.$q.p50]}" "${R[$SMALL.$q.p50]}")
            echo "| $q p50 at $(thousands "$LARGE") within 2× of $(thousands "$SMALL"), $CONNS connections | ${r}× | $(met le "$r" 2) |"
        done
    fi
    echo "| programmeProgress for an institution's own share p50 ≤ 3 ms at $(thousands "$LARGE") (one request at a time) | ${R[$LARGE.progressinst.c1p50]} ms | $(met le "${R[$LARGE.progressinst.c1p50]}" 3) |"
    for q in progress progressinst stats range asof asofinst; do
        r=$(ratio "${R[$LARGE.$q.c1p50]}" "${R[$LARGE.floor.c1p50]}")
        echo "| $q p50 ≤ 3× the floor (${R[$LARGE.floor.c1p50]} ms) at $(thousands "$LARGE"), one request at a time | ${r}× | $(met le "$r" 3) |"
    done
    if [ "$SMALL" != "$LARGE" ]; then
        for q in progress progressinst stats range asof asofinst; do
            r=$(ratio "${R[$LARGE.$q.c1p50]}" "${R[$SMALL.$q.c1p50]}")
            echo "| $q p50 at $(thousands "$LARGE") ≤ 1.2× its $(thousands "$SMALL") figure, one request at a time | ${r}× | $(met le "$r" 1.2) |"
        done
    fi
    for s in "${SCALE_LIST[@]}"; do
        echo "| enrol ≥ 0.5× pgbench at $(thousands "$s") | ${R[$s.enrol.ratio]}× | $(met le 0.5 "${R[$s.enrol.ratio]}") |"
    done
    peak=0
    for s in "${SCALE_LIST[@]}"; do awk -v a="${R[$s.hwm]}" -v b="$peak" 'BEGIN { exit !(a > b) }' && peak=${R[$s.hwm]}; done
    echo "| server peak RSS ≤ 100 MiB | $peak MiB | $(met le "$peak" 100) |"
    allzero=0
    for s in "${SCALE_LIST[@]}"; do [[ "${R[$s.verify]}" == "0 difference(s)" ]] || allzero=1; done
    echo "| \`verify-counts\` 0 differences after the writes | $(for s in "${SCALE_LIST[@]}"; do printf '%s: %s; ' "$(thousands "$s")" "${R[$s.verify]}"; done) | $(met test "$allzero" = 0) |"
    echo
    echo "The latency targets are judged one request at a time. With $CONNS connections the"
    echo "p50 is queueing, not latency: $CONNS requests share $(nproc) CPUs with wrk and PostgreSQL,"
    echo "so p50 ≈ $CONNS ÷ throughput (progress at $(thousands "$LARGE"): $(awk -v c="$CONNS" -v r="${R[$LARGE.progress.rps]}" 'BEGIN { printf "%.1f", c * 1000 / r }') ms,"
    echo "measured ${R[$LARGE.progress.p50]} ms; stats: $(awk -v c="$CONNS" -v r="${R[$LARGE.stats.rps]}" 'BEGIN { printf "%.1f", c * 1000 / r }') ms, measured ${R[$LARGE.stats.p50]} ms). Those runs measure throughput."
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
if grep -q 'not met' "$OUT"; then
    echo "some targets were not met (see $OUT)" >&2
    [ "$STRICT" = 1 ] && exit 1
fi
exit 0
