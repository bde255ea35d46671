# Shared by the benchmarks (sourced): messages, tool installs, the server process,
# GraphQL calls and a median. Expects URL, WORK and (for gql) a running server.

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

# need_tools COMMAND:PACKAGE...: installs with apt-get what is missing.
need_tools() {
    local tool
    for tool in "$@"; do
        command -v "${tool%%:*}" >/dev/null && continue
        say "installing ${tool#*:}"
        { apt-get install -y "${tool#*:}" || { apt-get update && apt-get install -y "${tool#*:}"; }; } \
            >"$WORK/apt.log" 2>&1 || die "apt-get install ${tool#*:} (see $WORK/apt.log)"
    done
}

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

# gql TOKEN QUERY VARIABLES: the answer's data; fails on a non-200 or `errors`.
gql() {
    local auth=() answer
    [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
    answer=$(jq -cn --arg q "$2" --argjson v "$3" '{query: $q, variables: $v}' |
        curl -sS -X POST "$URL/graphql" -H 'Content-Type: application/json' "${auth[@]}" --data-binary @- \
            -w '\n%{http_code}') || die "POST /graphql: $2"
    [ "${answer##*$'\n'}" = 200 ] || die "HTTP ${answer##*$'\n'}: ${answer%$'\n'*}"
    answer=${answer%$'\n'*}
    jq -e '.errors' <<<"$answer" >/dev/null && die "GraphQL errors: $answer"
    jq -c '.data' <<<"$answer"
}

# median of the words of $1
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# bench_server BINARY DATABASE_URL PORT LOG: the server as the read benchmarks run it, in
# the background ($! is its pid).
bench_server() {
    DATABASE_URL="$2" TALENT_ADMIN_PASSWORD="bench-unused-password" \
        TALENT_PII_KEY="talent-registry benchmark key (synthetic data only)" \
        TALENT_LISTEN="127.0.0.1:$3" RUST_LOG=warn "$1" serve >"$4" 2>&1 &
}

# await_server PORT PID LOG: returns once the server answers /healthz (30 s at most).
await_server() {
    for _ in $(seq 150); do
        curl -fs -o /dev/null "http://127.0.0.1:$1/healthz" && return
        kill -0 "$2" 2>/dev/null || die "server exited (see $3)"
        sleep 0.2
    done
    die "no answer on port $1 (see $3)"
}

# one_connection TOKEN BODY URL LABEL: wrk's BENCH line for BODY sent to URL one request
# at a time for DURATION s after WARMUP s (benches/query.lua); fails on a GraphQL error.
one_connection() {
    local line
    BENCH_TOKEN=$1 BENCH_BODY=$2 wrk -t1 -c1 -d"${WARMUP}s" -s "$ROOT/benches/query.lua" "$3" \
        >/dev/null 2>&1 || die "wrk warm-up $4"
    line=$(BENCH_TOKEN=$1 BENCH_BODY=$2 BENCH_THREADS=1 wrk -t1 -c1 -d"${DURATION}s" --latency \
        -s "$ROOT/benches/query.lua" "$3" 2>&1 | grep '^BENCH ') || die "wrk $4 printed no summary"
    [ "$(sed -n 's/.* graphql_errors=\([0-9]*\).*/\1/p' <<<"$line")" = 0 ] || die "$4: $line"
    echo "$line"
}

# sign_in DATABASE_URL USERNAME TOKEN: a session row for USERNAME whose bearer token is
# TOKEN (a day long), inserted straight into the database; sign_out DATABASE_URL TOKEN
# deletes it.
sign_in() {
    psql "$1" -v ON_ERROR_STOP=1 -qtAX -c "INSERT INTO session
        (id, user_id, token_hash, expires_at, created_at)
        SELECT gen_random_uuid(), u.id, encode(sha256('$3'::bytea), 'hex'),
               now() + interval '1 day', now()
        FROM \"user\" u WHERE u.username = '$2'" >/dev/null
}
sign_out() {
    psql "$1" -qtAX -c "DELETE FROM session
        WHERE token_hash = encode(sha256('$2'::bytea), 'hex')" >/dev/null 2>&1 || true
}
