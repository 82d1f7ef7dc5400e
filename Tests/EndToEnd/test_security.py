"""Issue 14 against a real server process: thousands of slow connections from one address do
not starve anyone else, and the log says so (briefly); access lines name the client (the real one
behind a trusted proxy) and the terminal; a failed staff login names the user tried; a card
decision is logged once however often the company repeats it; no secret reaches the log."""
import hashlib
import hmac
import json
import resource
import signal
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, ROOT

PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))

SANDBOX_SECRET = "segredo-sandbox-e2e-seguranca"


def call(url, path, body=None, headers=None, method=None):
    """(status, headers, parsed JSON or raw bytes), 4xx and 5xx included."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            status, h, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, h, raw = e.code, e.headers, e.read()
    try:
        return status, h, json.loads(raw)
    except ValueError:
        return status, h, raw



def answers_at_once(url, within=1):
    """Health answers 20 times and a customer logs in while an attack holds connections: starved
    would be the read timeout; a loaded machine adds tens of milliseconds. `within`: well under
    the server's read timeout (a server shedding thousands of connections may take a second on
    the first answer)."""
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        status, _, body = call(url, "/v1/health")
        timings.append(time.perf_counter() - start)
        assert status == 200, body
    assert max(timings) <= within, f"health demorou {max(timings) * 1000:.0f} ms sob ataque"
    status, _, body = call(url, "/v1/sessions/customer", {"matricula": "10001-3", "documento": "111.444.777-35"})
    assert status == 201, body

def test_slow_connections_from_one_address_do_not_starve_the_server(servers):
    server = servers.get(None, maxConnectionsPerAddress=50, requestReadTimeoutSeconds=3)
    host, port = server["url"].removeprefix("http://").split(":")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 16384), hard))
    attackers = []
    try:
        # 3 000 connections from 127.0.0.2, each sending half a request and then nothing.
        for _ in range(3000):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.2", 0))
            s.settimeout(2)
            try:
                s.connect((host, int(port)))
                s.send(b"GET /v1/health HTTP/1.1\r\nHost: agencia\r\nX-Lento: ")
            except OSError:
                pass  # refused or reset at once: what the limit does
            attackers.append(s)
        # Everyone else is served at once: health, and a login.
        answers_at_once(server["url"])
        # The slow ones are closed by the server after the read timeout.
        time.sleep(3 + 1.5)
        still_open = 0
        for s in attackers:
            s.setblocking(False)
            try:
                if s.recv(1) != b"":
                    still_open += 1
            except BlockingIOError:
                still_open += 1
            except OSError:
                pass  # reset: closed
        assert still_open == 0, f"{still_open} conexões lentas continuam abertas"
    finally:
        for s in attackers:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    log = server["log"].read_text()
    lines = [l for l in log.splitlines() if "connections closed" in l]
    assert lines, "the server says it closed connections"
    assert any("last_client=127.0.0.2" in l for l in lines), lines
    assert len(lines) <= 5, f"an attack must not flood the log: {len(lines)} lines"
    over = sum(int(l.split("over_limit=")[1].split()[0].rstrip("]")) for l in lines if "over_limit=" in l)
    assert over > 0, lines


def test_a_lone_server_sheds_the_oldest_waiting_connections(servers):
    """Issue 27, finding 13: thousands of addresses each holding a few half-open connections,
    against a server with 1 024 descriptors: past its ceiling (by default four fifths of them,
    819) the oldest connections still waiting for a request are closed to make room, so health
    and a login from elsewhere answer at once, and the log says how many."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))  # the server inherits it
    try:
        server = servers.get(None, maxConnectionsPerAddress=20, requestReadTimeoutSeconds=60)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 16384), hard))
    host, port = server["url"].removeprefix("http://").split(":")
    attackers = []
    try:
        # 3 000 half-open connections from 300 addresses, ten each (under the per-address limit).
        for a in range(300):
            for _ in range(10):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind((f"127.0.{30 + a // 200}.{1 + a % 200}", 0))
                s.settimeout(2)
                try:
                    s.connect((host, int(port)))
                    s.send(b"GET /v1/health HTTP/1.1\r\nHost: agencia\r\nX-Lento: ")
                except OSError:
                    pass
                attackers.append(s)
        answers_at_once(server["url"], within=5)  # starved: the 60 s read timeout
        time.sleep(0.5)

        def is_open(s):
            s.setblocking(False)
            try:
                return s.recv(1) != b""
            except BlockingIOError:
                return True
            except OSError:
                return False
        first, last = attackers[:1000], attackers[-500:]
        assert not any(is_open(s) for s in first), "the oldest waiting connections were shed"
        assert sum(is_open(s) for s in last) >= 450, "the newest ones are kept"
        assert sum(is_open(s) for s in attackers) <= 819
    finally:
        for s in attackers:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    time.sleep(0.2)
    lines = [l for l in server["log"].read_text().splitlines() if "connections closed" in l and "shed_waiting=" in l]
    shed = sum(int(l.split("shed_waiting=")[1].split()[0].rstrip("]")) for l in lines)
    assert shed > 0, lines


def sign(reference, status, company_reference):
    message = f"{reference}:{status}:{company_reference}".encode()
    return hmac.new(SANDBOX_SECRET.encode(), message, hashlib.sha256).hexdigest()


def test_audit_grade_log_lines(servers):
    server = servers.get(None, sandboxCardCompany=0, sandboxCardCompanySecret=SANDBOX_SECRET, trustedProxies=["127.0.0.1"])
    url = server["url"]
    behind = {"X-Forwarded-For": "198.51.100.7"}
    status, _, _ = call(url, "/v1/sessions/staff", {"usuario": "Invasor", "senha": "chute-123", "modo": "counter"}, behind)
    assert status == 401
    status, _, session = call(url, "/v1/sessions/customer", {"matricula": "10001-3", "documento": "111.444.777-35"}, behind)
    assert status == 201
    token = session["token"]
    auth = {"Authorization": f"Bearer {token}", **behind}
    _, _, bills = call(url, "/v1/properties/100013/bills", headers=auth)
    bill = next(b["id"] for b in bills["items"] if b["situacao"] == "aberta")
    status, _, payment = call(url, "/v1/properties/100013/card-payments", {"companyId": "sandbox", "billIds": [bill]},
                              {**auth, "Idempotency-Key": "e2e-seguranca-cartao-1"})
    assert status == 201, payment
    status, _, _ = call(url, f"/sandbox-operadora/negotiations/{payment['companyReference']}/approve", {},
                        {"X-Api-Key": SANDBOX_SECRET})
    assert status == 200
    reference = f"AV-CP-{payment['id']}"
    for _ in range(3):  # the company repeats its decision
        status, _, _ = call(url, "/v1/card-companies/sandbox/callback",
                            {"reference": reference, "companyReference": payment["companyReference"], "status": "approved"},
                            {"X-Signature": sign(reference, "approved", payment["companyReference"])})
        assert status == 204
    time.sleep(0.3)
    log = server["log"].read_text()
    # Access lines: the real client behind the proxy, the method, the path, the status.
    assert "198.51.100.7 - POST /v1/sessions/staff 401" in log
    assert "198.51.100.7 - GET /v1/properties/100013/bills 200" in log
    refused = [l for l in log.splitlines() if "staff login refused" in l]
    assert len(refused) == 1 and "usuario=invasor" in refused[0] and "client=198.51.100.7" in refused[0], refused
    decided = [l for l in log.splitlines() if "card payment decided" in l and f"id={payment['id']}" in l]
    assert len(decided) == 1, decided
    for secret in [token, SANDBOX_SECRET, "chute-123", "111.444.777-35", "11144477735", "Maria", "MARIA"]:
        assert secret not in log, f"{secret} apareceu no log"


def start_server(database, config, port_file):
    """`database`: a SQLite file or a PostgreSQL URL."""
    port_file.unlink(missing_ok=True)
    database = database if str(database).startswith("postgres://") else f"sqlite:{database}"
    proc = subprocess.Popen([str(BIN / "agencia-server"), "serve", "--config", str(config), "--database", database,
                             "--seed", "demo", "--port", "0", "--port-file", str(port_file)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    while not port_file.exists() or not port_file.read_text().strip():
        assert proc.poll() is None and time.time() < deadline, "servidor não iniciou"
        time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port_file.read_text().strip()}"


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """A new database of each engine; PostgreSQL in a cluster of its own (under /tmp itself:
    the cluster belongs to the `postgres` user, who cannot enter pytest's private folders)."""
    if request.param == "sqlite":
        yield tmp_path / "db.sqlite"
        return
    pg_dir = Path(tempfile.mkdtemp(prefix="agencia-pg-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        pg_port = s.getsockname()[1]
    url = subprocess.run([str(ROOT / "scripts" / "postgres"), "start", str(pg_dir), str(pg_port)],
                         capture_output=True, text=True, check=True).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([str(ROOT / "scripts" / "postgres"), "stop", str(pg_dir)])
        shutil.rmtree(pg_dir, ignore_errors=True)


def test_acknowledged_statements_survive_kill_9(tmp_path, database):
    """Every statement the server acknowledged (201) during a burst is there after SIGKILL and a
    restart, and the database is intact (SQLite's integrity check; PostgreSQL's amcheck over
    every table and index). Issue 14 on SQLite, issue 15 on PostgreSQL."""
    config = tmp_path / "server.json"
    config.write_text(json.dumps({"server": {"documentRequestsPerHour": 1000000, "logLevel": "error"}}))
    port_file = tmp_path / "port"
    proc, url = start_server(database, config, port_file)
    # Ana Luíza's overdue bills: each selection of them is a statement of its own.
    _, _, session = call(url, "/v1/sessions/customer", {"matricula": "10007-2", "documento": "390.533.447-05"})
    auth = {"Authorization": f"Bearer {session['token']}"}
    _, _, bills = call(url, "/v1/properties/100072/bills", headers=auth)
    open_bills = [b["id"] for b in bills["items"] if b["situacao"] == "aberta"]
    selections = [[b for i, b in enumerate(open_bills) if mask >> i & 1] for mask in range(1, 1 << len(open_bills))]
    assert len(selections) >= 255
    acknowledged, stop = [], threading.Event()

    def burst(worker):
        for n, selection in enumerate(selections[worker::6]):
            if stop.is_set():
                return
            try:
                status, _, body = call(url, "/v1/properties/100072/statements", {"billIds": selection},
                                       {**auth, "Idempotency-Key": f"kill9-{worker}-{n:06d}"})
            except OSError:
                return  # the server is gone
            if status == 201:
                acknowledged.append(body["id"])

    threads = [threading.Thread(target=burst, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    while len(acknowledged) < 60 and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # mid-burst
    proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    assert len(acknowledged) >= 60, len(acknowledged)
    proc, url = start_server(database, config, port_file)
    try:
        _, _, session = call(url, "/v1/sessions/customer", {"matricula": "10007-2", "documento": "390.533.447-05"})
        auth = {"Authorization": f"Bearer {session['token']}"}
        missing = [i for i in acknowledged if call(url, f"/v1/properties/100072/statements/{i}", headers=auth)[0] != 200]
        assert not missing, f"{len(missing)} de {len(acknowledged)} extratos confirmados sumiram"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    if isinstance(database, Path):
        with sqlite3.connect(database) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    else:
        u = urllib.parse.urlparse(database)
        check = subprocess.run([str(PG_BIN / "pg_amcheck"), "--install-missing", "--heapallindexed", "-h", u.hostname,
                                "-p", str(u.port), "-U", "postgres", u.path.lstrip("/")], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
