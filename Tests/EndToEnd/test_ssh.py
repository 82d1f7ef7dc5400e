"""Staff over SSH (issue 11): a real `sshd` on loopback with the README's `Match`/`ForceCommand`
block; an SSH login lands in `agencia --mode staff` whatever command the client asks for, and a
dropped connection ends the staff session on the server."""
import getpass
import os
import socket
import sqlite3
import subprocess
import time

from conftest import BIN, Screen

SSHD = "/usr/sbin/sshd"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def staff_sessions(db, usuario):
    """(live, ended) staff sessions of `usuario`, read from the server's own database."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        rows = c.execute("SELECT revoked_at FROM sessions WHERE kind = 'staff' AND staff_usuario = ?", (usuario,)).fetchall()
    return sum(1 for r in rows if r[0] is None), sum(1 for r in rows if r[0] is not None)


def start_sshd(tmp, url):
    """sshd on a free loopback port, keys of its own; the user running the tests is the staff login."""
    user = getpass.getuser()
    port = free_port()
    for key in ("host_ed25519", "id_ed25519"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / key)], check=True)
    (tmp / "authorized_keys").write_text((tmp / "id_ed25519.pub").read_text())
    os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation directory
    # The README's block, with this test's paths.
    (tmp / "sshd_config").write_text(f"""
Port {port}
ListenAddress 127.0.0.1
HostKey {tmp / 'host_ed25519'}
PidFile {tmp / 'sshd.pid'}
AuthorizedKeysFile {tmp / 'authorized_keys'}
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
ClientAliveInterval 5
ClientAliveCountMax 2

Match User {user}
    ForceCommand {BIN / 'agencia'} --server {url} --mode staff
    SetEnv LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=America/Sao_Paulo
    PermitTTY yes
    AllowTcpForwarding no
    AllowAgentForwarding no
    X11Forwarding no
""")
    check = subprocess.run([SSHD, "-t", "-f", str(tmp / "sshd_config")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    log = open(tmp / "sshd.log", "w")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(tmp / "sshd_config")], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert proc.poll() is None and time.time() < deadline, (tmp / "sshd.log").read_text()
            time.sleep(0.05)
    return proc, port, user


def test_ssh_login_lands_in_the_queue_and_a_dropped_connection_logs_out(servers, tmp_path):
    server = servers.get(None, staffSessionSeconds=7200)  # a server of its own: its sessions are this test's
    db = server["tmp"] / "db.sqlite"
    sshd, port, user = start_sshd(tmp_path, server["url"])
    ssh = None
    try:
        # The client asks for a shell command; ForceCommand runs the terminal instead.
        command = (f"ssh -tt -p {port} -i {tmp_path / 'id_ed25519'} -o StrictHostKeyChecking=no "
                   f"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR {user}@127.0.0.1 echo ESCAPOU")
        ssh = Screen(command, width=80, height=24)
        ssh.wait_for("Usuário:")
        ssh.type("diego")
        ssh.keys("Enter")
        ssh.type("comercial123")
        ssh.keys("Enter")
        screen = ssh.wait_for("Fila — Comercial")
        assert "ESCAPOU" not in screen, screen
        assert staff_sessions(db, "diego") == (1, 0), "one live session on the server"

        # The connection drops (the client is killed, as when a laptop's network goes away).
        subprocess.run(["pkill", "-KILL", "-f", f"ssh -tt -p {port} "], check=True)
        deadline = time.time() + 20
        while time.time() < deadline and staff_sessions(db, "diego") != (0, 1):
            time.sleep(0.1)
        assert staff_sessions(db, "diego") == (0, 1), "the session ended on the server"
        deadline = time.time() + 10
        gone = lambda: subprocess.run(["pgrep", "-f", f"agencia --server {server['url']} --mode staff"],
                                      capture_output=True).returncode != 0
        while time.time() < deadline and not gone():
            time.sleep(0.1)
        assert gone(), "no agencia left behind on the SSH host"
    finally:
        if ssh:
            ssh.close()
        sshd.terminate()
        sshd.wait(timeout=10)
