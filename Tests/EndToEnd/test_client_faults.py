"""Issue 15, faults seen from the terminal: the server (here a proxy in front of a real one)
answers the login with bytes that are not HTTP, stops in the middle of the body, or closes the
connection without answering. Each time the kiosk says so in Portuguese, does not crash, and the
customer can give up with Esc or try again — and gets in once the server behaves."""
import socket
import socketserver
import subprocess
import threading
import time

import pytest

from conftest import BIN
from test_journeys import kiosk_login


class MisbehavingProxy(socketserver.ThreadingTCPServer):
    """Relays every request to `upstream`, except the customer login while `mode` is not "pass"."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream):
        self.upstream = upstream
        self.mode = "pass"
        self.logins_seen = 0
        super().__init__(("127.0.0.1", 0), ProxyHandler)


class ProxyHandler(socketserver.StreamRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            head += chunk
        head, _, body = head.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        length = next((int(l.split(b":", 1)[1]) for l in lines if l.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            body += self.request.recv(65536)
        server = self.server
        if lines[0].startswith(b"POST /v1/sessions/customer") and server.mode != "pass":
            server.logins_seen += 1
            if server.mode == "garbage":
                self.request.sendall(b"\x16\x03\x01\x02\x00 isto nao e HTTP\r\n\r\n")
            elif server.mode == "stall":
                self.request.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
                                     b'{"token":"abc')
                time.sleep(20)
            return  # "close": nothing at all
        # Relayed on a connection of its own, closed after the answer.
        lines = [l for l in lines if not l.lower().startswith((b"connection:", b"keep-alive:"))] + [b"Connection: close"]
        with socket.create_connection(server.upstream) as up:
            up.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
            while data := up.recv(65536):
                self.request.sendall(data)


@pytest.fixture
def proxy(server):
    host, port = server["url"].removeprefix("http://").split(":")
    p = MisbehavingProxy((host, int(port)))
    threading.Thread(target=p.serve_forever, daemon=True).start()
    yield p
    p.shutdown()
    p.server_close()


def test_kiosk_survives_a_misbehaving_server(proxy, terminal, tmp_path):
    config = tmp_path / "client.json"
    config.write_text('{"client": {"connectTimeoutSeconds": 2, "requestTimeoutSeconds": 4}}')
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    t = terminal(f"--server {url} --mode kiosk --config {config}")

    def alive():
        return subprocess.run(["pgrep", "-f", f"agencia --server {url}"], capture_output=True).returncode == 0

    # Bytes that are not HTTP.
    proxy.mode = "garbage"
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("A resposta do servidor chegou incompleta ou ilegível", timeout=15)
    assert alive()
    # An answer that stops in the middle of its body: Esc gives up at once...
    proxy.mode = "stall"
    t.keys("Enter")  # the form keeps what was typed: Enter tries again
    t.wait_for("[ Entrando… ]")
    t.keys("Escape")
    t.wait_for("[ Entrar ]", timeout=3)
    assert alive()
    # ...and without Esc the request's time limit ends the wait.
    t.keys("Enter")
    screen = t.wait_for("O servidor não respondeu a tempo", timeout=15)
    assert "[ Entrar ]" in screen and alive()
    # The connection closed with no answer.
    proxy.mode = "close"
    t.keys("Enter")
    t.wait_for("Servidor indisponível", timeout=15)
    assert alive()
    assert proxy.logins_seen == 4
    # The server behaves again: the same form gets in.
    proxy.mode = "pass"
    t.keys("Enter")
    t.wait_for("DÉBITOS EM ABERTO")
