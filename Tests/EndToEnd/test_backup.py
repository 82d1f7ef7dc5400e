"""Issue 29 through the real commands: `agencia-server backup` beside a running server (the
summary line, the folder, the server's metric), `restore --verificar`, a restore into a new
SQLite file that a second server then serves, and the refusals with their exit code 2."""
import json
import re
import subprocess
import time
import urllib.request

from conftest import BIN


def run(*args):
    return subprocess.run([str(BIN / "agencia-server"), *args], capture_output=True, text=True, timeout=120)


def test_backup_beside_a_running_server_restores_and_refuses_what_it_must(servers, tmp_path):
    server = servers.get(None)
    db = f"sqlite:{server['tmp'] / 'db.sqlite'}"
    dest = tmp_path / "backups"
    done = run("backup", "--database", db, str(dest))
    assert done.returncode == 0, done.stderr
    assert re.match(r"backup ok: .*agencia-\d{8}T\d{6}Z — sqlite, esquema \d+, \d+ tabelas, \d+ linhas", done.stdout), done.stdout
    [folder] = list(dest.iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["motor"] == "sqlite" and manifest["tabelas"]["properties"] >= 8, manifest
    assert oct(folder.stat().st_mode & 0o777) == "0o700", "a backup holds CPFs: the server's user only"

    # The running server reports the backup's age (its chores look every few seconds).
    deadline = time.time() + 30
    while True:
        metrics = urllib.request.urlopen(server["url"] + "/metrics", timeout=10).read().decode()
        age = re.search(r"^agencia_backup_age_seconds (\S+)$", metrics, re.M)
        if age and age.group(1) != "+Inf" and float(age.group(1)) < 120:
            break
        assert time.time() < deadline, metrics
        time.sleep(0.5)

    # A database that is not there is not created to be backed up.
    missing = run("backup", "--database", f"sqlite:{tmp_path / 'nao-existe.sqlite'}", str(dest))
    assert missing.returncode == 2 and "não encontrado" in missing.stderr, missing.stderr
    assert not (tmp_path / "nao-existe.sqlite").exists()

    checked = run("restore", "--verificar", str(folder))
    assert checked.returncode == 0 and "nada gravado" in checked.stdout, checked.stdout + checked.stderr

    target = tmp_path / "restaurado.sqlite"
    restored = run("restore", "--database", f"sqlite:{target}", str(folder))
    assert restored.returncode == 0 and restored.stdout.startswith("restaurado: sqlite"), restored.stdout + restored.stderr
    again = run("restore", "--database", f"sqlite:{target}", str(folder))
    assert again.returncode == 2 and "não está vazio" in again.stderr, again.stdout + again.stderr

    # A cut copy: refused before anything is written.
    data = folder / manifest["arquivo"]
    data.write_bytes(data.read_bytes()[: manifest["bytes"] // 2])
    cut = run("restore", "--database", f"sqlite:{tmp_path / 'outro.sqlite'}", str(folder))
    assert cut.returncode == 2 and "cortado ou alterado" in cut.stderr, cut.stderr
    assert not (tmp_path / "outro.sqlite").exists()

    # The restored database serves: a customer of the demo logs in on it.
    port_file = tmp_path / "port"
    proc = subprocess.Popen([str(BIN / "agencia-server"), "serve", "--database", f"sqlite:{target}", "--port", "0",
                             "--port-file", str(port_file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert proc.poll() is None and time.time() < deadline
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text().strip()}"
        body = json.dumps({"matricula": "10001-3", "documento": "111.444.777-35"}).encode()
        req = urllib.request.Request(url + "/v1/sessions/customer", data=body, headers={"Content-Type": "application/json"})
        assert urllib.request.urlopen(req, timeout=10).status == 201
    finally:
        proc.terminate()
        proc.wait(timeout=10)
