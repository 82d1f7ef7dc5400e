"""Issue 15, faults: PostgreSQL restarted under a running server. While it is down every request
is answered — 503 `database_unavailable` with the common error body, within seconds, never left
hanging — and once it is back the server reconnects by itself. And the demo backend, a child of
`agencia`, never outlives it."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import BIN, ROOT, TMUX
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


def _pane_children(t):
    """The processes under the tmux pane's shell: `agencia`, then what it started."""
    shell = subprocess.run(TMUX + ["list-panes", "-t", t.name, "-F", "#{pane_pid}"], capture_output=True, text=True).stdout.split()[0]

    def children(pid):
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        return [int(p) for p in out]

    client = next(p for p in children(shell) if Path(f"/proc/{p}/exe").resolve().name == "agencia")
    return client, [p for p in children(client) if Path(f"/proc/{p}/exe").resolve().name == "agencia-server"]


def _gone(pid, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not Path(f"/proc/{pid}").exists() or "(Z)" in Path(f"/proc/{pid}/stat").read_text():
            return True
        time.sleep(0.05)
    return False


def test_demo_backend_is_a_child_that_ends_with_the_client(terminal):
    """The demo backend is the `agencia-server` beside `agencia`, a child process (DECISIONS 73):
    closing the program stops it and removes the demo's folder; killing the program leaves no
    server behind either."""
    t = terminal("--demo --mode counter", width=80, height=24)
    t.wait_for("Usuário:", timeout=60)
    client, servers = _pane_children(t)
    assert len(servers) == 1, "one demo server, started by agencia"
    folder = Path(tempfile.gettempdir()) / f"agencia-demo-{client}"
    assert (folder / "server.json").exists()
    t.keys("F10")
    assert _gone(servers[0], 10), "closing agencia stops the demo server"
    assert _gone(client, 10)
    assert not folder.exists(), "and removes its folder"

    k = terminal("--demo --mode kiosk", width=80, height=24)
    k.wait_for("Matrícula:", timeout=60)
    client, servers = _pane_children(k)
    assert len(servers) == 1
    os.kill(client, signal.SIGKILL)
    assert _gone(servers[0], 5), "a killed agencia leaves no demo server running"
    shutil.rmtree(Path(tempfile.gettempdir()) / f"agencia-demo-{client}", ignore_errors=True)
