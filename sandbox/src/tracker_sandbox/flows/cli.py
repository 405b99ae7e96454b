"""`python -m tracker_sandbox.flows validate|diagram|simulate ...`

Exit codes: 0 success (valid flow / diagram written / contact succeeded: it ended
normally and the last success or failure action it passed is a success action, such as
the tracker flow's thank-you); 1 the answer is no (flow has problems / contact failed:
it ended anywhere but a success action, which includes a contact that ended with the
apology and a flow for which no success action is known); 2 usage errors, unreadable
input, a flow that fails validation before `simulate`, AWS unreachable, or a Lambda call
that no `--lambda-stub` answers and no AWS region can take; 3 `simulate --strict`
stopped at a block whose outcome the simulation cannot know.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from .analysis import FlowAnalysis, analyze_flow
from .diagram import to_dot, to_mermaid
from .engine import CHANNELS, flow_id_of, simulate_contact
from .lambdas import ANY_FUNCTION, ContactData, LambdaInvoker, StubInvoker, StubResponse
from .model import FlowContent, InvalidContactFlow, parse_flow
from .modules import DescribedFlowModules, module_id
from .outcomes import UNKNOWN_OUTCOME, OutcomePlan, parse_answers, parse_values, plan_problems
from .runner import FlowResolver, SimulationOptions
from .runners import RUNNERS
from .runners.invoke import UNANSWERED_LAMBDA
from .runners.passthrough import ANSWERABLE, PASS_THROUGH, UNKNOWN_OUTCOME_TYPES
from .spec import INBOUND_FLOW_TYPE, MODULE
from .validate import ALL_FLOW_TYPES, flow_type_name, own_flow_type, validate_flow
from .verdict import TRACKER_FAILURE_ACTIONS, TRACKER_SUCCESS_ACTIONS

EXIT_OK, EXIT_NO, EXIT_USAGE = 0, 1, 2
#: `simulate --strict` stopped at a block whose outcome is unknown.
EXIT_UNKNOWN_OUTCOME = 3


class _Usage(Exception):
    """A problem with what the user asked for (exit code 2)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tracker_sandbox.flows",
        description="Validate, draw and simulate Amazon Connect flows (flow language 2019-10-30).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check a flow as Connect does when it is saved")
    validate.add_argument(
        "file",
        help="flow JSON file ('-' for standard input): flow content, or a "
        "DescribeContactFlow / DescribeContactFlowModule answer",
    )
    validate.add_argument(
        "--flow-type",
        choices=(*ALL_FLOW_TYPES, "MODULE"),
        help="the flow type to check the content as (MODULE = CONTACT_FLOW_MODULE); default: "
        "the document's own (a Describe answer's, a module's Settings), else CONTACT_FLOW",
    )
    validate.add_argument(
        "--associated-lambda-arn",
        action="append",
        default=None,
        metavar="ARN",
        help="a function associated with the instance (repeat); when given, others are refused",
    )
    validate.add_argument("--json", action="store_true", help="print problems and analysis as JSON")

    diagram = commands.add_parser("diagram", help="draw a flow as Mermaid or Graphviz DOT")
    diagram.add_argument("file", help="flow JSON file ('-' for standard input)")
    diagram.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    diagram.add_argument("-o", "--output", help="write here instead of standard output")
    diagram.add_argument(
        "--png", metavar="FILE", help="also render a PNG with Graphviz `dot` (if installed)"
    )

    simulate = commands.add_parser("simulate", help="place a simulated contact through a flow")
    source = simulate.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", help="flow JSON file ('-' for standard input)")
    source.add_argument("--content", help="flow JSON given inline")
    source.add_argument("--flow-id", help="fetch with DescribeContactFlow (needs --instance-id)")
    simulate.add_argument(
        "--instance-id",
        help="Connect instance id for --flow-id, transfer targets and flow modules not given",
    )
    simulate.add_argument(
        "--endpoint-url", help="AWS endpoint for Connect and Lambda (e.g. LocalStack)"
    )
    simulate.add_argument("--lambda-endpoint-url", help="AWS endpoint for Lambda only")
    simulate.add_argument("--region", help="AWS region")
    simulate.add_argument(
        "--lambda-stub",
        action="append",
        default=[],
        metavar="FUNCTION=JSON",
        help=f"answer calls to FUNCTION (ARN or name; '{ANY_FUNCTION}' for every function "
        "without a stub of its own) with JSON instead of invoking it; repeat for successive "
        "answers (the last repeats). With any stub, nothing is invoked, and a call no stub "
        "answers stops the simulation (exit 2) naming the function as the flow resolved it.",
    )
    simulate.add_argument(
        "--stub-seconds", type=float, default=0.05, help="how long a stubbed call takes"
    )
    simulate.add_argument(
        "--attribute",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a contact attribute the contact arrives with (repeat)",
    )
    simulate.add_argument(
        "--channel",
        choices=CHANNELS,
        default="VOICE",
        help="the contact's channel ($.Channel); blocks behave as Connect documents per channel",
    )
    simulate.add_argument(
        "--transfer-flow",
        action="append",
        default=[],
        metavar="FLOW=FILE",
        help="a flow TransferToFlow may continue in: its id or ARN, = its JSON file (repeat). "
        "With --instance-id, other targets are fetched with DescribeContactFlow.",
    )
    simulate.add_argument(
        "--flow-module",
        action="append",
        default=[],
        metavar="MODULE=FILE",
        help="a flow module InvokeFlowModule may run: its id or ARN, = its JSON file (repeat). "
        "With --instance-id, other modules are fetched with DescribeContactFlowModule.",
    )
    simulate.add_argument("--contact-id", help="the simulated ContactId (default: a new UUID)")
    simulate.add_argument(
        "--initial-contact-id", help="InitialContactId (default: the ContactId itself)"
    )
    simulate.add_argument("--customer-number", default="+15555550100")
    simulate.add_argument("--system-number", default="+15555550199")
    simulate.add_argument("--instance-arn", help="InstanceARN put in Lambda events")
    simulate.add_argument(
        "--wpm", type=float, default=150.0, help="speaking pace for prompt lengths"
    )
    simulate.add_argument(
        "--prompt-seconds",
        type=float,
        default=3.0,
        help="length of a recorded prompt (PromptId / Media)",
    )
    simulate.add_argument(
        "--real-time",
        action="store_true",
        help="really wait out prompts and waits (the caller's pace)",
    )
    simulate.add_argument("--max-steps", type=int, default=1000)
    simulate.add_argument(
        "--max-seconds", type=float, default=3600.0, help="longest simulated contact"
    )
    simulate.add_argument(
        "--success-action",
        action="append",
        default=[],
        metavar="IDENTIFIER",
        help="an action that means the contact got what it came for: the contact succeeds "
        "only when it ends normally with one of these as the last success or failure action "
        "it passed (repeat for any-of). Default: Metadata.TrackerSandbox.SuccessActions, else "
        f"{', '.join(sorted(TRACKER_SUCCESS_ACTIONS))} when the flow has it; with none known "
        "the contact fails",
    )
    simulate.add_argument(
        "--failure-action",
        action="append",
        default=[],
        metavar="IDENTIFIER",
        help="an action that means the contact did not get it (an apology): passed last, "
        "the contact fails (repeat). Default: Metadata.TrackerSandbox.FailureActions, else "
        f"{', '.join(sorted(TRACKER_FAILURE_ACTIONS))} when the flow has it",
    )
    simulate.add_argument(
        "--associated-lambda-arn",
        action="append",
        default=None,
        metavar="ARN",
        help="validate that the flow invokes only these functions",
    )
    simulate.add_argument(
        "--no-validate", action="store_true", help="simulate even a flow Connect would refuse"
    )
    simulate.add_argument(
        "--json", metavar="FILE", help="write the JSON summary here ('-' for standard output)"
    )
    simulate.add_argument("--quiet", action="store_true", help="do not print the transcript")
    # Blocks whose outcome the simulation cannot know (outcomes.py, passthrough.py).
    simulate.add_argument(
        "--answer",
        action="append",
        default=[],
        metavar="IDENTIFIER=BRANCH",
        help="the branch this block takes: next, one of its error types, or a value tried "
        "against its conditions (repeat: one per run of the block, the last repeats)",
    )
    simulate.add_argument(
        "--input",
        action="append",
        default=None,
        metavar="DIGITS",
        help="what the caller enters at the next GetParticipantInput ('' for nothing; "
        "repeat for successive blocks)",
    )
    simulate.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="NAMESPACE.KEY=VALUE",
        help="what a reference the simulation cannot produce resolves to "
        "(Customer.FirstName=Ana, Lex.IntentName=Billing)",
    )
    simulate.add_argument(
        "--strict",
        action="store_true",
        help="stop (exit 3) at the first unanswered block whose outcome is unknown",
    )
    return parser


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args, out)
        if args.command == "diagram":
            return _diagram(args, out, err)
        return _simulate(args, out, err)
    except _Usage as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE


def _read(path: str) -> str:
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise _Usage(f"cannot read {path}: {error.strerror or error}") from error


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    content, described_type = _described_content(_read(args.file))
    try:
        flow_type = flow_type_name(
            args.flow_type or described_type or own_flow_type(content) or INBOUND_FLOW_TYPE
        )
    except ValueError as unknown:
        raise _Usage(str(unknown)) from unknown
    problems = validate_flow(
        content, flow_type=flow_type, associated_lambda_arns=args.associated_lambda_arn
    )
    if args.json:
        report: dict[str, Any] = {
            "valid": not problems,
            "flow_type": flow_type,
            "problems": [p.to_dict() for p in problems],
        }
        try:
            report["analysis"] = analyze_flow(content).to_dict()
        except InvalidContactFlow:
            report["analysis"] = None
        print(json.dumps(report, indent=2), file=out)
    elif problems:
        print(f"{args.file}: {len(problems)} problem(s) as a {flow_type}", file=out)
        for problem in problems:
            print(f"  {problem.describe()}", file=out)
    else:
        analysis = analyze_flow(content)
        print(f"{args.file}: valid as a {flow_type}", file=out)
        for label, items in (
            ("unreachable actions", analysis.unreachable),
            (
                "action types simulated on an assumed outcome (see --answer, --strict)",
                _types_and_actions(analysis, UNKNOWN_OUTCOME_TYPES),
            ),
            (
                "action types the simulator passes through",
                _types_and_actions(analysis, PASS_THROUGH),
            ),
            ("unmodelled action types (not simulated)", _types_and_actions(analysis, None)),
        ):
            if items:
                print(f"  note: {label}: {', '.join(items)}", file=out)
    return EXIT_NO if problems else EXIT_OK


def _described_content(text: str) -> tuple[str, str | None]:
    """The content and flow type of a DescribeContactFlow (`ContactFlow`) or
    DescribeContactFlowModule (`ContactFlowModule`) answer; anything else is content."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return text, None  # validate_flow says what is wrong with it
    if not isinstance(document, dict):
        return text, None
    for key, flow_type in (("ContactFlow", None), ("ContactFlowModule", MODULE)):
        described = document.get(key)
        if isinstance(described, dict) and isinstance(described.get("Content"), str):
            own = described.get("Type") if flow_type is None else flow_type
            return described["Content"], own if isinstance(own, str) else None
    return text, None


def _types_and_actions(analysis: FlowAnalysis, kinds: Collection[str] | None) -> tuple[str, ...]:
    """Each unmodelled action type of these kinds (None: without a handler) once, with
    the actions of that type: `ShowView (guide)`."""
    by_type: dict[str, list[str]] = {}
    for identifier, type_ in analysis.unmodelled_actions.items():
        modelled = type_ in RUNNERS
        if (type_ in kinds) if kinds is not None else not modelled:
            by_type.setdefault(type_, []).append(identifier)
    return tuple(f"{type_} ({', '.join(ids)})" for type_, ids in sorted(by_type.items()))


def _diagram(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    content = _read(args.file)
    try:
        text = to_dot(content) if args.format == "dot" else to_mermaid(content)
    except InvalidContactFlow as refused:
        raise _Usage(refused.problems[0].describe()) from refused
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        out.write(text)
    if args.png:
        dot = shutil.which("dot")
        if dot is None:
            print("error: --png needs Graphviz `dot` (apt-get install graphviz)", file=err)
            return EXIT_USAGE
        subprocess.run([dot, "-Tpng", "-o", args.png], input=to_dot(content), text=True, check=True)
    return EXIT_OK


def _simulate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.wpm <= 0 or args.max_steps <= 0:
        raise _Usage("--wpm and --max-steps must be positive")
    content = _flow_content(args)
    invoker = _invoker(args)
    contact = ContactData(
        customer_address=args.customer_number,
        system_address=args.system_number,
        channel=args.channel,
        initial_contact_id=args.initial_contact_id,
        attributes=_pairs(args.attribute, "--attribute"),
        **({"contact_id": args.contact_id} if args.contact_id else {}),
        **({"instance_arn": args.instance_arn} if args.instance_arn else {}),
    )
    options = SimulationOptions(
        words_per_minute=args.wpm,
        default_prompt_seconds=args.prompt_seconds,
        real_time=args.real_time,
        max_steps=args.max_steps,
        max_contact_seconds=args.max_seconds,
        success_actions=frozenset(args.success_action),
        failure_actions=frozenset(args.failure_action),
        outcomes=_outcome_plan(args),
        flow_modules=_FlowModules(args),
    )
    try:
        problems = plan_problems(parse_flow(content), options.outcomes, ANSWERABLE)
        if problems:
            raise _Usage("; ".join(problems))
        result = simulate_contact(
            content,
            invoker,
            contact=contact,
            options=options,
            validate=not args.no_validate,
            associated_lambda_arns=args.associated_lambda_arn,
            flows=_transfer_flows(args),
        )
    except InvalidContactFlow as refused:
        print(f"error: the flow is not valid ({len(refused.problems)} problem(s)):", file=err)
        for problem in refused.problems:
            print(f"  {problem.describe()}", file=err)
        return EXIT_USAGE
    if not args.quiet:
        print(result.render_transcript(), file=out)
    if args.json:
        summary = json.dumps(result.to_dict(), indent=2, default=str)
        if args.json == "-":
            print(summary, file=out)
        else:
            Path(args.json).write_text(summary + "\n", encoding="utf-8")
    if result.ended_by == UNANSWERED_LAMBDA:
        print(f"error: {result.transcript[-1].text}", file=err)
        return EXIT_USAGE
    if result.ended_by == UNKNOWN_OUTCOME:
        return EXIT_UNKNOWN_OUTCOME
    return EXIT_OK if result.success else EXIT_NO


def _outcome_plan(args: argparse.Namespace) -> OutcomePlan:
    try:
        return OutcomePlan(
            answers=parse_answers(args.answer),
            inputs=tuple(args.input or ()),
            values=parse_values(args.value),
            strict=args.strict,
        )
    except ValueError as error:
        raise _Usage(str(error)) from error


def _flow_content(args: argparse.Namespace) -> str:
    if args.file:
        return _read(args.file)
    if args.content:
        return str(args.content)
    if not args.instance_id:
        raise _Usage("--flow-id needs --instance-id")
    from .aws import fetch_flow_content

    try:
        return fetch_flow_content(
            args.instance_id, args.flow_id, endpoint_url=args.endpoint_url, region_name=args.region
        )
    except Exception as error:  # any AWS failure is reported the same way
        raise _Usage(f"DescribeContactFlow failed: {error}") from error


def _transfer_flows(args: argparse.Namespace) -> FlowResolver:
    """Targets of TransferToFlow: the --transfer-flow files, else DescribeContactFlow."""
    known: dict[str, FlowContent] = {}
    for target, path in _pair_list(args.transfer_flow, "--transfer-flow"):
        known[target] = _read(path)
        known[flow_id_of(target)] = known[target]

    def resolve(target: str) -> FlowContent | None:
        if target in known or flow_id_of(target) in known:
            return known.get(target, known.get(flow_id_of(target)))
        if not args.instance_id:
            return None
        from .aws import fetch_flow_content

        try:
            content = fetch_flow_content(
                args.instance_id,
                flow_id_of(target),
                endpoint_url=args.endpoint_url,
                region_name=args.region,
            )
        except Exception as error:  # any AWS failure is reported the same way
            raise _Usage(f"DescribeContactFlow {target} failed: {error}") from error
        known[target] = content
        return content

    return resolve


class _FlowModules(Mapping[str, FlowContent]):
    """The --flow-module files (by the id or ARN given, and by the id an ARN ends in); with
    --instance-id, any other module is fetched with DescribeContactFlowModule."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._given: dict[str, FlowContent] = {}
        for module, path in _pair_list(args.flow_module, "--flow-module"):
            self._given[module] = self._given[module_id(module)] = _read(path)
        self._args = args
        self._described: Mapping[str, FlowContent] | None = None

    def __getitem__(self, key: str) -> FlowContent:
        for candidate in (key, module_id(key)):
            if candidate in self._given:
                return self._given[candidate]
        if not self._args.instance_id:
            raise KeyError(key)
        if self._described is None:
            from .aws import connect_client

            client = connect_client(
                endpoint_url=self._args.endpoint_url, region_name=self._args.region
            )
            self._described = DescribedFlowModules(client, self._args.instance_id)
        try:
            return self._described[key]
        except KeyError:
            raise
        except Exception as error:  # any AWS failure is reported the same way
            raise _Usage(f"DescribeContactFlowModule {key} failed: {error}") from error

    def __iter__(self) -> Iterator[str]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)


def _invoker(args: argparse.Namespace) -> LambdaInvoker:
    if args.lambda_stub:
        responses: dict[str, list[StubResponse]] = {}
        for function, text in _pair_list(args.lambda_stub, "--lambda-stub"):
            try:
                result = json.loads(text)
            except json.JSONDecodeError as error:
                raise _Usage(f"--lambda-stub {function}: not JSON: {error}") from error
            responses.setdefault(function, []).append(StubResponse(result, args.stub_seconds))
        return StubInvoker(responses, strict=True)
    from .aws import Boto3LambdaInvoker

    return Boto3LambdaInvoker(
        endpoint_url=args.lambda_endpoint_url or args.endpoint_url, region_name=args.region
    )


def _pair_list(items: Sequence[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise _Usage(f"{option} needs KEY=VALUE, not {item!r}")
        pairs.append((key, value))
    return pairs


def _pairs(items: Sequence[str], option: str) -> dict[str, str]:
    return dict(_pair_list(items, option))
