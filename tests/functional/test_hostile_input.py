"""Property-based: whatever arrives where a Connect event or a stream batch should be,
the handlers answer with a documented status (or report nothing to retry) and never raise.

The default run takes 200 examples per handler; `make test-fuzz` sets
TRACKER_FUZZ_EXAMPLES for the long run (at least 10,000 in total).
"""

from __future__ import annotations

import os
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connect_tracker.handlers import checker, processor, writer
from connect_tracker.testing import LambdaContext

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "200"))
ANSWER_STATUSES = {
    "PENDING",
    "RUNNING",
    "COMPLETE",
    "FAILED",
    "TIMED_OUT",
    "NOT_FOUND",
    "INVALID_REQUEST",
    "UNKNOWN",
}
REJECTION_CODES = {
    "INVALID_EVENT",
    "MISSING_CONTACT_ID",
    "INVALID_TASK_NAME",
    "INVALID_PARAMETERS",
    "PARAMETERS_TOO_LARGE",
    "MISSING_REQUEST_ID",
    "MALFORMED_REQUEST_ID",
    "INVALID_REQUEST_KEY",
    "REQUEST_KEY_REUSED",
}

hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "'; DROP TABLE tracker; --",
            "${jndi:ldap://127.0.0.1/x}",
            "{{7*7}}",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "\u0000\u202e\ufeff",
            "\u03a9\u2248\u00e7\u221a\u222b\u02dc\u00b5",
            "+12025550143",
            "#status = :x",
        ]
    ),
    st.text(alphabet=string.printable, min_size=1000, max_size=5000),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4)
    ),
    max_leaves=12,
)
contact_events = st.fixed_dictionaries(
    {
        "Details": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "ContactData": st.one_of(
                        json_values,
                        st.fixed_dictionaries({"ContactId": st.one_of(hostile_text, json_values)}),
                        st.fixed_dictionaries(
                            {
                                "ContactId": st.one_of(hostile_text, json_values),
                                "InitialContactId": st.one_of(hostile_text, json_values),
                            }
                        ),
                    ),
                    "Parameters": st.one_of(
                        json_values,
                        st.dictionaries(
                            hostile_text, st.one_of(hostile_text, json_values), max_size=6
                        ),
                        st.fixed_dictionaries(
                            {
                                "RequestId": hostile_text,
                                "TaskName": hostile_text,
                                "RequestKey": hostile_text,
                            }
                        ),
                    ),
                }
            ),
        ),
        "Name": st.just("ContactFlowEvent"),
    }
)
anything = st.one_of(json_values, contact_events)

common = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_documented(answer: dict[str, Any]) -> None:
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items())
    assert answer["Status"] in ANSWER_STATUSES
    if answer["Status"] == "INVALID_REQUEST":
        assert answer["ErrorCode"] in REJECTION_CODES
        assert answer["ErrorMessage"]


@common
@given(event=anything)
def test_checker_answers_anything(event):
    assert_documented(checker.handler(event, None))


@common
@given(event=anything)
def test_writer_answers_anything(event):
    assert_documented(writer.handler(event, None))


stream_records = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "eventName": st.sampled_from(["INSERT", "MODIFY", "REMOVE"]) | hostile_text,
            "dynamodb": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {
                        "Keys": st.one_of(
                            json_values,
                            st.fixed_dictionaries(
                                {"RequestId": st.fixed_dictionaries({"S": hostile_text})}
                            ),
                        ),
                        "SequenceNumber": st.one_of(hostile_text, json_values),
                    }
                ),
            ),
        }
    ),
)


@common
@given(
    event=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"Records": st.one_of(json_values, st.lists(stream_records, max_size=5))}
        ),
    )
)
def test_processor_survives_any_batch(event, invokes):
    answer = processor.handler(event, LambdaContext())
    # a record naming no well-formed request id is malformed (nothing to retry) and never
    # reaches the worker; a well-formed one is dispatched, and the worker finds no request
    assert answer == {"batchItemFailures": []}
    while invokes.queued:
        assert invokes.run_next(seconds=60)["Result"] == "NOT_FOUND"
