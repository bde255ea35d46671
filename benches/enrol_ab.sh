#!/usr/bin/env bash
# A/B of `enrol` between two builds on one database: the registry step of
# ../shared/peers/side-by-side/run.sh (wrk, 8 connections, each request a new trainee
# owned by the institution, into one course or 24), one binary per run, so runs of two
# binaries can be alternated on the same data. Prints req/s, latency, and the CPU the
# server and the database's backends spent per enrol (from /proc/<pid>/stat).
#
#   benches/enrol_ab.sh setup                 # database bench_enrol: seed 10,000, 25 courses,
#                                              # 24 pools of 30,000 fresh trainees (a0 … b7)
#   benches/enrol_ab.sh run a0 b on 20        # pool a0, 24 courses (a: one), TLS on|off, 20 s
#   BIN=/tmp/old/talent-registry benches/enrol_ab.sh run a1 b on 20
#
# Each run needs a pool no run has used (its trainees are enrolled once). Needs wrk, jq,
# curl, psql, bc and PostgreSQL on 127.0.0.1:5432 (trust auth); uses port 18096.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$PWD/target/release/talent-registry}
PEERS=${PEERS:-$PWD/../shared/peers}
WORK=${WORK:-/tmp/enrol_ab}
DB=bench_enrol PORT=18096
BASE="postgres://postgres@127.0.0.1:5432/$DB"
export TALENT_ADMIN_PASSWORD=ab-admin-password-1 TALENT_PII_KEY="enrol A/B key (synthetic)" \
    TALENT_LISTEN="127.0.0.1:$PORT"
mkdir -p "$WORK"
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; true' EXIT
serve() {  # serve DATABASE_URL
    DATABASE_URL="$1" RUST_LOG=warn "$BIN" serve > "$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && return; sleep 0.2; done
    echo "server not up, see $WORK/server.log" >&2; exit 1
}
gql() {  # gql TOKEN QUERY VARIABLES -> data
    local auth=(); [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
    curl -sS -X POST "http://127.0.0.1:$PORT/graphql" -H 'Content-Type: application/json' "${auth[@]}" \
        --data-binary "$(jq -cn --arg q "$2" --argjson v "$3" '{query:$q, variables:$v}')" | jq -c .data
}
LOGIN='mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }'
login() { gql "" "$LOGIN" "{\"u\":\"$1\",\"p\":\"$2\"}" | jq -r .login.token; }

setup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    DATABASE_URL="$BASE?sslmode=disable" RUST_LOG=warn "$BIN" seed --trainees 10000 --seed 42 > "$WORK/seed.log" 2>&1
    serve "$BASE?sslmode=disable"
    local admin inst dist token k
    admin=$(login admin "$TALENT_ADMIN_PASSWORD")
    read -r inst dist < <(q -F ' ' -d $DB -c "SELECT i.id, i.district FROM institution i JOIN course c \
        ON c.institution_id = i.id GROUP BY i.id ORDER BY count(*) DESC, i.id LIMIT 1")
    gql "$admin" 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }' "$(jq -cn --arg i "$inst" \
        '{i:{username:"ab.institution", password:"ab-inst-password-1", role:"INSTITUTION_ADMIN", institutionId:$i}}')" >/dev/null
    token=$(login ab.institution ab-inst-password-1)
    : > "$WORK/courses"
    for k in $(seq 0 24); do
        gql "$token" 'mutation($i: CreateCourseInput!) { createCourse(input: $i) { id } }' "$(jq -cn --arg i "$inst" \
            --arg t "A/B course $k" '{i:{institutionId:$i, title:$t, track:"PROFESSIONAL", level:4, hours:40}}')" \
            | jq -r .createCourse.id >> "$WORK/courses"
    done
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
    q -d $DB -v district="$dist" -v institution="$inst" > /dev/null <<SQL
BEGIN;
INSERT INTO trainee (id, name, id_type, id_hash, id_masked, phone, district, activation_code_hash, created_at, updated_at)
SELECT (p.prefix || '000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'AB学员' || p.prefix || n, 'RESIDENT_ID',
       encode(sha256(convert_to('ab-' || p.prefix || '-' || n, 'UTF8')), 'hex'),
       '440305' || repeat('*', 8) || lpad((n % 10000)::text, 4, '0'), NULL, :'district', NULL, now(), now()
FROM (SELECT to_hex(x) AS prefix FROM generate_series(160, 183) x) p, generate_series(1, 30000) AS n;
INSERT INTO trainee_institution (trainee_id, institution_id, created_at)
SELECT id, :'institution', now() FROM trainee WHERE id >= 'a0000000-0000-0000-0000-000000000000';
COMMIT;
VACUUM (ANALYZE);
CHECKPOINT;
SQL
    echo "set up $DB: pools a0 … b7 of 30,000 trainees, courses in $WORK/courses"
}

run() {  # run POOL MODE TLS DURATION
    local pool=$1 mode=$2 tls=$3 dur=${4:-20} url="$BASE" pairs="$WORK/pairs-$1-$2" courses s0 g0 s1 g1 line n
    [ "$tls" = off ] && url="$BASE?sslmode=disable"
    mapfile -t courses < "$WORK/courses"
    if [ "$mode" = a ]; then
        seq 1 30000 | awk -v p="$pool" -v c="${courses[0]}" '{printf "%s000000-0000-4000-8000-%012x %s\n", p, $1, c}' > "$pairs"
    else
        seq 1 30000 | awk -v p="$pool" -v cs="${courses[*]:1}" 'BEGIN{n=split(cs,X," ")}
            {printf "%s000000-0000-4000-8000-%012x %s\n", p, $1, X[($1-1)%n+1]}' > "$pairs"
    fi
    serve "$url"
    cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
    backends() { local s=0 p; for p in $(pgrep -f "postgres: .*$DB" || true); do
        s=$((s + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $s; }
    export BENCH_TOKEN BENCH_THREADS=2 BENCH_PAIRS=$pairs
    BENCH_TOKEN=$(login ab.institution ab-inst-password-1)
    s0=$(cpu "$SERVER"); g0=$(backends)
    wrk -t2 -c8 -d"${dur}s" --timeout 10s --latency -s "$PEERS/side-by-side/enrol_pairs.lua" \
        "http://127.0.0.1:$PORT/graphql" > "$WORK/wrk.out" 2>&1
    s1=$(cpu "$SERVER"); g1=$(backends)
    line=$(grep '^BENCH' "$WORK/wrk.out"); n=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
    echo "$pool $mode tls=$tls ${line#BENCH } server_ms_per_enrol=$(echo "scale=3; ($s1-$s0)*10/$n" | bc)" \
        "pg_ms_per_enrol=$(echo "scale=3; ($g1-$g0)*10/$n" | bc)" \
        "hwm_mib=$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$SERVER/status")"
}

case "${1:-}" in
    setup) setup ;;
    run) shift; run "$@" ;;
    *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
