# Sourced by the outside checks: starts the debug server on 127.0.0.1:$1 over a fresh
# SQLite file in a temporary directory (or, when CI_PG is a PostgreSQL server URL such as
# postgres://postgres@127.0.0.1:5432, over a fresh database there, dropped afterwards),
# and stops it on exit. The check fails when the server logged a panic.
# shellcheck shell=bash

CI_ADMIN_PASSWORD="ci-admin-password-0123"

start_server() {
    local port=$1
    SERVER_DIR=$(mktemp -d)
    SERVER_URL="http://127.0.0.1:$port"
    cargo build --locked --quiet --bin talent-registry
    local database_url="sqlite://$SERVER_DIR/registry.db?mode=rwc"
    SERVER_PG_DB=""
    if [ -n "${CI_PG:-}" ]; then
        SERVER_PG_DB="ci_outside_$port"
        psql "$CI_PG/postgres" -v ON_ERROR_STOP=1 -qtAX \
            -c "DROP DATABASE IF EXISTS $SERVER_PG_DB WITH (FORCE)" -c "CREATE DATABASE $SERVER_PG_DB"
        database_url="$CI_PG/$SERVER_PG_DB"
    fi
    DATABASE_URL="$database_url" \
        TALENT_LISTEN="127.0.0.1:$port" \
        TALENT_ADMIN_PASSWORD="$CI_ADMIN_PASSWORD" \
        TALENT_PII_KEY="ci-pii-key-0123456789" \
        RUST_LOG=warn \
        target/debug/talent-registry serve >"$SERVER_DIR/server.log" 2>&1 &
    SERVER_PID=$!
    trap stop_server EXIT
    for _ in $(seq 150); do
        if curl -fsS "$SERVER_URL/readyz" >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    echo "the server did not become ready on $SERVER_URL" >&2
    cat "$SERVER_DIR/server.log" >&2
    exit 1
}

stop_server() {
    local status=$?
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    if grep -q 'panicked' "$SERVER_DIR/server.log"; then
        echo "the server panicked:" >&2
        cat "$SERVER_DIR/server.log" >&2
        status=1
    fi
    rm -rf "$SERVER_DIR"
    if [ -n "$SERVER_PG_DB" ]; then
        psql "$CI_PG/postgres" -qtAX -c "DROP DATABASE IF EXISTS $SERVER_PG_DB WITH (FORCE)" || true
    fi
    exit "$status"
}

# A bearer token of the bootstrap admin.
admin_token() {
    curl -fsS "$SERVER_URL/graphql" -H 'content-type: application/json' \
        -d '{"query":"mutation($i: LoginInput!) { login(input: $i) { token } }","variables":{"i":{"username":"admin","password":"'"$CI_ADMIN_PASSWORD"'"}}}' |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["login"]["token"])'
}
