"""Issue 15, faults: PostgreSQL restarted under a running server. While it is down every request
is answered — 503 `database_unavailable` with the common error body, within seconds, never left
hanging — and once it is back the server reconnects by itself."""
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import BIN, ROOT
from test_security import call


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_postgres_restarted_under_a_running_server(tmp_path):
    # Under /tmp itself: the cluster belongs to the `postgres` user, who cannot enter pytest's
    # private temporary folders.
    pg_dir, pg_port = Path(tempfile.mkdtemp(prefix="agencia-pg-")), free_port()
    url = subprocess.run([str(ROOT / "scripts" / "postgres"), "start", str(pg_dir), str(pg_port)],
                         capture_output=True, text=True, check=True).stdout.strip()
    port_file = tmp_path / "port"
    server = subprocess.Popen([str(BIN / "agencia-server"), "serve", "--database", url, "--seed", "demo", "--port", "0",
                               "--port-file", str(port_file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        while not port_file.exists() or not port_file.read_text().strip():
            assert server.poll() is None and time.time() < deadline, "servidor não iniciou"
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port_file.read_text().strip()}"
        login = {"matricula": "10001-3", "documento": "111.444.777-35"}
        assert call(base, "/v1/sessions/customer", login)[0] == 201
        subprocess.run([str(ROOT / "scripts" / "postgres"), "stop", str(pg_dir)], check=True)
        for _ in range(4):
            start = time.perf_counter()
            status, _, body = call(base, "/v1/sessions/customer", login)
            elapsed = time.perf_counter() - start
            assert status == 503 and body["error"]["code"] == "database_unavailable", (status, body)
            assert body["error"]["message"].startswith("O sistema está sem acesso ao banco de dados"), body
            assert elapsed < 6, f"{elapsed:.1f} s sem resposta"
            status, _, body = call(base, "/v1/health")
            assert status == 503, body
        subprocess.run([str(ROOT / "scripts" / "postgres"), "resume", str(pg_dir), str(pg_port)], check=True)
        deadline = time.time() + 60
        while call(base, "/v1/sessions/customer", login)[0] != 201:
            assert time.time() < deadline, "o servidor não voltou a falar com o PostgreSQL"
            time.sleep(0.5)
        assert call(base, "/v1/health")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        subprocess.run([str(ROOT / "scripts" / "postgres"), "stop", str(pg_dir)])
        shutil.rmtree(pg_dir, ignore_errors=True)
