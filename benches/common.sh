# Shared by the bulk benchmarks (sourced): messages, tool installs, the server process
# and GraphQL calls. Expects URL, WORK and (for gql) a running server.

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
