"""Issue 30 through the real commands: a package exported from the demo, loaded into an empty
database by `agencia-server carga`; the same load killed with SIGKILL half-way (while checking,
then while applying) and run again completes, and its database equals that of a load that never
stopped; the same package once more changes nothing (exit code 3). On SQLite and PostgreSQL."""
import json
import os
import signal
import sqlite3
import subprocess
import urllib.parse
import uuid

import pytest

from conftest import BIN
from test_security import PG_BIN

# What a load writes, in an order that does not depend on how it got there (a payment's id is
# left out: PostgreSQL's sequences do not roll back with a killed transaction).
TABLES = {
    "properties": "SELECT * FROM properties ORDER BY matricula",
    "customers": "SELECT * FROM customers ORDER BY documento",
    "property_links": "SELECT * FROM property_links ORDER BY matricula, documento",
    "source_links": "SELECT matricula, codigo_cliente, tipo, inicio, fim, nome_na_conta FROM source_links ORDER BY 1, 2, 3, 4",
    "bills": "SELECT * FROM bills ORDER BY id",
    "payments": "SELECT matricula, bill_id, paid_on, amount_cents, channel, reference, origem_id FROM payments ORDER BY bill_id",
    "readings": "SELECT * FROM readings ORDER BY matricula, referencia, ponto",
    "search_terms": "SELECT * FROM search_terms ORDER BY kind, term, matricula",
}


def run(*args):
    return subprocess.run([str(BIN / "agencia-server"), *args], capture_output=True, text=True, timeout=600)


class Engine:
    def __init__(self, name, tmp_path):
        self.name, self.tmp = name, tmp_path
        if name == "postgres":
            base = os.environ.get("AGENCIA_TEST_POSTGRES")
            if not base:
                pytest.skip("PostgreSQL não testado: AGENCIA_TEST_POSTGRES não definido")
            self.base = urllib.parse.urlparse(base)

    def database(self, label):
        if self.name == "sqlite":
            return f"sqlite:{self.tmp / (label + '.sqlite')}"
        db = f"carga_{label}_{uuid.uuid4().hex[:8]}"
        self.psql("postgres", f"CREATE DATABASE {db}")
        return self.base._replace(path="/" + db).geturl()

    def psql(self, db, sql):
        u = self.base
        return subprocess.run([str(PG_BIN / "psql"), "-qtA", "-F", "|", "-h", u.hostname, "-p", str(u.port), "-U", u.username or "postgres",
                               db, "-c", sql], capture_output=True, text=True, check=True).stdout

    def dump(self, database):
        if self.name == "sqlite":
            with sqlite3.connect(database.removeprefix("sqlite:")) as c:
                return {t: c.execute(q).fetchall() for t, q in TABLES.items()}
        db = urllib.parse.urlparse(database).path.lstrip("/")
        return {t: self.psql(db, q).splitlines() for t, q in TABLES.items()}


@pytest.fixture(scope="module")
def package(servers, tmp_path_factory):
    server = servers.get(None)
    folder = tmp_path_factory.mktemp("pacote") / "demo"
    done = run("exportar", "--database", f"sqlite:{server['tmp'] / 'db.sqlite'}", str(folder))
    assert done.returncode == 0, done.stderr
    return folder


def killed_at(database, package, report, needle):
    """Starts a load and kills it with SIGKILL at the first progress line holding `needle`."""
    p = subprocess.Popen([str(BIN / "agencia-server"), "carga", "--database", database, "--lote", "100", "--relatorio", str(report),
                          str(package)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    seen = []
    for line in p.stderr:
        seen.append(line)
        if needle in line:
            p.send_signal(signal.SIGKILL)
            break
    p.wait(timeout=60)
    assert p.returncode == -signal.SIGKILL, f"the load ended by itself before {needle!r}: {seen[-5:]}"
    return seen


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_a_load_killed_half_way_completes_and_equals_one_that_never_stopped(engine_name, package, tmp_path):
    engine = Engine(engine_name, tmp_path)
    whole, cut = engine.database("inteira"), engine.database("cortada")

    done = run("carga", "--database", whole, "--lote", "100", "--relatorio", str(tmp_path / "inteira.json"), str(package))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Carga aplicada" in done.stdout and "imoveis.csv" in done.stdout, done.stdout
    # Not a terminal: a line per batch, for a log.
    assert done.stderr.count("aplicando contas.csv") > 10, done.stderr[-500:]

    killed_at(cut, package, tmp_path / "cortada.json", "aplicando imoveis.csv [#####")
    seen = killed_at(cut, package, tmp_path / "cortada.json", "aplicando contas.csv [########")
    # The second run went on from where the first stopped: it did not apply the customers again.
    assert not any(line.startswith("aplicando clientes.csv") for line in seen), seen[:3]
    resumed = run("carga", "--database", cut, "--lote", "100", "--relatorio", str(tmp_path / "cortada.json"), str(package))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr

    a, b = engine.dump(whole), engine.dump(cut)
    for table in TABLES:
        assert len(a[table]) > 0, table
        assert a[table] == b[table], f"{table}: {len(a[table])} linhas na carga inteira, {len(b[table])} na interrompida"
    # Its report counts the whole load, as the one that never stopped does.
    first, second = json.loads((tmp_path / "inteira.json").read_text()), json.loads((tmp_path / "cortada.json").read_text())
    assert first["arquivos"] == second["arquivos"], (first["arquivos"], second["arquivos"])
    assert first["arquivos"]["contas.csv"]["inseridos"] > 1000, first["arquivos"]

    again = run("carga", "--database", cut, str(package))
    assert again.returncode == 3 and "já foi aplicado" in again.stderr, again.stdout + again.stderr
