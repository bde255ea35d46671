"""The fuzzer's verdict: every answer is a JSON GraphQL response below 500 whose errors all
carry `extensions.code`, none of them INTERNAL_SERVER_ERROR.

schemathesis's own GraphQL check counts every resolver error (UNAUTHENTICATED,
BAD_USER_INPUT, ...) as a server failure; in this API those are the contract.
"""

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

# `Upload` (importEnrolments' file) only arrives as a part of a multipart request; in a
# JSON request any value of it must be refused with a code, so strings probe that.
schemathesis.graphql.scalar("Upload", st.text(max_size=20).map(nodes.String))


@schemathesis.check
def coded_answers_only(ctx, response, case):
    """No 5xx, no uncoded error, no internal error."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    try:
        body = response.json()
    except ValueError as error:
        raise AssertionError(f"the answer is not JSON: {response.text[:500]}") from error
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is None:
            raise AssertionError(f"an error without extensions.code: {error}")
        if code == "INTERNAL_SERVER_ERROR":
            raise AssertionError(f"an internal error (see the server log): {error}")
