#!/usr/bin/env python3
"""Build the Lambda deployment package as a byte-for-byte reproducible zip.

The Terraform module runs this at apply time (no hashicorp/archive provider needed):

    build_package.py --source lambda_src [--task-dir DIR [--task-package-name NAME]] OUTPUT

The archive holds the contents of ``--source`` at its root and, optionally, the user's
task directory as one more top-level package. The same inputs give the same bytes on any
machine: entries are sorted, timestamps fixed at 1980-01-01 00:00:00, permissions fixed
(0644 files, 0755 directories), compression fixed (deflate, level 9), so neither file
mtimes nor the umask leak in. Python 3.8+ standard library only.

The selection rules (what is skipped) must match the ``fileset`` filter in the module's
packaging.tf, which hashes the same files at plan time. Files of ``--source`` listed in
``source_exclusions.txt`` (next to this script; operator tools no handler imports) are left
out too; packaging.tf reads the same list.

Text files (``TEXT_SUFFIXES``) are packaged with CRLF line endings turned into LF, the
same normalisation packaging.tf applies when it hashes them: a Windows checkout
(core.autocrlf) and a Linux one ship the same bytes under the same hash.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Sequence

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
DIR_MODE = 0o040755
COMPRESSION = zipfile.ZIP_DEFLATED
COMPRESS_LEVEL = 9
# Directory names skipped anywhere in the tree, and file suffixes never packaged.
SKIPPED_DIRS = frozenset({"__pycache__", "tests"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
#: Suffixes of files read as text (CRLF -> LF); packaging.tf's ``text_file`` pattern.
TEXT_SUFFIXES = (
    ".py",
    ".pyi",
    ".typed",
    ".txt",
    ".json",
    ".cfg",
    ".ini",
    ".toml",
    ".yaml",
    ".yml",
    ".csv",
    ".md",
)
PACKAGE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Paths (relative to --source) kept out of the package; packaging.tf reads the same file.
SOURCE_EXCLUSIONS_FILE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "source_exclusions.txt"
)


def source_exclusions(path: str = SOURCE_EXCLUSIONS_FILE) -> frozenset[str]:
    """The list's paths: one a line, blank lines and '#' comments ignored (none if absent)."""
    if not os.path.isfile(path):
        return frozenset()
    with open(path, encoding="utf-8") as listing:
        lines = (line.strip() for line in listing)
        return frozenset(line for line in lines if line and not line.startswith("#"))


class PackagingError(Exception):
    """The inputs cannot produce a valid package."""


def _skipped(name: str, is_dir: bool) -> bool:
    if name.startswith("."):
        return True
    if is_dir:
        return name in SKIPPED_DIRS
    return name.endswith(SKIPPED_SUFFIXES)


def collect(root: str, prefix: str = "") -> dict[str, str]:
    """Map archive name -> source path for every packaged file of a tree."""
    if not os.path.isdir(root):
        raise PackagingError(f"not a directory: {root}")
    files: dict[str, str] = {}
    for current, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not _skipped(d, True)]
        relative = os.path.relpath(current, root)
        parts = [p for p in (prefix, "" if relative == "." else relative.replace(os.sep, "/")) if p]
        for name in names:
            path = os.path.join(current, name)
            if _skipped(name, False) or not os.path.isfile(path):
                continue
            files["/".join([*parts, name])] = path
    return files


def content(path: str) -> bytes:
    """A file's bytes as packaged: text files (TEXT_SUFFIXES) with CRLF turned into LF."""
    with open(path, "rb") as source_file:
        data = source_file.read()
    if path.endswith(TEXT_SUFFIXES):
        data = data.replace(b"\r\n", b"\n")
    return data


def _directories(names: list[str]) -> list[str]:
    """Every ancestor directory of the files, so the archive depends on the files alone."""
    found = set()
    for name in names:
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            found.add("/".join(parts[:depth]) + "/")
    return sorted(found)


def _zip_info(name: str, is_dir: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.create_system = 3  # Unix, so external_attr carries POSIX permissions
    if is_dir:
        info.external_attr = (DIR_MODE << 16) | 0x10  # 0x10: MS-DOS directory flag
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.external_attr = FILE_MODE << 16
        info.compress_type = COMPRESSION
    return info


def build(
    source: str,
    output: str,
    task_dir: str | None = None,
    task_package_name: str | None = None,
) -> list[str]:
    """Write the package to ``output`` atomically and return the archive's entry names."""
    files = collect(source)
    for excluded in source_exclusions():
        files.pop(excluded, None)
    if task_dir is not None:
        name = task_package_name or os.path.basename(os.path.normpath(task_dir))
        if not PACKAGE_NAME.match(name):
            raise PackagingError(f"task package name {name!r} is not a Python identifier")
        top_level = {arcname.split("/", 1)[0] for arcname in files}
        top_level |= {n[:-3] for n in top_level if n.endswith(".py")}
        if name in top_level:
            raise PackagingError(f"task package name {name!r} collides with a module of {source}")
        files.update(collect(task_dir, prefix=name))
    if not files:
        raise PackagingError(f"nothing to package in {source}")
    by_name: dict[str, str | None] = dict.fromkeys(_directories(list(files)))
    by_name.update(files)
    names = sorted(by_name)

    directory = os.path.dirname(os.path.abspath(output))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".build-", suffix=".zip.tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for arcname in names:
                path = by_name[arcname]
                if path is None:
                    archive.writestr(_zip_info(arcname, True), b"")
                    continue
                archive.writestr(
                    _zip_info(arcname, False),
                    content(path),
                    compress_type=COMPRESSION,
                    compresslevel=COMPRESS_LEVEL,
                )
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return names


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", required=True, help="directory whose contents form the package root"
    )
    parser.add_argument("--task-dir", help="directory copied in as a top-level package")
    parser.add_argument(
        "--task-package-name", help="name of that package (default: the directory's basename)"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    parser.add_argument("output", help="zip file to write (replaced atomically)")
    args = parser.parse_args(argv)
    if args.task_package_name and not args.task_dir:
        parser.error("--task-package-name needs --task-dir")
    try:
        names = build(args.source, args.output, args.task_dir, args.task_package_name)
    except (PackagingError, OSError) as error:
        print(f"build_package: error: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"build_package: wrote {args.output} ({len(names)} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
