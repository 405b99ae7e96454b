#!/usr/bin/env python3
"""Build the Lambda deployment package as a byte-for-byte reproducible zip.

The Terraform module runs this at apply time (no hashicorp/archive provider needed):

    build_package.py --source lambda_src [--task-dir DIR [--task-package-name NAME]]
        [--requirements FILE --runtime python3.13 --architecture x86_64] OUTPUT

The archive holds the contents of ``--source`` at its root and, optionally, the user's
task directory as one more top-level package and the libraries a pip requirements file
names, installed at the root for the functions' runtime and architecture (wheels only:
see ``install_requirements``). The same inputs give the same bytes on any
machine: entries are sorted, timestamps fixed at 1980-01-01 00:00:00, permissions fixed
(0644 files, 0755 directories), compression fixed (deflate, level 9), so neither file
mtimes nor the umask leak in. Python 3.8+ standard library only.

The selection rules (what is skipped) must match the ``fileset`` filter in the module's
packaging.tf, which hashes the same files at plan time. Files of ``--source`` listed in
``source_exclusions.txt`` (next to this script: operator tools and the testing kit, which
no handler imports, and the pip package's own files) are left out too; packaging.tf reads
the same list.

Text files (``TEXT_SUFFIXES``) are packaged with CRLF line endings turned into LF, the
same normalisation packaging.tf applies when it hashes them: a Windows checkout
(core.autocrlf) and a Linux one ship the same bytes under the same hash.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence

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


#: pip's platform tag per Lambda architecture: manylinux2014 (glibc 2.17) wheels run on
#: every Python runtime Lambda offers. AWS's recipe for packages with compiled code:
#: https://repost.aws/knowledge-center/lambda-python-package-compatible
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
RUNTIME = re.compile(r"^python3\.(\d+)$")
#: What pip writes beside an installed distribution about this install rather than the
#: wheel: RECORD hashes console scripts whose first line names this machine's interpreter.
#: Left out, with the scripts (``bin/``), so the package depends on the wheels alone.
INSTALL_RECORDS = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
#: A pinned requirement: name, optional extras, ``==`` version (markers and --hash may follow).
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*==\s*([^\s;\\]+)")
#: Options a requirements file may hold: where to find wheels, never another file of
#: requirements or a local path, which the plan-time hash (packaging.tf) could not follow.
ALLOWED_OPTIONS = ("--index-url", "-i", "--extra-index-url", "--find-links", "-f", "--no-index")


def _normalised(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_lines(path: str) -> list[str]:
    """The file's logical lines: comments dropped, backslash continuations joined."""
    with open(path, encoding="utf-8") as listing:
        text = listing.read().replace("\r\n", "\n").replace("\\\n", " ")
    lines = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def pinned_requirements(path: str) -> dict[str, str]:
    """Normalised name -> pinned version of every requirement of the file.

    Only ``name==version`` lines (extras, markers and ``--hash`` allowed) and index
    options are accepted: the module hashes this one file at plan time, so its content
    must decide what gets installed.
    """
    pins: dict[str, str] = {}
    for line in _requirement_lines(path):
        if line.startswith("-"):
            option = re.split(r"[\s=]", line, maxsplit=1)[0]
            if option not in ALLOWED_OPTIONS:
                raise PackagingError(
                    f"{path}: {line!r}: a requirements file for the package may hold pinned "
                    "requirements (name==version) and index options only, not other files "
                    "(-r, -c), editable installs or other pip options"
                )
            continue
        match = PINNED.match(line)
        if match is None or "@" in line.split(";", 1)[0]:
            raise PackagingError(
                f"{path}: {line!r} is not pinned: write name==version (the package hash "
                "follows the file's content, so the file must decide the installed version)"
            )
        pins[_normalised(match.group(1))] = match.group(3)
    return pins


def _installed(target: str) -> dict[str, tuple[str, str]]:
    """Normalised name -> (name, version) of every distribution pip installed in target."""
    found: dict[str, tuple[str, str]] = {}
    for entry in sorted(os.listdir(target)):
        metadata = os.path.join(target, entry, "METADATA")
        if not entry.endswith(".dist-info") or not os.path.isfile(metadata):
            continue
        fields: dict[str, str] = {}
        with open(metadata, encoding="utf-8", errors="replace") as headers:
            for line in headers:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields.setdefault(key.strip().lower(), value.strip())
        if "name" in fields and "version" in fields:
            found[_normalised(fields["name"])] = (fields["name"], fields["version"])
    return found


def install_requirements(requirements: str, runtime: str, architecture: str, target: str) -> None:
    """Install the file's packages into ``target`` for a Lambda runtime and architecture.

    ``pip install --target`` with ``--platform manylinux2014_<arch> --implementation cp
    --python-version 3.N --abi cp3N --only-binary=:all:``: wheels built for Lambda's
    Linux, its CPU and its interpreter, whatever machine runs the apply; a package with no
    such wheel fails here rather than being compiled for this machine. ``--abi`` is given
    because pip's documentation says it otherwise takes the running interpreter's.
    Every installed distribution must be pinned in the file (see ``pinned_requirements``).
    """
    version = RUNTIME.match(runtime)
    if version is None:
        raise PackagingError(f"runtime {runtime!r} is not a Python runtime (python3.N)")
    if architecture not in PLATFORMS:
        raise PackagingError(f"architecture {architecture!r} is not one of {sorted(PLATFORMS)}")
    pins = pinned_requirements(requirements)
    minor = version.group(1)
    command = [
        sys.executable, "-m", "pip", "install",
        "--requirement", requirements,
        "--target", target,
        "--platform", PLATFORMS[architecture],
        "--implementation", "cp",
        "--python-version", f"3.{minor}",
        "--abi", f"cp3{minor}",
        "--only-binary=:all:",
        "--no-compile",
        "--no-input",
        "--disable-pip-version-check",
        "--no-warn-script-location",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError as error:
        raise PackagingError(f"cannot run pip with {sys.executable}: {error}") from error
    if done.returncode != 0:
        output = f"{done.stdout}\n{done.stderr}"
        if "No module named pip" in output:
            raise PackagingError(
                f"{sys.executable} has no pip: python_executable needs pip to install "
                f"the requirements of {requirements}"
            )
        errors = [line[6:].strip() for line in output.splitlines() if line.startswith("ERROR:")]
        raise PackagingError(
            f"pip could not install the requirements of {requirements} for {runtime} on "
            f"{architecture} (wheels only): " + ("; ".join(errors) or output.strip()[-2000:])
        )
    installed = _installed(target)
    unpinned = sorted(
        f"{name}=={version}"
        for key, (name, version) in installed.items()
        if pins.get(key) != version
    )
    if unpinned:
        raise PackagingError(
            f"{requirements} does not pin every package it installs; add (or correct) "
            "these lines, so the file alone decides what is deployed: " + ", ".join(unpinned)
        )


def collect_libraries(target: str) -> dict[str, str]:
    """Map archive name -> path of the installed libraries, without pip's install records,
    console scripts or bytecode; their bytes are packaged as the wheels hold them."""
    files: dict[str, str] = {}
    for current, dirs, names in os.walk(target, followlinks=False):
        relative = os.path.relpath(current, target)
        top = relative == "."
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not (top and d == "bin"))
        in_dist_info = relative.endswith(".dist-info")
        for name in names:
            if name.endswith(SKIPPED_SUFFIXES) or (in_dist_info and name in INSTALL_RECORDS):
                continue
            path = os.path.join(current, name)
            if os.path.isfile(path):
                parts = [] if top else relative.replace(os.sep, "/").split("/")
                files["/".join([*parts, name])] = path
    return files


def _excluded(arcname: str, entry: str) -> bool:
    """Whether an exclusion list entry (a file, or a folder when it ends in '/') covers it."""
    return arcname.startswith(entry) if entry.endswith("/") else arcname == entry


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


def content(path: str, *, verbatim: bool = False) -> bytes:
    """A file's bytes as packaged: text files (TEXT_SUFFIXES) with CRLF turned into LF,
    unless ``verbatim`` (an installed library: the wheel's bytes are the same everywhere)."""
    with open(path, "rb") as source_file:
        data = source_file.read()
    if not verbatim and path.endswith(TEXT_SUFFIXES):
        data = data.replace(b"\r\n", b"\n")
    return data


def _top_level(names: Iterable[str]) -> set[str]:
    """The importable top-level names an archive's entries provide."""
    top = {name.split("/", 1)[0] for name in names}
    return top | {name[:-3] for name in top if name.endswith(".py")}


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
    *,
    requirements: str | None = None,
    runtime: str = "python3.13",
    architecture: str = "x86_64",
) -> list[str]:
    """Write the package to ``output`` atomically and return the archive's entry names."""
    files = collect(source)
    for excluded in source_exclusions():
        for arcname in [name for name in files if _excluded(name, excluded)]:
            del files[arcname]
    if task_dir is not None:
        name = task_package_name or os.path.basename(os.path.normpath(task_dir))
        if not PACKAGE_NAME.match(name):
            raise PackagingError(f"task package name {name!r} is not a Python identifier")
        if name in _top_level(files):
            raise PackagingError(f"task package name {name!r} collides with a module of {source}")
        files.update(collect(task_dir, prefix=name))
    if not files:
        raise PackagingError(f"nothing to package in {source}")
    with tempfile.TemporaryDirectory(prefix="build-package-") as libraries:
        verbatim: set[str] = set()
        if requirements is not None:
            install_requirements(requirements, runtime, architecture, libraries)
            installed = collect_libraries(libraries)
            clashes = sorted(_top_level(installed) & _top_level(files))
            if clashes:
                raise PackagingError(
                    f"the requirements of {requirements} install {', '.join(clashes)}, "
                    "which the package already holds (our code or the task package)"
                )
            files.update(installed)
            verbatim.update(installed)
        _write_archive(output, files, verbatim)
    return sorted({*_directories(list(files)), *files})


def _write_archive(output: str, files: dict[str, str], verbatim: set[str]) -> None:
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
                    content(path, verbatim=arcname in verbatim),
                    compress_type=COMPRESSION,
                    compresslevel=COMPRESS_LEVEL,
                )
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", required=True, help="directory whose contents form the package root"
    )
    parser.add_argument("--task-dir", help="directory copied in as a top-level package")
    parser.add_argument(
        "--task-package-name", help="name of that package (default: the directory's basename)"
    )
    parser.add_argument("--requirements", help="pip requirements file installed into the package")
    parser.add_argument("--runtime", help="Lambda runtime the requirements are installed for")
    parser.add_argument(
        "--architecture", choices=sorted(PLATFORMS), help="Lambda architecture (idem)"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    parser.add_argument("output", help="zip file to write (replaced atomically)")
    args = parser.parse_args(argv)
    if args.task_package_name and not args.task_dir:
        parser.error("--task-package-name needs --task-dir")
    if args.requirements and not (args.runtime and args.architecture):
        parser.error("--requirements needs --runtime and --architecture")
    try:
        names = build(
            args.source,
            args.output,
            args.task_dir,
            args.task_package_name,
            requirements=args.requirements,
            runtime=args.runtime or "python3.13",
            architecture=args.architecture or "x86_64",
        )
    except (PackagingError, OSError) as error:
        print(f"build_package: error: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"build_package: wrote {args.output} ({len(names)} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
