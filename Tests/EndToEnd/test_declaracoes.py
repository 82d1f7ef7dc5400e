"""Issue 13's declaração anual de quitação (Lei 12.007/2009): the batch as an operator runs it —
killed halfway and run again it continues and issues none twice, and a second run while one holds
the lease is refused — and a kiosk customer issuing and printing last year's declaration."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time

from conftest import BIN
from test_journeys import kiosk_login
from test_service_requests import open_services_entry

TODAY = "2026-11-23"  # the servers' pinned date: the demo's data, relative to it, holds all of 2025
YEAR = 2025


def eligible(db):
    """The year's eligible properties by a query of this test's own: a bill due in the year, and
    none of them unpaid (a bill in an agreement counts only once the agreement is quitado)."""
    with sqlite3.connect(db) as c:
        return c.execute(
            """SELECT COUNT(*) FROM properties p
               WHERE EXISTS (SELECT 1 FROM bills b WHERE b.matricula = p.matricula AND substr(b.vencimento, 1, 4) = ?)
                 AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.matricula = p.matricula AND substr(b.vencimento, 1, 4) = ?
                   AND b.situacao <> 'paga')""", (str(YEAR), str(YEAR))).fetchone()[0]


def declared(db):
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT matricula, COUNT(*) FROM declaracoes WHERE ano = ? GROUP BY matricula", (YEAR,)).fetchall()
    assert all(n == 1 for _, n in rows), "one declaration per property and year"
    return len(rows)


def batch(db, *extra):
    return subprocess.Popen([str(BIN / "agencia-server"), "declaracoes", "--database", f"sqlite:{db}", "--ano", str(YEAR), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_batch_killed_halfway_continues_and_issues_none_twice(servers):
    server = servers.get(TODAY, kioskIdleSeconds=120, certidaoValidDays=91)  # a database of its own
    db = server["tmp"] / "db.sqlite"
    want = eligible(db)
    assert want > 100
    run = batch(db, "--pagina", "1")
    for line in run.stderr:  # "done/total imóveis (p %)", a line per page off a terminal
        done, total = map(int, line.split()[0].split("/"))
        if done * 2 >= total:
            run.send_signal(signal.SIGKILL)
            break
    run.wait()
    assert run.returncode == -signal.SIGKILL, "killed before it finished"
    halfway = declared(db)
    assert 0 < halfway < want, (halfway, want)

    again = batch(db)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert "continuação de uma execução interrompida" in out, out
    assert f"total de declarações de {YEAR} no banco: {want}" in out, out
    assert declared(db) == want
    issued_now = int(out.split("emitidas agora:")[1].split()[0])
    assert issued_now == want - halfway, out  # none issued twice: the rerun issued only the rest


def hold_lease(db, holder):
    """The lease as a run on this machine holds it between two pages (renewed for 2 minutes).
    Written here, not by a stopped process: one stopped inside its write transaction would hold
    SQLite's lock, and the second run would meet the lock, not the lease."""
    with sqlite3.connect(db) as c:
        c.execute("INSERT INTO batch_runs (name, holder, lease_until, cursor) VALUES (?, ?, ?, NULL) "
                  "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until",
                  (f"declaracoes-{YEAR}", holder, int(time.time()) + 120))  # the batch runs on the machine's clock


def test_a_second_run_is_refused_while_one_holds_the_lease(servers):
    server = servers.get(TODAY, kioskIdleSeconds=120, certidaoValidDays=92)
    db = server["tmp"] / "db.sqlite"
    host = socket.gethostname()
    # A live holder (this test's own process): refused, nothing issued.
    hold_lease(db, f"{host}:{os.getpid()}")
    second = batch(db)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 75, (out, err)
    assert "Outra execução está em andamento" in err and f"{host}:{os.getpid()}" in err, err
    assert declared(db) == 0
    # A holder whose process is gone on this machine (a run killed by the OOM killer, say): taken
    # over at once, without waiting out its lease.
    gone = subprocess.Popen(["true"])
    gone.wait()
    hold_lease(db, f"{host}:{gone.pid}")
    third = batch(db)
    out, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    assert declared(db) == eligible(db)


def test_kiosk_issues_and_prints_last_years_declaration(servers, terminal, tmp_path):
    server = servers.get(TODAY, kioskIdleSeconds=120)
    printed = tmp_path / "quitacao.pdf"
    config = tmp_path / "client.json"
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    t = terminal(f"--server {server['url']} --mode kiosk --config {config}", width=80, height=24)
    kiosk_login(t, "10002-1", "111.444.777-35")
    t.wait_for("F9 Serviços")
    open_services_entry(t, "quitação", "Declaração anual de quitação", "Quitação anual — imóvel 10002-1")
    t.wait_for(f"Ano: {YEAR}")
    t.keys("F2")
    screen = t.wait_for(f"Declaração anual de quitação de {YEAR} emitida")
    assert "PAGA" in screen, screen
    t.keys("F3")
    t.wait_for("Documento enviado à impressora.")
    text = " ".join(subprocess.run(["pdftotext", str(printed), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert f"Ano base: {YEAR}" in text and "Lei nº 12.007/2009" in text and "10002-1" in text, text
