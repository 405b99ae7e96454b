"""The packager's task libraries (task_requirements_file): installed for Lambda's platform,
pinned, deterministic, and a failure that names the requirement.

Most tests install a wheel this test writes itself from a local folder (``--no-index
--find-links``), so they need no network; one installs a real wheel with compiled code from
PyPI (reachable through pip here and on CI) to show the platform, interpreter and ABI tags
reach pip.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from tests.unit.test_packaging import REPO, build_package

SOURCE = str(REPO / "lambda_src")


def _wheel(folder: Path, name: str, version: str, *, requires: str = "") -> Path:
    """A pure-Python wheel of one module ``name`` with a console script, as a build backend
    would write it (PEP 427): the module, METADATA, WHEEL, entry_points.txt and RECORD."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f'VERSION = "{version}"\n',
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            + (f"Requires-Dist: {requires}\n" if requires else "")
        ),
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
        f"{dist_info}/entry_points.txt": f"[console_scripts]\n{name}-cli = {name}:VERSION\n",
    }

    def record_line(path: str, data: bytes) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"{path},sha256={digest},{len(data)}"

    record = [record_line(path, text.encode()) for path, text in files.items()]
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    _wheel(folder, "tinylib", "1.0", requires="tinydep")
    _wheel(folder, "tinydep", "2.0")
    return folder


def _requirements(path: Path, wheels: Path, *lines: str) -> str:
    path.write_text("\n".join([f"--no-index --find-links {wheels}", *lines]) + "\n")
    return str(path)


def _build(output: Path, requirements: str, architecture: str = "x86_64") -> list[str]:
    return build_package.build(
        SOURCE,
        str(output),
        requirements=requirements,
        runtime="python3.13",
        architecture=architecture,
    )


def test_the_libraries_land_at_the_package_root(wheels: Path, tmp_path: Path) -> None:
    requirements = _requirements(tmp_path / "r.txt", wheels, "tinylib==1.0", "tinydep==2.0")
    names = _build(tmp_path / "package.zip", requirements)
    assert "tinylib/__init__.py" in names
    assert "tinydep/__init__.py" in names
    assert "tinylib-1.0.dist-info/METADATA" in names  # importlib.metadata still works
    assert "connect_tracker/handlers/worker.py" in names
    # pip's records of this install and its console scripts stay out.
    assert not [name for name in names if name.startswith("bin/")]
    assert not [name for name in names if name.rsplit("/", 1)[-1] in {"RECORD", "INSTALLER"}]
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_same_requirements_give_the_same_bytes(wheels: Path, tmp_path: Path) -> None:
    requirements = _requirements(tmp_path / "r.txt", wheels, "tinylib==1.0", "tinydep==2.0")
    _build(tmp_path / "one.zip", requirements)
    _build(tmp_path / "two.zip", requirements)
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()


def test_a_package_installed_but_not_pinned_is_refused_with_the_line_to_add(
    wheels: Path, tmp_path: Path
) -> None:
    requirements = _requirements(tmp_path / "r.txt", wheels, "tinylib==1.0")
    with pytest.raises(build_package.PackagingError, match=r"tinydep==2\.0"):
        _build(tmp_path / "package.zip", requirements)
    assert not (tmp_path / "package.zip").exists()


@pytest.mark.parametrize(
    "line",
    ["tinylib", "tinylib>=1.0", "-r other.txt", "-e ./tinylib", "tinylib @ file:///tmp/x.whl"],
)
def test_a_line_the_file_alone_cannot_decide_is_refused(
    line: str, wheels: Path, tmp_path: Path
) -> None:
    requirements = _requirements(tmp_path / "r.txt", wheels, line)
    with pytest.raises(build_package.PackagingError, match=r"r\.txt"):
        _build(tmp_path / "package.zip", requirements)


def test_a_requirement_that_does_not_exist_fails_naming_it(wheels: Path, tmp_path: Path) -> None:
    requirements = _requirements(tmp_path / "r.txt", wheels, "no-such-library==9.9")
    with pytest.raises(build_package.PackagingError, match=r"no-such-library==9\.9"):
        _build(tmp_path / "package.zip", requirements)
    assert not (tmp_path / "package.zip").exists()


def test_a_library_shadowing_our_package_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "wheels"
    _wheel(folder, "connect_tracker", "9.0")
    requirements = _requirements(tmp_path / "r.txt", folder, "connect_tracker==9.0")
    with pytest.raises(build_package.PackagingError, match="connect_tracker"):
        _build(tmp_path / "package.zip", requirements)


def test_the_command_line_names_the_requirement_and_exits_1(
    wheels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements = _requirements(tmp_path / "r.txt", wheels, "no-such-library==9.9")
    code = build_package.main(
        [
            "--source",
            SOURCE,
            "--requirements",
            requirements,
            "--runtime",
            "python3.12",
            "--architecture",
            "arm64",
            str(tmp_path / "package.zip"),
        ]
    )
    assert code == 1
    assert "no-such-library==9.9" in capsys.readouterr().err


def test_compiled_wheels_are_chosen_for_the_lambda_platform_from_pypi(tmp_path: Path) -> None:
    """A real library with compiled code (charset-normalizer, from PyPI): the package holds
    the extension built for the runtime's interpreter and the function's CPU, whatever this
    machine is; nothing was compiled here."""
    (tmp_path / "r.txt").write_text("charset-normalizer==3.4.2\n")
    for architecture, cpu in (("arm64", "aarch64"), ("x86_64", "x86_64")):
        names = _build(tmp_path / f"{architecture}.zip", str(tmp_path / "r.txt"), architecture)
        extensions = [name for name in names if name.endswith(".so")]
        assert extensions, names
        assert all(f"cpython-313-{cpu}-linux-gnu" in name for name in extensions), extensions
