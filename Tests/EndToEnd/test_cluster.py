"""Issue 15: two instances behind HAProxy (`scripts/cluster`), one of them killed (SIGKILL) under
load. Reads go on without an error (the balancer sends a GET whose instance died to the other
one); a client that retries a statement with its Idempotency-Key after an error gets the same
statement, so every statement acknowledged is there once, and none is made twice."""
import http.client
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from conftest import BIN, ROOT
from test_security import PG_BIN, answers_at_once, call


def free_ports(n):
    """A base port with the n ports after it free (the balancer, then one per instance)."""
    for _ in range(50):
        base = random.randint(20000, 40000)
        try:
            socks = []
            for p in range(base, base + n + 1):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("sem portas livres")


def cluster_env(instances, **extra):
    """A folder, free ports and the environment for `scripts/cluster` with `instances` instances."""
    cluster_dir = Path(tempfile.mkdtemp(prefix="agencia-cluster-"))
    port = free_ports(instances)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        pg_port = s.getsockname()[1]
    env = {**os.environ, "CLUSTER_DIR": str(cluster_dir), "CLUSTER_PORT": str(port), "CLUSTER_PG_PORT": str(pg_port),
           "AGENCIA_SERVER": str(BIN / "agencia-server"), "CLUSTER_LOG_LEVEL": "error", **extra}
    return cluster_dir, port, env


def test_instance_killed_behind_the_balancer():
    cluster_dir, port, env = cluster_env(
        2, CLUSTER_SERVER_OPTIONS='"maxLoginsPerAddress": 10000, "documentRequestsPerHour": 1000000')
    cluster = str(ROOT / "scripts" / "cluster")
    try:
        url = subprocess.run([cluster, "start", "2"], env=env, capture_output=True, text=True, check=True).stdout.strip()
        assert url == f"http://127.0.0.1:{port}"
        _, _, session = call(url, "/v1/sessions/customer", {"matricula": "10007-2", "documento": "390.533.447-05"})
        auth = {"Authorization": f"Bearer {session['token']}"}
        _, _, bills = call(url, "/v1/properties/100072/bills", headers=auth)
        open_bills = [b["id"] for b in bills["items"] if b["situacao"] == "aberta"]
        selections = [[b for i, b in enumerate(open_bills) if mask >> i & 1] for mask in range(1, 1 << len(open_bills))]
        stop = threading.Event()
        reads, read_errors, cut, acknowledged, retried, write_errors = [], [], [], {}, [], []

        def reader():
            while not stop.is_set():
                try:
                    status, _, body = call(url, "/v1/properties/100072/bills", headers=auth)
                except http.client.IncompleteRead as e:
                    # The instance died while sending this answer: no balancer can replay half an
                    # answer; the client reads again (as the terminal does) and it must succeed.
                    cut.append(repr(e))
                    continue
                except (OSError, http.client.HTTPException) as e:
                    read_errors.append(repr(e))
                    continue
                (reads if status == 200 and body["items"] else read_errors).append(status)

        def writer(worker):
            for n, selection in enumerate(selections[worker::3]):
                if stop.is_set():
                    return
                key = f"cluster-{worker}-{n:05d}"
                answers = []
                for attempt in range(30):  # what the terminal does: the same key until answered
                    try:
                        status, _, body = call(url, "/v1/properties/100072/statements", {"billIds": selection},
                                               {**auth, "Idempotency-Key": key})
                    except (OSError, http.client.HTTPException) as e:
                        # An answer cut by the instance's death (IncompleteRead): unknown, asked again.
                        status, body = repr(e), None
                    answers.append(status)
                    if status == 201:
                        acknowledged[key] = body["id"]
                        if attempt:
                            retried.append(key)
                        break
                    time.sleep(0.1)
                else:
                    write_errors.append((key, answers))
                    return

        threads = [threading.Thread(target=reader) for _ in range(4)] + [threading.Thread(target=writer, args=(w,)) for w in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        before = len(reads)
        subprocess.run([cluster, "kill", "1"], env=env, check=True)
        time.sleep(4)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        print(f"leituras {len(reads)} ({before} antes da queda, {len(cut)} cortadas pela queda e lidas de novo), "
              f"extratos {len(acknowledged)}, repetidos após erro {len(retried)}")
        assert before > 20 and len(reads) - before > 100, (before, len(reads))
        assert not read_errors, f"{len(read_errors)} leituras falharam: {read_errors[:5]}"
        assert len(cut) <= 4, f"respostas cortadas além das que estavam em curso na queda (4 leitores): {cut}"
        assert not write_errors, write_errors
        # Every statement acknowledged is there (through the surviving instance), once per key.
        assert len(acknowledged) > 20, len(acknowledged)
        missing = [i for i in acknowledged.values() if call(url, f"/v1/properties/100072/statements/{i}", headers=auth)[0] != 200]
        assert not missing, missing
        u = urllib.parse.urlparse(f"postgres://postgres@127.0.0.1:{env['CLUSTER_PG_PORT']}/agencia_test")
        made = subprocess.run([str(PG_BIN / "psql"), "-qtA", "-h", u.hostname, "-p", str(u.port), "-U", "postgres", "agencia_test",
                               "-c", "SELECT COUNT(*) FROM statements WHERE matricula = '100072'"],
                              capture_output=True, text=True, check=True).stdout.strip()
        assert int(made) == len(acknowledged), f"{made} extratos gravados para {len(acknowledged)} chaves confirmadas"
        status = subprocess.run([cluster, "status"], env=env, capture_output=True, text=True).stdout
        assert "instância 1: porta" in status and "parada" in status, status
    finally:
        subprocess.run([cluster, "stop"], env=env)
        shutil.rmtree(cluster_dir, ignore_errors=True)


def test_slow_connections_from_many_addresses_wait_at_the_balancer():
    """Issue 27, finding 13: thousands of addresses each holding a few half-open connections.
    Through HAProxy (`scripts/cluster`'s configuration) the instances never see them: health and a
    login from elsewhere answer at once, one address holding more than its share is refused at
    the door, and every slow connection is closed when its time to send a request is up."""
    import resource

    cluster_dir, port, env = cluster_env(
        1, CLUSTER_REQUEST_TIMEOUT="4s", CLUSTER_CONN_PER_SOURCE="8",
        CLUSTER_SERVER_OPTIONS='"maxLoginsPerAddress": 10000, "maxConnectionsPerAddress": 64')
    cluster = str(ROOT / "scripts" / "cluster")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    attackers = []
    try:
        url = subprocess.run([cluster, "start", "1"], env=env, capture_output=True, text=True, check=True).stdout.strip()
        # 6 000 half-open connections: 1 200 addresses (127.0.10.x – 127.0.14.x) holding five each,
        # more than the instance's 4 096 descriptors could take alone.
        for a in range(1200):
            source = f"127.0.{10 + a // 250}.{1 + a % 250}"
            for _ in range(5):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind((source, 0))
                s.settimeout(2)
                try:
                    s.connect(("127.0.0.1", port))
                    s.send(b"GET /v1/health HTTP/1.1\r\nHost: agencia\r\nX-Lento: ")
                except OSError:
                    pass
                attackers.append(s)
        # Everyone else is served at once.
        answers_at_once(url)
        # One address holding more than its share (8) is refused at the door.
        greedy, refused = [], 0
        for _ in range(20):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.20.1", 0))
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", port))
                s.send(b"GET /v1/health HTTP/1.1\r\nHost: agencia\r\nX-Lento: ")
                time.sleep(0.01)
                s.setblocking(False)
                if s.recv(1) == b"":
                    refused += 1
            except BlockingIOError:
                pass
            except OSError:
                refused += 1
            greedy.append(s)
        attackers += greedy
        assert refused >= 12, f"só {refused} de 20 recusadas acima de 8 por endereço"
        # After the request timeout the balancer has closed every slow connection (408, then EOF).
        time.sleep(4 + 2)
        still_open = 0
        for s in attackers:
            s.setblocking(False)
            try:
                while True:
                    chunk = s.recv(4096)
                    if chunk == b"":
                        break
            except BlockingIOError:
                still_open += 1
            except OSError:
                pass
        assert still_open == 0, f"{still_open} conexões lentas continuam abertas"
        status, _, _ = call(url, "/v1/health")
        assert status == 200
    finally:
        for s in attackers:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        subprocess.run([cluster, "stop"], env=env, capture_output=True, text=True)
        shutil.rmtree(cluster_dir, ignore_errors=True)
