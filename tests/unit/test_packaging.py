"""The deployment package builder: reproducible bytes, the right contents, clean failures."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGER = REPO / "packaging" / "build_package.py"


def _load_packager() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_package", PACKAGER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_package"] = module
    spec.loader.exec_module(module)
    return module


build_package = _load_packager()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    _write(root / "connect_tracker" / "__init__.py", '"""package"""\n')
    _write(
        root / "connect_tracker" / "handlers" / "writer.py",
        "def handler(event, context):\n    return {}\n",
    )
    _write(root / "connect_tracker" / "py.typed", "")
    # Everything below must stay out of the package.
    _write(root / "connect_tracker" / "__pycache__" / "writer.cpython-311.pyc", "bytecode")
    _write(root / "connect_tracker" / "stale.pyc", "bytecode")
    _write(root / "connect_tracker" / "tests" / "test_writer.py", "def test(): pass\n")
    _write(root / ".hidden" / "secret.py", "TOKEN = 1\n")
    _write(root / "connect_tracker" / ".DS_Store", "junk")
    return root


@pytest.fixture
def tasks(tmp_path: Path) -> Path:
    root = tmp_path / "my_tasks"
    _write(root / "__init__.py", "")
    _write(root / "billing" / "balance.py", "def lookup(parameters, context):\n    return {}\n")
    _write(root / "__pycache__" / "x.pyc", "bytecode")
    return root


def _names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())


def test_contents_are_sorted_and_filtered(source: Path, tasks: Path, tmp_path: Path) -> None:
    output = tmp_path / "out" / "package.zip"
    returned = build_package.build(str(source), str(output), str(tasks))
    names = _names(output)
    assert names == returned == sorted(names)
    assert names == [
        "connect_tracker/",
        "connect_tracker/__init__.py",
        "connect_tracker/handlers/",
        "connect_tracker/handlers/writer.py",
        "connect_tracker/py.typed",
        "my_tasks/",
        "my_tasks/__init__.py",
        "my_tasks/billing/",
        "my_tasks/billing/balance.py",
    ]
    with zipfile.ZipFile(output) as archive:
        assert (
            archive.read("my_tasks/billing/balance.py")
            == (tasks / "billing" / "balance.py").read_bytes()
        )
        assert archive.testzip() is None


def test_entries_have_fixed_metadata(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "package.zip"
    build_package.build(str(source), str(output))
    with zipfile.ZipFile(output) as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.create_system == 3
            mode = info.external_attr >> 16
            if info.filename.endswith("/"):
                assert stat.S_ISDIR(mode)
                assert stat.S_IMODE(mode) == 0o755
                assert info.compress_type == zipfile.ZIP_STORED
            else:
                assert stat.S_ISREG(mode)
                assert stat.S_IMODE(mode) == 0o644
                assert info.compress_type == zipfile.ZIP_DEFLATED


def test_same_sources_give_identical_bytes(source: Path, tasks: Path, tmp_path: Path) -> None:
    first = tmp_path / "a" / "package.zip"
    build_package.build(str(source), str(first), str(tasks), "tasks")

    # A second checkout elsewhere: new paths, new mtimes, other permissions and umask.
    elsewhere = tmp_path / "elsewhere"
    _copy_tree(source, elsewhere / "src")
    _copy_tree(tasks, elsewhere / "renamed_dir")
    for path in (elsewhere).rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
        if path.is_file():
            path.chmod(0o600)
    second = tmp_path / "b" / "package.zip"
    previous = os.umask(0o077)
    try:
        build_package.build(
            str(elsewhere / "src"), str(second), str(elsewhere / "renamed_dir"), "tasks"
        )
    finally:
        os.umask(previous)

    assert first.read_bytes() == second.read_bytes()
    assert stat.S_IMODE(second.stat().st_mode) == 0o644


def test_content_change_changes_bytes(source: Path, tmp_path: Path) -> None:
    before = tmp_path / "before.zip"
    build_package.build(str(source), str(before))
    _write(
        source / "connect_tracker" / "handlers" / "writer.py",
        "def handler(event, context):\n    return {'x': '1'}\n",
    )
    after = tmp_path / "after.zip"
    build_package.build(str(source), str(after))
    assert _sha256(before) != _sha256(after)


def test_rebuild_replaces_output_atomically(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "package.zip"
    output.write_bytes(b"old and broken")
    build_package.build(str(source), str(output))
    assert zipfile.is_zipfile(output)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_task_package_name_defaults_to_directory_name(
    source: Path, tasks: Path, tmp_path: Path
) -> None:
    output = tmp_path / "package.zip"
    build_package.build(str(source), str(output), str(tasks) + os.sep)
    assert "my_tasks/__init__.py" in _names(output)


@pytest.mark.parametrize("name", ["connect_tracker", "not-an-identifier", "1tasks"])
def test_bad_task_package_names_are_refused(
    source: Path, tasks: Path, tmp_path: Path, name: str
) -> None:
    output = tmp_path / "package.zip"
    with pytest.raises(build_package.PackagingError):
        build_package.build(str(source), str(output), str(tasks), name)
    assert not output.exists()


def test_missing_source_fails_from_the_command_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(PACKAGER),
            "--source",
            str(tmp_path / "missing"),
            str(tmp_path / "p.zip"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "not a directory" in result.stderr
    assert not (tmp_path / "p.zip").exists()


def test_command_line_build_matches_the_library(source: Path, tasks: Path, tmp_path: Path) -> None:
    library = tmp_path / "library.zip"
    build_package.build(str(source), str(library), str(tasks), "extra")
    command_line = tmp_path / "cli" / "package.zip"
    result = subprocess.run(
        [
            sys.executable,
            str(PACKAGER),
            "--source",
            str(source),
            "--task-dir",
            str(tasks),
            "--task-package-name",
            "extra",
            str(command_line),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wrote" in result.stdout
    assert library.read_bytes() == command_line.read_bytes()


def test_real_lambda_source_packages_the_handlers(tmp_path: Path) -> None:
    output = tmp_path / "package.zip"
    names = build_package.build(str(REPO / "lambda_src"), str(output))
    assert "connect_tracker/__init__.py" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_real_package_leaves_out_the_listed_operator_tools(tmp_path: Path) -> None:
    excluded = build_package.source_exclusions()
    assert "connect_tracker/replay.py" in excluded
    names = build_package.build(str(REPO / "lambda_src"), str(tmp_path / "package.zip"))
    assert not excluded & set(names)
    for handler in ("writer", "checker", "processor"):
        assert f"connect_tracker/handlers/{handler}.py" in names


def test_listed_exclusions_exist_and_no_packaged_module_imports_them() -> None:
    source = REPO / "lambda_src"
    excluded = build_package.source_exclusions()
    packaged = [
        path
        for path in source.rglob("*.py")
        if path.relative_to(source).as_posix() not in excluded and "__pycache__" not in path.parts
    ]
    for entry in excluded:
        if entry.endswith("/"):
            continue  # a folder pip or setuptools may write (build outputs): absent here
        assert (source / entry).is_file(), f"stale exclusion: {entry}"
        if not entry.endswith(".py"):
            continue
        module = entry[: -len(".py")].replace("/", ".")
        parent, _, leaf = module.rpartition(".")
        for path in packaged:
            text = path.read_text()
            assert module not in text, f"{path} imports the excluded {module}"
            assert f"from {parent} import {leaf}" not in text, f"{path} imports {module}"


def _crlf_copy(tree: Path, destination: Path) -> Path:
    for path in tree.rglob("*"):
        if path.is_file():
            target = destination / path.relative_to(tree)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return destination


def test_a_crlf_checkout_packages_the_same_bytes(source: Path, tmp_path: Path) -> None:
    (source / "connect_tracker" / "icon.bin").write_bytes(b"\x00\r\n\x01")
    crlf = _crlf_copy(source, tmp_path / "crlf")
    (crlf / "connect_tracker" / "icon.bin").write_bytes(b"\x00\r\n\x01")
    assert (crlf / "connect_tracker" / "__init__.py").read_bytes().endswith(b"\r\n")
    build_package.build(str(source), str(tmp_path / "lf.zip"))
    build_package.build(str(crlf), str(tmp_path / "crlf.zip"))
    assert (tmp_path / "lf.zip").read_bytes() == (tmp_path / "crlf.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "crlf.zip") as archive:
        assert b"\r" not in archive.read("connect_tracker/__init__.py")
        # Binary files are packaged as they are.
        assert archive.read("connect_tracker/icon.bin") == b"\x00\r\n\x01"


def test_the_packager_and_packaging_tf_read_the_same_files_as_text() -> None:
    """packaging.tf hashes text files with CRLF as LF; the packager zips them so: one list."""
    terraform = (REPO / "packaging.tf").read_text()
    pattern = re.search(r'text_file\s*=\s*"\\\\\.\(([a-z|]+)\)\$"', terraform)
    assert pattern, "packaging.tf has no text_file pattern"
    in_terraform = {f".{suffix}" for suffix in pattern.group(1).split("|")}
    assert in_terraform == set(build_package.TEXT_SUFFIXES)


def test_the_testing_kit_and_the_pip_package_files_stay_out_of_the_zip(tmp_path: Path) -> None:
    """The kit runs on moto on a developer's machine, never in a function; the pip
    package's files and what an install from the folder leaves behind are no code."""
    source = tmp_path / "lambda_src"
    _copy_tree(REPO / "lambda_src", source)
    _write(source / "build" / "lib" / "connect_tracker" / "worker.py", "stale = True\n")
    _write(source / "connect_tracker.egg-info" / "PKG-INFO", "Name: connect-tracker\n")
    names = build_package.build(str(source), str(tmp_path / "package.zip"))
    assert "connect_tracker/testing.py" not in names
    assert (source / "connect_tracker" / "testing.py").is_file()
    assert not [
        name
        for name in names
        if name.split("/", 1)[0] in {"build", "connect_tracker.egg-info"}
        or name in {"pyproject.toml", "README.md"}
    ]
    assert "connect_tracker/handlers/worker.py" in names
