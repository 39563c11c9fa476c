"""Install, start, health-check and stop FerretDB, MinIO and Keycloak on loopback."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("STRATA_DEV_CACHE", ROOT / ".cache"))
TOOLS = ROOT / "tools"

FERRETDB_VERSION = "v1.24.2"
# MinIO publishes no semver tags to the Go module proxy: pin the exact pseudo-version.
MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c"
KEYCLOAK_VERSION = "26.5.6"
# Debian's PostgreSQL (15 on bookworm); any 13+ found under /usr/lib/postgresql will do.
POSTGRES_MIN_MAJOR = 13
POSTGRES_USER = "strata"
POSTGRES_DATABASE = "ferretdb"
# PostgreSQL refuses to run as root: when we are root it runs as this system account.
POSTGRES_ACCOUNT = "strata-db"
KEYCLOAK_MIN_JAVA = 21

# Development-only credentials; production reads its own from secrets.
MINIO_USER = "strata-dev"
MINIO_PASSWORD = "strata-dev-secret"
KEYCLOAK_ADMIN = "admin"
KEYCLOAK_ADMIN_PASSWORD = "admin"
REALM = "strata"


class ServiceError(RuntimeError):
    """A service could not be installed or started; the message says what to do."""


def _run(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    *,
    stdin: str | None = None,
    user: str | None = None,
) -> str:
    """Run ``cmd`` to its end (as ``user``, fed ``stdin``); its output, or ServiceError with its words."""
    merged = {**os.environ, **(env or {})}
    result = subprocess.run(
        cmd, cwd=cwd, env=merged, input=stdin, user=user, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ServiceError(f"{' '.join(cmd)} failed in {cwd}:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return result.stdout


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Service:
    """One server process: its binary, arguments, port, health check and files.

    A subclass says how to install the binary and how to start it; this class keeps the
    pid file and the log under ``state_dir`` so that ``up`` is idempotent and ``down``
    works from another shell.
    """

    name: str
    port: int
    state_dir: Path
    extra_ports: tuple[int, ...] = ()
    start_timeout: float = 60.0
    env: dict[str, str] = field(default_factory=dict)
    stop_signal: int = signal.SIGTERM
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def pid_file(self) -> Path:
        return self.state_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"{self.name}.log"

    def install(self) -> None:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def healthy(self) -> bool:
        return port_open(self.port)

    def cwd(self) -> Path:
        return self.state_dir

    def run_as(self) -> str | None:
        """The account the server runs under; None for this process's own."""
        return None

    def ready(self) -> None:
        """Once healthy: anything the service needs before its first client (run at every start)."""

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) else None

    def running(self) -> bool:
        return self.pid() is not None and self.healthy()

    def start(self) -> bool:
        """Start unless already running; True when this call started it."""
        if self.running():
            return False
        for port in (self.port, *self.extra_ports):
            if port_open(port):
                raise ServiceError(
                    f"{self.name}: port {port} on 127.0.0.1 is taken by another process; "
                    f"stop it or choose other ports (see devservices/services.py)"
                )
        self.install()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        user = self.run_as()
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                self.command(),
                cwd=self.cwd(),
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                user=user,
                group=pwd.getpwnam(user).pw_gid if user else None,
            )
        self._process = process
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServiceError(
                    f"{self.name} exited with code {process.returncode} while starting; "
                    f"last lines of {self.log_file}:\n{self._tail()}"
                )
            if self.healthy():
                self.ready()
                return True
            time.sleep(0.25)
        self.stop()
        raise ServiceError(
            f"{self.name} not healthy after {self.start_timeout:.0f}s; see {self.log_file}:\n{self._tail()}"
        )

    def stop(self, timeout: float = 20.0) -> None:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, self.stop_signal)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid_alive(pid):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.1)
        if _pid_alive(pid):
            os.killpg(pid, signal.SIGKILL)
        if self._process is not None and self._process.pid == pid:
            self._process.wait(timeout=5)
        self._process = None
        self.pid_file.unlink(missing_ok=True)

    def _tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _postgres_bin() -> Path | None:
    found = []
    for postgres in Path("/usr/lib/postgresql").glob("*/bin/postgres"):
        with contextlib.suppress(ValueError):
            found.append((int(postgres.parent.parent.name), postgres.parent))
    usable = [item for item in found if item[0] >= POSTGRES_MIN_MAJOR]
    return max(usable)[1] if usable else None


@dataclass
class Postgres(Service):
    """PostgreSQL for FerretDB: Debian's package, its own cluster under the cache, kept across starts.

    As root it runs as a system account of its own (created here); otherwise as the caller.
    Clients on 127.0.0.1 are trusted: the port is loopback only and the data is development data.
    """

    name: str = "postgres"
    port: int = 17432
    state_dir: Path = CACHE / "run"
    stop_signal: int = signal.SIGINT  # "fast" shutdown: SIGTERM would wait for every client to leave

    @property
    def data_dir(self) -> Path:
        beside = self.state_dir / "postgres-data"
        account = self.run_as()
        if account is None or _reachable_by(account, self.state_dir):
            return beside
        # A checkout the account cannot enter (a private temporary folder, say): the cluster of
        # this checkout lives in the account's own place instead, still one per checkout.
        digest = hashlib.sha256(str(beside.resolve()).encode()).hexdigest()[:16]
        return Path("/var/lib") / account / digest / "postgres-data"

    @property
    def bin(self) -> Path:
        found = _postgres_bin()
        if found is None:
            raise ServiceError("PostgreSQL is not installed: apt-get install postgresql (Debian's package)")
        return found

    def run_as(self) -> str | None:
        return POSTGRES_ACCOUNT if os.geteuid() == 0 else None

    def install(self) -> None:
        if _postgres_bin() is None:
            if os.geteuid() != 0:
                raise ServiceError("PostgreSQL is not installed: sudo apt-get install postgresql")
            _run(["apt-get", "update", "-q"], ROOT)
            _run(
                ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"],
                ROOT,
                {"DEBIAN_FRONTEND": "noninteractive"},
            )
        account = self.run_as()
        if account is not None:
            try:
                pwd.getpwnam(account)
            except KeyError:
                _run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", account], ROOT)
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if account is not None:
            entry = pwd.getpwnam(account)
            for owned in (self.data_dir, *self.data_dir.parents):
                if owned.parent == Path("/var/lib") or owned == self.state_dir:
                    break
                os.chown(owned, entry.pw_uid, entry.pw_gid)
        initdb = [str(self.bin / "initdb"), "-D", str(self.data_dir), "-U", POSTGRES_USER, "--auth=trust", "-E", "UTF8"]
        _run(initdb, Path("/"), user=account)

    def command(self) -> list[str]:
        return [
            str(self.bin / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.data_dir}",
            # FerretDB names the field as a parameter (`_jsonb -> $1 @> $2`): only a plan made for
            # the value at hand can match the field's index, so never use a generic plan.
            "-c",
            "plan_cache_mode=force_custom_plan",
            "-c",
            "synchronous_commit=off",
            # Rows each statement hands FerretDB: what the store-cost test counts, and an operator's view.
            "-c",
            "shared_preload_libraries=pg_stat_statements",
            "-c",
            "shared_buffers=256MB",
            "-c",
            "log_min_messages=warning",
        ]

    def cwd(self) -> Path:
        return self.data_dir

    def healthy(self) -> bool:
        result = subprocess.run(
            [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def psql(self, sql: str, database: str = "postgres", variables: Mapping[str, str] | None = None) -> str:
        assigned = [f"--variable={name}={value}" for name, value in (variables or {}).items()]
        address = ["-h", "127.0.0.1", "-p", str(self.port), "-U", POSTGRES_USER, "-d", database]
        psql = [str(self.bin / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", *address, *assigned]
        return _run(psql, ROOT, stdin=sql)

    def ready(self) -> None:
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{POSTGRES_DATABASE}'")  # noqa: S608 - a constant
        if not exists.strip():
            self.psql(f"CREATE DATABASE {POSTGRES_DATABASE}")
        self.psql((ROOT / "devservices" / "postgres.sql").read_text(), POSTGRES_DATABASE)

    def url(self) -> str:
        return f"postgres://{POSTGRES_USER}@127.0.0.1:{self.port}/{POSTGRES_DATABASE}"

    def rows_read(self, schema: str) -> int:
        """Rows that statements on ``schema``'s tables (one MongoDB database) have returned so far."""
        pattern = '%"' + schema.replace('"', "") + '".%'
        out = self.psql(
            "SELECT coalesce(sum(rows), 0) FROM pg_stat_statements WHERE query LIKE :'pattern'",
            POSTGRES_DATABASE,
            variables={"pattern": pattern},
        )
        return int(out.strip() or 0)


def _reachable_by(account: str, folder: Path) -> bool:
    """Whether ``account`` may enter ``folder`` and write there (it is made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = subprocess.run(["test", "-x", str(folder)], user=account, check=False, capture_output=True)
    return probe.returncode == 0


def _go_env(gobin: Path) -> dict[str, str]:
    return {"GOBIN": str(gobin), "GOFLAGS": "-buildvcs=false -trimpath", "CGO_ENABLED": "0"}


# All services listen below Linux's ephemeral range (32768-60999): there, any outgoing connection
# may hold the port as its own, and a health probe of a port nobody listens on yet can connect
# to itself and read its own request back (seen: "BadStatusLine: GET /realms/...").
@dataclass
class FerretDB(Service):
    name: str = "ferretdb"
    port: int = 17017
    state_dir: Path = CACHE / "run"
    debug_port: int = 17088
    postgres_url: str = field(default_factory=lambda: Postgres().url())

    @property
    def binary(self) -> Path:
        return CACHE / "bin" / f"ferretdb-{FERRETDB_VERSION}" / "ferretdb"

    def install(self) -> None:
        if self.binary.exists():
            return
        # The module zip lacks build/version/version.txt, which FerretDB's own build
        # generates from git; vendor the module and stamp the pinned version before building.
        build = CACHE / "build" / "ferretdb"
        shutil.rmtree(build, ignore_errors=True)
        shutil.copytree(TOOLS / "ferretdb", build)
        _run(["go", "mod", "vendor"], build)
        version_dir = build / "vendor" / "github.com" / "FerretDB" / "FerretDB" / "build" / "version"
        (version_dir / "version.txt").write_text(FERRETDB_VERSION + "\n")
        _run(["go", "install", "-mod=vendor", "tool"], build, _go_env(self.binary.parent))
        shutil.rmtree(build, ignore_errors=True)

    def command(self) -> list[str]:
        return [
            str(self.binary),
            "--handler=postgresql",
            f"--postgresql-url={self.postgres_url}",
            f"--state-dir={self.state_dir}",
            f"--listen-addr=127.0.0.1:{self.port}",
            f"--debug-addr=127.0.0.1:{self.debug_port}",
            "--telemetry=disable",
            "--log-level=WARN",
        ]

    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"


@dataclass
class MinIO(Service):
    name: str = "minio"
    port: int = 19000
    state_dir: Path = CACHE / "run"
    console_port: int = 19001
    data_dir: Path | None = None

    def __post_init__(self) -> None:
        self.extra_ports = (self.console_port,)
        self.env = {
            "MINIO_ROOT_USER": MINIO_USER,
            "MINIO_ROOT_PASSWORD": MINIO_PASSWORD,
            "MINIO_BROWSER": "off",
            "MINIO_UPDATE": "off",
            "MINIO_CALLHOME_ENABLE": "off",
        }

    @property
    def binary(self) -> Path:
        return CACHE / "bin" / f"minio-{MINIO_VERSION}" / "minio"

    def install(self) -> None:
        if self.binary.exists():
            return
        _run(["go", "install", "tool"], TOOLS / "minio", _go_env(self.binary.parent))

    def command(self) -> list[str]:
        data = self.data_dir or self.state_dir / "minio-data"
        data.mkdir(parents=True, exist_ok=True)
        return [
            str(self.binary),
            "server",
            str(data),
            "--address",
            f"127.0.0.1:{self.port}",
            "--console-address",
            f"127.0.0.1:{self.console_port}",
            "--quiet",
        ]

    def healthy(self) -> bool:
        return http_ok(f"{self.url()}/minio/health/ready")

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _java_major(java_home: Path) -> int:
    try:
        for line in (java_home / "release").read_text().splitlines():
            if line.startswith("JAVA_VERSION="):
                return int(line.split("=", 1)[1].strip('"').split(".")[0])
    except (OSError, ValueError):
        pass
    return 0


def find_java_home(minimum: int = KEYCLOAK_MIN_JAVA) -> Path:
    candidates = [os.environ.get("STRATA_KEYCLOAK_JAVA_HOME", ""), os.environ.get("JAVA_HOME", "")]
    candidates += [str(p) for p in sorted(Path("/usr/lib/jvm").glob("*"), reverse=True)]
    for candidate in filter(None, candidates):
        home = Path(candidate)
        if (home / "bin" / "java").exists() and _java_major(home) >= minimum:
            return home
    raise ServiceError(f"Keycloak {KEYCLOAK_VERSION} needs Java {minimum}+; set STRATA_KEYCLOAK_JAVA_HOME")


@dataclass
class Keycloak(Service):
    name: str = "keycloak"
    port: int = 18080
    state_dir: Path = CACHE / "run"
    management_port: int = 19990
    start_timeout: float = 180.0
    realm_file: Path = ROOT / "devservices" / "strata-realm.json"

    def __post_init__(self) -> None:
        self.extra_ports = (self.management_port,)

    @property
    def home(self) -> Path:
        return CACHE / f"keycloak-{KEYCLOAK_VERSION}"

    def install(self) -> None:
        if not (self.home / "bin" / "kc.sh").exists():
            downloads = CACHE / "downloads"
            archive = downloads / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
            if not archive.exists():
                _run(
                    [
                        "mvn",
                        "-B",
                        "-q",
                        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
                        f"-Dartifact=org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip",
                        f"-DoutputDirectory={downloads}",
                    ],
                    ROOT,
                )
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(CACHE)
            for script in (self.home / "bin").glob("*.sh"):
                script.chmod(0o755)
        self._import_realm()

    def _import_realm(self) -> None:
        """Place the realm for import; a changed realm file starts from a fresh database."""
        data = self.home / "data"
        digest = hashlib.sha256(self.realm_file.read_bytes()).hexdigest()
        stamp = data / "realm.sha256"
        if not stamp.exists() or stamp.read_text() != digest:
            shutil.rmtree(data, ignore_errors=True)
            (data / "import").mkdir(parents=True)
            shutil.copy(self.realm_file, data / "import" / self.realm_file.name)
            stamp.write_text(digest)

    def cwd(self) -> Path:
        return self.home

    def command(self) -> list[str]:
        self.env = {
            "JAVA_HOME": str(find_java_home()),
            "KC_BOOTSTRAP_ADMIN_USERNAME": KEYCLOAK_ADMIN,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": KEYCLOAK_ADMIN_PASSWORD,
            "JAVA_OPTS_KC_HEAP": "-Xms128m -Xmx768m",
        }
        return [
            str(self.home / "bin" / "kc.sh"),
            "start-dev",
            "--import-realm",
            "--http-host=127.0.0.1",
            f"--http-port={self.port}",
            "--health-enabled=true",
            f"--http-management-port={self.management_port}",
            "--log-level=WARN",
        ]

    def healthy(self) -> bool:
        return http_ok(f"{self.issuer()}/.well-known/openid-configuration")

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def issuer(self) -> str:
        return f"{self.url()}/realms/{REALM}"


@dataclass
class Stack:
    """The services the API needs, with the settings that point the API at them."""

    postgres: Postgres = field(default_factory=Postgres)
    ferretdb: FerretDB = field(default_factory=FerretDB)
    minio: MinIO = field(default_factory=MinIO)
    keycloak: Keycloak = field(default_factory=Keycloak)

    @property
    def services(self) -> tuple[Service, ...]:
        return (self.postgres, self.ferretdb, self.minio, self.keycloak)

    def up(self) -> list[str]:
        """Start what is not running; return the names this call started. When one fails, what
        this call started is stopped again, so a failed start leaves nothing running behind it."""
        started: list[str] = []
        try:
            for service in self.services:
                begin = time.monotonic()
                if service.start():
                    started.append(service.name)
                    print(f"devservices: {service.name} ready in {time.monotonic() - begin:.1f}s", flush=True)
        except BaseException:
            self.down(started)
            raise
        return started

    def down(self, names: Sequence[str] | None = None) -> None:
        for service in reversed(self.services):
            if names is None or service.name in names:
                service.stop()

    def status(self) -> dict[str, bool]:
        return {service.name: service.running() for service in self.services}

    def app_env(self) -> dict[str, str]:
        return {
            "STRATA_MONGODB_URL": self.ferretdb.url(),
            "STRATA_S3_ENDPOINT_URL": self.minio.url(),
            "STRATA_S3_ACCESS_KEY_ID": MINIO_USER,
            "STRATA_S3_SECRET_ACCESS_KEY": MINIO_PASSWORD,
            "STRATA_OIDC_ISSUER": self.keycloak.issuer(),
            "STRATA_OIDC_AUDIENCE": "strata-api",
        }

    def dump_env(self) -> str:
        return json.dumps(self.app_env(), indent=2)


def dev_token(username: str, keycloak: Keycloak | None = None) -> str:
    """An access token for a dev realm user (password grant on the public client ``strata-cli``)."""
    issuer = (keycloak or Keycloak()).issuer()
    body = urllib.parse.urlencode(
        {"grant_type": "password", "client_id": "strata-cli", "username": username, "password": f"{username}-pass"}
    ).encode()
    request = urllib.request.Request(f"{issuer}/protocol/openid-connect/token", data=body, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        return str(json.loads(response.read())["access_token"])
