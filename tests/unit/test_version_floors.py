"""The declared version floors stay honest (issue 12, item 2).

Older Terraform and aws provider binaries cannot be fetched here, so this test knows the
constructs the shipped configurations use and the first version that has each, scans every
.tf file of the module, its sub-modules and its examples, and fails when:

- a construct needs a newer Terraform or aws provider than the directory's versions.tf
  declares (an example also needs what the module it calls needs);
- an aws resource type or argument appears whose first provider version nobody looked up
  (add it to PROVIDER_FEATURES with its version and where that came from).

Sources: the aws provider's CHANGELOG.md (hashicorp/terraform-provider-aws) and Terraform's
CHANGELOG / language documentation; each entry names its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
Version = tuple[int, ...]

#: Directories whose versions.tf must cover what they (and the module they call) use.
SHIPPED = [REPO, *sorted((REPO / "modules").iterdir()), *sorted((REPO / "examples").iterdir())]

# ---------------------------------------------------------------------------------------
# Terraform language features: (what, first version, detector over one directory's .tf text)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    what: str
    version: Version
    found: Callable[[list[Block]], bool]


@dataclass(frozen=True)
class Block:
    """One top-level block: its type, labels and body (comments stripped)."""

    kind: str
    labels: tuple[str, ...]
    body: str


def _pattern(regex: str) -> Callable[[list[Block]], bool]:
    compiled = re.compile(regex, re.MULTILINE)
    return lambda blocks: any(compiled.search(b.body) for b in blocks)


def _top_level(kind: str) -> Callable[[list[Block]], bool]:
    return lambda blocks: any(b.kind == kind for b in blocks)


def _cross_object_validation(blocks: list[Block]) -> bool:
    """A variable's validation that refers to anything but the variable itself."""
    for block in blocks:
        if block.kind != "variable":
            continue
        own = block.labels[0]
        for validation in _nested(block.body, "validation"):
            others = {m for m in re.findall(r"\bvar\.(\w+)", validation) if m != own}
            if others or re.search(r"\b(local|module|data)\.\w", validation):
                return True
    return False


TERRAFORM_FEATURES = [
    # https://github.com/hashicorp/terraform/blob/v1.9/CHANGELOG.md: "Input variable
    # validation rules can refer to other objects" (1.9.0).
    Feature(
        "a variable validation referring to another variable or object",
        (1, 9),
        _cross_object_validation,
    ),
    # templatestring() is new in 1.9.0 (CHANGELOG v1.9).
    Feature("templatestring()", (1, 9), _pattern(r"\btemplatestring\(")),
    # Ephemeral values and write-only arguments: 1.10.0 and 1.11.0 (CHANGELOGs).
    Feature("ephemeral resources or variables", (1, 10), _pattern(r"\bephemeral\s*=\s*true")),
    Feature("ephemeral blocks", (1, 10), _top_level("ephemeral")),
    Feature("write-only arguments (*_wo)", (1, 11), _pattern(r"^\s*\w+_wo\s*=")),
    # Provider-defined functions and issensitive(): 1.8.0.
    Feature("provider-defined functions", (1, 8), _pattern(r"\bprovider::")),
    Feature("issensitive()", (1, 8), _pattern(r"\bissensitive\(")),
    # removed blocks: 1.7.0.
    Feature("removed blocks", (1, 7), _top_level("removed")),
    # check and import blocks, strcontains() and plantimestamp(): 1.5.0.
    Feature("check blocks", (1, 5), _top_level("check")),
    Feature("import blocks", (1, 5), _top_level("import")),
    Feature("strcontains()", (1, 5), _pattern(r"\bstrcontains\(")),
    Feature("plantimestamp()", (1, 5), _pattern(r"\bplantimestamp\(")),
    # The built-in terraform_data resource: 1.4.0.
    Feature(
        "the terraform_data resource",
        (1, 4),
        lambda blocks: any(
            b.kind == "resource" and b.labels[0] == "terraform_data" for b in blocks
        ),
    ),
    # optional() object attributes (with defaults), startswith()/endswith(): 1.3.0.
    Feature("optional() object attributes", (1, 3), _pattern(r"\boptional\(")),
    Feature("startswith()/endswith()", (1, 3), _pattern(r"\b(startswith|endswith)\(")),
    # preconditions/postconditions and replace_triggered_by: 1.2.0.
    Feature("preconditions and postconditions", (1, 2), _pattern(r"\b(pre|post)condition\s*\{")),
    Feature("replace_triggered_by", (1, 2), _pattern(r"\breplace_triggered_by\s*=")),
    # moved blocks and nullable variables: 1.1.0.
    Feature("moved blocks", (1, 1), _top_level("moved")),
    Feature("nullable variables", (1, 1), _pattern(r"^\s*nullable\s*=")),
]

# ---------------------------------------------------------------------------------------
# aws provider: every resource type and top-level argument/block the configurations use
# ---------------------------------------------------------------------------------------

V5 = (5, 0)  # present before 5.0.0: 5.0.0 is the oldest release the table tells apart
#: Where a first version after 5.0.0 was read.
CHANGELOG = "hashicorp/terraform-provider-aws CHANGELOG.md"

_META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}


def _all_at(version: Version, *names: str) -> dict[str, Version]:
    return dict.fromkeys(names, version)


PROVIDER_FEATURES: dict[str, dict[str, Version]] = {
    "aws_lambda_function": {
        **_all_at(
            V5,
            "function_name",
            "description",
            "role",
            "handler",
            "runtime",
            "architectures",
            "memory_size",
            "timeout",
            "reserved_concurrent_executions",
            "filename",
            "s3_bucket",
            "s3_key",
            "kms_key_arn",
            "environment",
            "tracing_config",
            "tags",
            # Layers and VPC access predate 5.0.0; vpc_config's nested
            # ipv6_allowed_for_dual_stack arrived in 5.23.0 (PR #34045), below the floor.
            "layers",
            "vpc_config",
        ),
        # 5.32.0 (January 11, 2024): "resource/aws_lambda_function: Add `logging_config`
        # configuration block" (#35050).
        "logging_config": (5, 32),
        # 5.51.0 (May 23, 2024): source_code_hash no longer compared with Lambda's
        # CodeSha256 (PR #37669, merged 2024-05-23); before it, a hash that is not the
        # zip's (ours is of the sources) showed a code update on every plan (issue 12).
        "source_code_hash": (5, 51),
    },
    "aws_lambda_event_source_mapping": {
        **_all_at(
            V5,
            "event_source_arn",
            "function_name",
            "enabled",
            "starting_position",
            "batch_size",
            "maximum_batching_window_in_seconds",
            "parallelization_factor",
            "bisect_batch_on_function_error",
            "maximum_retry_attempts",
            "maximum_record_age_in_seconds",
            "function_response_types",
            "filter_criteria",
            "destination_config",
        ),
        # 5.70.0 (October 4, 2024): "resource/aws_lambda_event_source_mapping: Add `tags`
        # argument and `tags_all` attribute" (#39535).
        "tags": (5, 70),
    },
    # Added in provider 2.57.0 (April 2020), well before the 5.x floor.
    "aws_lambda_function_event_invoke_config": _all_at(
        V5,
        "function_name",
        "maximum_retry_attempts",
        "maximum_event_age_in_seconds",
        "destination_config",
    ),
    # The package bucket's resources: the split S3 bucket resources and aws_s3_object all
    # arrived in 4.0.0 (February 10, 2022), before the 5.x floor.
    "aws_s3_bucket": _all_at(V5, "bucket", "bucket_prefix", "force_destroy", "tags"),
    "aws_s3_bucket_public_access_block": _all_at(
        V5,
        "bucket",
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ),
    "aws_s3_bucket_ownership_controls": _all_at(V5, "bucket", "rule"),
    "aws_s3_bucket_versioning": _all_at(V5, "bucket", "versioning_configuration"),
    "aws_s3_bucket_server_side_encryption_configuration": _all_at(V5, "bucket", "rule"),
    "aws_s3_bucket_lifecycle_configuration": _all_at(V5, "bucket", "rule"),
    "aws_s3_bucket_policy": _all_at(V5, "bucket", "policy"),
    "aws_s3_object": _all_at(V5, "bucket", "key", "source", "content_type", "tags"),
    "aws_lambda_permission": _all_at(
        V5, "statement_id", "action", "function_name", "principal", "source_arn"
    ),
    "aws_cloudwatch_log_group": _all_at(
        V5, "name", "retention_in_days", "kms_key_id", "tags", "log_group_class", "skip_destroy"
    ),
    "aws_iam_role": _all_at(
        V5, "name", "description", "path", "permissions_boundary", "assume_role_policy", "tags"
    ),
    "aws_iam_role_policy": _all_at(V5, "name", "role", "policy"),
    "aws_sqs_queue": _all_at(
        V5,
        "name",
        "message_retention_seconds",
        "sqs_managed_sse_enabled",
        "kms_master_key_id",
        "kms_data_key_reuse_period_seconds",
        "visibility_timeout_seconds",
        "policy",
        "tags",
    ),
    "aws_dynamodb_table": _all_at(
        V5,
        "name",
        "billing_mode",
        "read_capacity",
        "write_capacity",
        "table_class",
        "deletion_protection_enabled",
        "hash_key",
        "attribute",
        "stream_enabled",
        "stream_view_type",
        "ttl",
        "server_side_encryption",
        "point_in_time_recovery",
        "tags",
    ),
    "aws_connect_contact_flow": _all_at(
        V5, "instance_id", "name", "description", "type", "content", "tags"
    ),
    # Added in 3.72.0 (provider CHANGELOG: "New Resource: aws_connect_contact_flow_module", #22349).
    "aws_connect_contact_flow_module": _all_at(
        V5, "instance_id", "name", "description", "content", "tags"
    ),
    "aws_connect_lambda_function_association": _all_at(V5, "instance_id", "function_arn"),
    "aws_connect_instance": _all_at(
        V5,
        "instance_alias",
        "identity_management_type",
        "inbound_calls_enabled",
        "outbound_calls_enabled",
    ),
    # Monitoring resources (alarms, metric filters, dashboards, topics): their classic
    # arguments all predate 5.0.0; newer ones (e.g. apply_on_transformed_logs) are absent
    # here on purpose, so using one makes this test ask for its version.
    "aws_cloudwatch_metric_alarm": _all_at(
        V5,
        "alarm_name",
        "alarm_description",
        "comparison_operator",
        "evaluation_periods",
        "datapoints_to_alarm",
        "metric_name",
        "namespace",
        "period",
        "statistic",
        "extended_statistic",
        "threshold",
        "threshold_metric_id",
        "treat_missing_data",
        "unit",
        "dimensions",
        "metric_query",
        "actions_enabled",
        "alarm_actions",
        "ok_actions",
        "insufficient_data_actions",
        "tags",
    ),
    "aws_cloudwatch_log_metric_filter": _all_at(
        V5, "name", "pattern", "log_group_name", "metric_transformation"
    ),
    "aws_cloudwatch_dashboard": _all_at(V5, "dashboard_name", "dashboard_body"),
    "aws_sns_topic": _all_at(V5, "name", "kms_master_key_id", "tags"),
}

PROVIDER_FEATURES.update(
    {
        "aws_kms_key": _all_at(
            V5, "description", "enable_key_rotation", "deletion_window_in_days", "policy", "tags"
        ),
        "aws_kms_alias": _all_at(V5, "name", "target_key_id"),
    }
)

#: Data sources and their arguments (the attributes read from them are not checked).
PROVIDER_DATA_SOURCES: dict[str, dict[str, Version]] = {
    "aws_caller_identity": {},
    "aws_partition": {},
    "aws_region": {},
}

#: Argument values that need a newer provider than the argument itself.
PROVIDER_VALUES: list[tuple[str, str, re.Pattern[str], Version, str]] = [
    # runtime is validated against the AWS SDK's Runtime enum: 5.75.1 rejected python3.13
    # (issue #40107, 2024-11-13, "expected runtime to be one of [...] got python3.13");
    # 5.76.0 (November 14, 2024) is the next release. Inferred, not run here.
    (
        "variables.tf",
        "lambda_runtime",
        re.compile(r'"python3\.13"'),
        (5, 76),
        "the python3.13 runtime (lambda_runtime)",
    ),
]

# ---------------------------------------------------------------------------------------
# A small HCL reader: comments stripped, strings and heredocs skipped when counting braces
# ---------------------------------------------------------------------------------------


def _strip_comments(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            depth = 0
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text.startswith("${", j):
                    depth += 1
                    j += 2
                    continue
                if text[j] == "}" and depth:
                    depth -= 1
                elif text[j] == '"' and not depth:
                    break
                j += 1
            out.append(text[i : j + 1])
            i = j + 1
        elif ch == "#" or text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif text.startswith("<<", i) and re.match(r"<<-?(\w+)", text[i:]):
            match = re.match(r"<<-?(\w+)", text[i:])
            assert match is not None
            end = re.compile(rf"^\s*{match.group(1)}\s*$", re.MULTILINE).search(text, i)
            stop = n if end is None else end.end()
            out.append('""')  # heredoc content is data, not configuration
            i = stop
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _matching_brace(text: str, start: int) -> int:
    """Index of the brace closing the one at ``start`` (strings already kept intact)."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced braces")


_BLOCK_HEAD = re.compile(r'^([a-z_]+)((?:\s+"[^"]*")*)\s*\{', re.MULTILINE)


def blocks_of(text: str) -> list[Block]:
    text = _strip_comments(text)
    found: list[Block] = []
    position = 0
    while True:
        match = _BLOCK_HEAD.search(text, position)
        if match is None:
            return found
        end = _matching_brace(text, match.end() - 1)
        labels = tuple(re.findall(r'"([^"]*)"', match.group(2)))
        found.append(Block(match.group(1), labels, text[match.end() : end]))
        position = end + 1


def _depth_one(body: str) -> Iterator[tuple[str, str]]:
    """(name, 'attr' or 'block') for the arguments and blocks directly in ``body``."""
    depth = 0
    for line_match in re.finditer(r"[^\n]*\n?", body):
        line = line_match.group(0)
        if depth == 0:
            attribute = re.match(r"\s*(\w+)\s*=(?!=)", line)
            block = re.match(r'\s*(\w+)(\s+"([^"]*)")?\s*\{', line)
            if attribute:
                yield attribute.group(1), "attr"
            elif block:
                name = block.group(1)
                yield (block.group(3) if name == "dynamic" else name), "block"
        stripped = re.sub(r'"(?:\\.|[^"\\])*"', '""', line)
        depth += stripped.count("{") + stripped.count("[") + stripped.count("(")
        depth -= stripped.count("}") + stripped.count("]") + stripped.count(")")


def _nested(body: str, kind: str) -> list[str]:
    """Bodies of the ``kind`` blocks directly inside ``body``."""
    bodies = []
    for match in re.finditer(rf"^\s*{kind}\s*\{{", body, re.MULTILINE):
        end = _matching_brace(body, match.end() - 1)
        bodies.append(body[match.end() : end])
    return bodies


# ---------------------------------------------------------------------------------------
# Requirements of a directory, and what its versions.tf declares
# ---------------------------------------------------------------------------------------


@dataclass
class Needs:
    terraform: dict[str, Version]
    provider: dict[str, Version]
    unknown: list[str]


def _version(text: str) -> Version:
    return tuple(int(part) for part in text.split("."))


def needs_of(directory: Path) -> Needs:
    needs = Needs({}, {}, [])
    files = sorted(directory.glob("*.tf"))
    blocks = [block for path in files for block in blocks_of(path.read_text())]
    for feature in TERRAFORM_FEATURES:
        if feature.found(blocks):
            needs.terraform[feature.what] = feature.version
    for block in blocks:
        if block.kind not in {"resource", "data"} or not block.labels[0].startswith("aws_"):
            continue
        kind = block.labels[0]
        table = PROVIDER_DATA_SOURCES if block.kind == "data" else PROVIDER_FEATURES
        known = table.get(kind)
        if known is None:
            needs.unknown.append(f"{block.kind} {kind} (add it and its arguments)")
            continue
        for name, _ in _depth_one(block.body):
            if name in _META:
                continue
            if name not in known:
                needs.unknown.append(f"{kind}.{name} (look up its first provider version)")
            else:
                needs.provider[f"{kind}.{name}"] = known[name]
    _value_needs(directory, needs)
    return needs


def _value_needs(directory: Path, needs: Needs) -> None:
    for file_name, variable, pattern, version, what in PROVIDER_VALUES:
        path = directory / file_name
        if not path.is_file():
            continue
        for block in blocks_of(path.read_text()):
            if (
                block.kind == "variable"
                and block.labels == (variable,)
                and pattern.search(block.body)
            ):
                needs.provider[what] = version


def declared(directory: Path) -> tuple[Version, Version | None]:
    text = _strip_comments((directory / "versions.tf").read_text())
    terraform = re.search(r'required_version\s*=\s*">=\s*([\d.]+)"', text)
    assert terraform, f"{directory}/versions.tf declares no required_version >= X"
    aws = re.search(r'aws\s*=\s*\{[^}]*version\s*=\s*">=\s*([\d.]+)"', text)
    return _version(terraform.group(1)), (_version(aws.group(1)) if aws else None)


def calls(directory: Path) -> list[Path]:
    """Local module sources called from ``directory``."""
    found = []
    for path in directory.glob("*.tf"):
        for block in blocks_of(path.read_text()):
            if block.kind == "module":
                source = re.search(r'^\s*source\s*=\s*"(\.[^"]*)"', block.body, re.MULTILINE)
                if source:
                    found.append((directory / source.group(1)).resolve())
    return found


def _label(directory: Path) -> str:
    return str(directory.relative_to(REPO)) if directory.is_relative_to(REPO) else str(directory)


def problems(directory: Path, seen: frozenset[Path] = frozenset()) -> list[str]:
    """Everything ``directory`` (and the local modules it calls) needs beyond what its
    versions.tf declares, and every construct of unknown first version."""
    terraform_floor, aws_floor = declared(directory)
    found: list[str] = []
    for source in [directory, *calls(directory)]:
        if source in seen:
            continue
        needs = needs_of(source)
        where = _label(source)
        found += [f"{where}: {item}" for item in needs.unknown]
        for what, version in needs.terraform.items():
            if version > terraform_floor:
                found.append(
                    f"{_label(directory)}: {what} ({where}) needs Terraform >= "
                    f"{'.'.join(map(str, version))}, versions.tf declares "
                    f">= {'.'.join(map(str, terraform_floor))}"
                )
        for what, version in needs.provider.items():
            if aws_floor is None or version > aws_floor:
                found.append(
                    f"{_label(directory)}: {what} ({where}) needs hashicorp/aws >= "
                    f"{'.'.join(map(str, version))}, versions.tf declares "
                    f"{'none' if aws_floor is None else '>= ' + '.'.join(map(str, aws_floor))}"
                )
        if source != directory:
            found += problems(source, seen | {directory})
    return sorted(set(found))


# ---------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("directory", SHIPPED, ids=lambda p: str(p.relative_to(REPO)) or ".")
def test_declared_floors_cover_what_is_used(directory: Path) -> None:
    assert problems(directory) == []


def test_the_floors_are_the_lowest_the_module_needs() -> None:
    """Not higher than needed either: the root's floors equal its highest requirement."""
    needs = needs_of(REPO)
    for sub_module in calls(REPO):
        needs.terraform.update(needs_of(sub_module).terraform)
    terraform_floor, aws_floor = declared(REPO)
    assert terraform_floor == max(needs.terraform.values())
    assert aws_floor == max(needs.provider.values())


def _seed(tmp_path: Path, versions: str, body: str) -> Path:
    (tmp_path / "versions.tf").write_text(versions)
    (tmp_path / "main.tf").write_text(body)
    return tmp_path


_OLD_FLOORS = """
terraform {
  required_version = ">= 1.7"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
"""


def test_a_seeded_cross_variable_validation_and_logging_config_fail(tmp_path: Path) -> None:
    seeded = _seed(
        tmp_path,
        _OLD_FLOORS,
        """
variable "low" {
  type = number
}
variable "high" {
  type = number
  validation {
    condition     = var.high >= var.low # another variable: Terraform 1.9
    error_message = "high must be at least low."
  }
}
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::111122223333:role/r"
  logging_config {
    log_format = "JSON"
  }
}
""",
    )
    found = problems(seeded)
    assert any("needs Terraform >= 1.9" in p and "another variable" in p for p in found)
    assert any("aws_lambda_function.logging_config" in p and ">= 5.32" in p for p in found)


def test_a_seeded_unknown_argument_or_resource_asks_for_its_version(tmp_path: Path) -> None:
    seeded = _seed(
        tmp_path,
        _OLD_FLOORS,
        """
resource "aws_cloudwatch_log_metric_filter" "f" {
  name                      = "f"
  pattern                   = ""
  log_group_name            = "g"
  apply_on_transformed_logs = true
  metric_transformation {
    name      = "m"
    namespace = "n"
    value     = "1"
  }
}
resource "aws_pipes_pipe" "p" {
  name = "p"
}
""",
    )
    found = problems(seeded)
    assert any("aws_cloudwatch_log_metric_filter.apply_on_transformed_logs" in p for p in found)
    assert any("resource aws_pipes_pipe" in p for p in found)
    assert not any("metric_transformation" in p for p in found)


def test_a_validation_of_the_variable_itself_needs_no_new_terraform(tmp_path: Path) -> None:
    seeded = _seed(
        tmp_path,
        _OLD_FLOORS,
        """
variable "name" {
  type = string
  # a comment naming var.other does not count
  validation {
    condition     = length(var.name) > 0
    error_message = "The name must not be empty."
  }
}
""",
    )
    assert problems(seeded) == []
