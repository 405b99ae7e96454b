"""Answers sized as Connect receives them: the JSON bytes the Lambda runtime sends.

The widths below are written out by hand from the JSON grammar and awslambdaric's
encoder settings (python3.11: ``ensure_ascii=True``; python3.12+: ``ensure_ascii=False``),
not computed with the function under test. ``test_the_real_serializers_agree`` then runs
awslambdaric itself on the interpreters named by ``TRACKER_RIC_PYTHONS`` (comma-separated
paths of Pythons with awslambdaric installed), or on the sandbox's runtime environments.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from connect_tracker.config import Settings
from connect_tracker.domain import (
    MAX_ANSWER_BYTES,
    ErrorCode,
    RequestRejected,
    Serialization,
    Status,
    answer_bytes,
    answer_head,
    new_request,
    normalise_result,
    serialization_for,
)

ASCII, UTF8 = Serialization.ASCII, Serialization.UTF8

#: character -> (bytes escaped as on python3.11, bytes as on python3.12+)
WIDTHS = {
    "x": (1, 1),
    '"': (2, 2),  # \"
    "\\": (2, 2),  # \\
    "\n": (2, 2),  # \n
    "\t": (2, 2),  # \t
    "\x01": (6, 6),  # \u0001
    "\x1f": (6, 6),  # \u001f
    "\x7f": (6, 1),  # DEL: escaped only by ensure_ascii
    "é": (6, 2),  # \u00e9 / two bytes of UTF-8
    "€": (6, 3),
    "\u2028": (6, 3),  # LINE SEPARATOR: not escaped by simplejson with ensure_ascii=False
    "😀": (12, 4),  # a surrogate pair / four bytes of UTF-8
}


def request():
    return new_request(
        contact_id="c-1",
        task_name="simulated_backend",
        parameters={},
        now=1_000,
        deadline_seconds=60,
        ttl_seconds=3_600,
    )


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [
        ("AWS_Lambda_python3.11", ASCII),
        ("AWS_Lambda_python3.12", UTF8),
        ("AWS_Lambda_python3.13", UTF8),
        ("python3.11", ASCII),
        ("python3.13", UTF8),
        ("", ASCII),  # not in Lambda: the larger measure
        ("AWS_Lambda_nodejs22.x", ASCII),
    ],
)
def test_the_runtime_decides_the_serialization(runtime, expected):
    assert serialization_for(runtime) is expected


def test_settings_read_the_runtime_lambda_sets():
    base = {"TRACKER_TABLE_NAME": "t"}
    assert Settings.from_environment(base).serialization is ASCII
    on_313 = Settings.from_environment({**base, "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13"})
    assert on_313.serialization is UTF8
    on_311 = Settings.from_environment({**base, "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11"})
    assert on_311.serialization is ASCII


@pytest.mark.parametrize("char", list(WIDTHS))
@pytest.mark.parametrize("serialization", [ASCII, UTF8])
def test_each_character_takes_its_wire_width(char, serialization):
    width = WIDTHS[char][serialization is UTF8]
    empty = answer_bytes({"K": ""}, serialization)
    assert empty == len('{"K": ""}')
    assert answer_bytes({"K": char * 10}, serialization) == empty + 10 * width


def answer_at_limit(char: str, serialization: Serialization) -> dict[str, str]:
    """A result of ``char``s (topped up with 'x') whose whole answer is exactly the limit."""
    head = answer_head(replace(request(), status=Status.COMPLETE))
    base = len(json.dumps({**head, "Text": ""}))  # all ASCII: the same under both settings
    width = WIDTHS[char][serialization is UTF8]
    count, rest = divmod(MAX_ANSWER_BYTES - base, width)
    return {"Text": char * count + "x" * rest}


@pytest.mark.parametrize("char", list(WIDTHS))
@pytest.mark.parametrize("serialization", [ASCII, UTF8])
def test_a_result_is_delivered_at_the_limit_and_failed_just_over(char, serialization):
    at_limit = answer_at_limit(char, serialization)
    assert normalise_result(at_limit, request(), serialization) == at_limit
    just_over = {"Text": at_limit["Text"] + "x"}
    with pytest.raises(RequestRejected) as caught:
        normalise_result(just_over, request(), serialization)
    assert caught.value.code is ErrorCode.RESULT_TOO_LARGE
    assert str(MAX_ANSWER_BYTES) in caught.value.message
    assert serialization.value in caught.value.message


def test_the_same_result_fits_one_runtime_and_not_the_other():
    # 6,000 'é': 12,000 bytes as UTF-8 (python3.13), 36,000 escaped (python3.11)
    result = {"Text": "é" * 6_000}
    assert normalise_result(result, request(), UTF8) == result
    with pytest.raises(RequestRejected) as caught:
        normalise_result(result, request(), ASCII)
    assert caught.value.code is ErrorCode.RESULT_TOO_LARGE


def test_the_whole_answer_counts_not_only_the_result():
    # a 64-character task name and the answer's own keys count against the limit too
    long_task = replace(request(), task_name="t" * 64)
    fits_short = answer_at_limit("x", ASCII)
    with pytest.raises(RequestRejected):
        normalise_result(fits_short, long_task, ASCII)


# --- the real serializers --------------------------------------------------------------

_MARSHAL = """
import json, os, sys
os.environ["AWS_EXECUTION_ENV"] = sys.argv[1]
from awslambdaric.lambda_runtime_marshaller import LambdaMarshaller
answers = json.load(sys.stdin)
body = [LambdaMarshaller().marshal_response(a)[0] for a in answers]
print(json.dumps([len(b.encode("utf-8")) for b in body]))
"""


def _ric_pythons() -> list[Path]:
    named = os.environ.get("TRACKER_RIC_PYTHONS", "")
    if named:
        return [Path(p.strip()) for p in named.split(",") if p.strip()]
    state = Path(os.environ.get("SANDBOX_STATE_DIR", Path(__file__).parents[2] / ".sandbox"))
    return sorted(state.glob("runtimes/python3.*/bin/python"))


def _runtime_of(python: Path) -> str:
    version = subprocess.run(
        [str(python), "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"python{version}"


@pytest.mark.parametrize("python", _ric_pythons() or [None], ids=str)
def test_the_real_serializers_agree(python):
    if python is None:
        pytest.skip("no Python with awslambdaric: set TRACKER_RIC_PYTHONS or provision the sandbox")
    runtime = _runtime_of(python)
    serialization = serialization_for(runtime)
    head = answer_head(replace(request(), status=Status.COMPLETE))
    answers = [{**head, "Text": char * 50} for char in WIDTHS]
    answers += [{**head, **answer_at_limit(char, serialization)} for char in WIDTHS]
    answers += [{**head, "Text": answer_at_limit(c, serialization)["Text"] + "x"} for c in WIDTHS]
    measured = subprocess.run(
        [str(python), "-c", _MARSHAL, f"AWS_Lambda_{runtime}"],
        input=json.dumps(answers),
        capture_output=True,
        text=True,
        check=True,
    )
    real = json.loads(measured.stdout)
    assert real == [answer_bytes(answer, serialization) for answer in answers]
    at_limit, over = real[len(WIDTHS) : 2 * len(WIDTHS)], real[2 * len(WIDTHS) :]
    assert set(at_limit) == {MAX_ANSWER_BYTES}
    assert set(over) == {MAX_ANSWER_BYTES + 1}
