"""Issue 14 against a real server process: thousands of slow connections from one address do
not starve anyone else, and the log says so (briefly); access lines name the client (the real one
behind a trusted proxy) and the terminal; a failed staff login names the user tried; a card
decision is logged once however often the company repeats it; no secret reaches the log."""
import hashlib
import hmac
import json
import resource
import socket
import time
import urllib.error
import urllib.request

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
        timings = []
        for _ in range(20):
            start = time.perf_counter()
            status, _, body = call(server["url"], "/v1/health")
            timings.append(time.perf_counter() - start)
            assert status == 200, body
        assert max(timings) <= 0.1, f"health demorou {max(timings) * 1000:.0f} ms sob ataque"
        status, _, body = call(server["url"], "/v1/sessions/customer", {"matricula": "10001-3", "documento": "111.444.777-35"})
        assert status == 201, body
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
