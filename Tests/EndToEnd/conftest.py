"""End-to-end harness: the real `agencia-server` on loopback and the real `agencia` in tmux.

Nothing here sleeps a fixed time: every step waits until the screen shows what a person would
look for (lazygit's "robot pretending to be a human").
"""
import email
import email.policy
import json
import mailbox
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".build" / "debug"
# A tmux server of our own; an anchor session keeps it alive between tests (a server whose last
# session was killed exits, and a new-session racing with that exit fails).
# One tmux server per run, and one prefix for its servers' folders: two runs on one machine (a CI
# run beside a developer's) never share them, and `scripts/test` stops only its own
# (AGENCIA_E2E_RUN; this process's id when run by hand).
RUN = os.environ.get("AGENCIA_E2E_RUN", str(os.getpid()))
TMUX = ["tmux", "-L", f"agencia-e2e-{RUN}"]


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def styled_line(raw, attrs=None):
    """Splits one captured line into runs of (text, SGR parameters in force). `attrs`: those in
    force where the line starts (tmux carries them over from the line before); updated in place."""
    runs, pos = [], 0
    attrs = set() if attrs is None else attrs
    for m in SGR.finditer(raw):
        if m.start() > pos:
            runs.append((raw[pos:m.start()], frozenset(attrs)))
        for p in (m.group(1) or "0").split(";"):
            if p == "0":
                attrs.clear()
            elif p in ("39", "49"):  # back to the default colour: no colour
                attrs -= {a for a in attrs if a[0] in "34" and len(a) == 2 and a[0] == p[0]}
            else:
                attrs.add(p)
        pos = m.end()
    if pos < len(raw):
        runs.append((raw[pos:], frozenset(attrs)))
    return runs


def attributes_of(styled_screen, needle):
    """The attributes of the run holding `needle` (first occurrence on the screen)."""
    for runs in styled_screen:
        for text, attrs in runs:
            if needle in text:
                return attrs
    raise AssertionError(f"'{needle}' não está na tela")


@pytest.fixture(scope="session", autouse=True)
def tmux_server():
    subprocess.run(TMUX + ["new-session", "-d", "-s", "anchor", "sleep 3600"], check=True)
    yield
    subprocess.run(TMUX + ["kill-server"], capture_output=True)


def has_background(attrs):
    """Whether SGR parameters paint the cell's background: reverse, or a background colour."""
    return any(a == "7" or a == "48" or (len(a) == 2 and a[0] == "4") or (len(a) == 3 and a[:2] == "10") for a in attrs)


class Screen:
    """A terminal in tmux. Every time a test finds what it waited for, the terminal's own cursor
    is checked too (issue 32: a screen reader follows it): shown, off the function bar, and on
    what has the focus — a field or a selected row (a painted background) or the first letter of
    a line of text (a title, a document). `check_cursor=False` for a terminal that is not ours."""

    def __init__(self, command, width=100, height=30, env=None, check_cursor=True):
        self.check_cursor = check_cursor
        self.cursor_checks = 0
        self.name = f"e2e-{uuid.uuid4().hex[:8]}"
        full_env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "America/Sao_Paulo"}
        full_env.update(env or {})
        exports = " ".join(f"{k}={v}" for k, v in full_env.items())
        cmd = TMUX + ["new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                      f"env {exports} {command}; sleep 600"]
        if subprocess.run(cmd).returncode != 0:
            time.sleep(0.2)
            subprocess.run(cmd, check=True)

    def text(self):
        return subprocess.run(TMUX + ["capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def styled(self):
        """The screen as [(line, [(text, attributes)])], attributes being the SGR parameters in
        force (e.g. {"1", "7"} or {"30", "46"}) as tmux reports them (`capture-pane -e`)."""
        raw = subprocess.run(TMUX + ["capture-pane", "-e", "-N", "-p", "-t", self.name], capture_output=True, text=True).stdout
        attrs = set()
        return [styled_line(l, attrs) for l in raw.splitlines()]

    def wait_for(self, needle, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.text()
            if needle in t:
                self.assert_cursor_on_focus()
                return t
            time.sleep(0.05)
        raise AssertionError(f"'{needle}' não apareceu na tela:\n{self.text()}")

    def cursor(self):
        """(column, row, shown, the program in the pane) as tmux has them."""
        out = subprocess.run(TMUX + ["display", "-p", "-t", self.name,
                                     "#{cursor_x} #{cursor_y} #{cursor_flag} #{pane_current_command}"],
                             capture_output=True, text=True).stdout.split()
        return int(out[0]), int(out[1]), out[2] == "1", out[3] if len(out) > 3 else ""

    def cursor_problem(self):
        """Why the cursor is not on the focus, or None (also None when our program is not running)."""
        x, y, shown, program = self.cursor()
        if program not in ("agencia", "ssh"):
            return None
        lines = self.styled()
        if not shown:
            return "o cursor está escondido"
        if y >= len(lines) - 2:
            return f"o cursor está na barra de funções ({x}, {y})"
        column, text, attrs_at = 0, "".join(t for t, _ in lines[y]), None
        for t, attrs in lines[y]:
            if column <= x < column + len(t):
                attrs_at = attrs
            column += len(t)
        if attrs_at is not None and has_background(attrs_at):
            return None
        if x < len(text) and not text[x].isspace() and (x == 0 or text[x - 1].isspace()):
            return None
        return f"o cursor ({x}, {y}) não está num campo, numa linha selecionada nem no início de um texto: {text!r}"

    def assert_cursor_on_focus(self, timeout=2):
        """The frame just found may still be being written: the cursor gets a moment to settle."""
        if not self.check_cursor:
            return
        deadline = time.time() + timeout
        while True:
            problem = self.cursor_problem()
            if problem is None:
                self.cursor_checks += 1
                return
            if time.time() > deadline:
                raise AssertionError(problem + "\n" + self.text())
            time.sleep(0.05)

    def wait_gone(self, needle, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.text()
            if needle not in t:
                return t
            time.sleep(0.05)
        raise AssertionError(f"'{needle}' continua na tela:\n{self.text()}")

    def keys(self, *keys):
        subprocess.run(TMUX + ["send-keys", "-t", self.name, *keys], check=True)

    def type(self, text):
        subprocess.run(TMUX + ["send-keys", "-t", self.name, "-l", text], check=True)

    def close(self):
        subprocess.run(TMUX + ["kill-session", "-t", self.name], capture_output=True)


# The dates the date-sensitive journeys run on besides today: month ends (30 and 31 days, a
# Sunday the 29th), February of a common and of a leap year, the turn of the year.
PINNED_DATES = ["2027-01-31", "2027-02-28", "2028-02-29", "2027-04-30", "2026-11-29", "2026-11-30", "2026-10-31",
                "2026-12-31"]


class Servers:
    """Real agencia-server processes with demo data on random loopback ports, one per date
    (`None`: the machine's today), started when first asked for; short kiosk idle time."""

    def __init__(self):
        self.started = {}

    def get(self, today=None, **extra):
        """`extra`: more server configuration (a server of its own)."""
        key = (today, json.dumps(extra, sort_keys=True))
        if key not in self.started:
            self.started[key] = self._start(today, extra)
        return self.started[key]

    def _start(self, today, extra):
        tmp = Path(tempfile.mkdtemp(prefix=f"agencia-e2e-{RUN}-"))
        config = tmp / "server.json"
        config.write_text(json.dumps({"server": {"kioskIdleSeconds": 4, "kioskWarningSeconds": 3, "logLevel": "info",
                                                 # every journey logs in from this one address
                                                 "maxLoginsPerAddress": 10000, **extra}}))
        port_file = tmp / "port"
        log = open(tmp / "server.log", "w")
        args = [str(BIN / "agencia-server"), "serve", "--config", str(config), "--database", f"sqlite:{tmp / 'db.sqlite'}",
                "--seed", "demo", "--port", "0", "--demo-hints", "--port-file", str(port_file)]
        if today:
            args += ["--demo-today", today]
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            assert proc.poll() is None, (tmp / "server.log").read_text()
            assert time.time() < deadline, "servidor não iniciou"
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text().strip()}"
        return {"url": url, "log": tmp / "server.log", "today": today, "proc": proc, "tmp": tmp}

    def stop(self):
        # Every client must have ended with its terminal (SIGHUP): none may linger or spin.
        for s in self.started.values():
            deadline = time.time() + 10
            while time.time() < deadline and clients_alive(s["url"]):
                time.sleep(0.1)
        lingering = [s["url"] for s in self.started.values() if clients_alive(s["url"])]
        for s in self.started.values():
            s["proc"].terminate()
            s["proc"].wait(timeout=10)
            shutil.rmtree(s["tmp"], ignore_errors=True)
        assert not lingering, f"agencia continuou rodando depois que o terminal fechou: {lingering}"


@pytest.fixture(scope="session")
def servers():
    s = Servers()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def server(servers):
    """The server on the machine's today."""
    return servers.get(None)


@pytest.fixture(params=[None] + PINNED_DATES, ids=lambda d: d or "hoje")
def dated_server(request, servers):
    """A date-sensitive journey runs against today's server and against one per pinned date."""
    return servers.get(request.param)


def clients_alive(url):
    r = subprocess.run(["pgrep", "-f", f"agencia --server {url}"], capture_output=True, text=True)
    return r.stdout.strip() != ""


@pytest.fixture
def terminal(request):
    screens = []

    def open_terminal(args, **kw):
        s = Screen(f"{BIN / 'agencia'} {args}", **kw)
        screens.append(s)
        return s

    yield open_terminal
    for s in screens:
        s.close()
    checks = sum(s.cursor_checks for s in screens)
    if checks:
        # Seen with -rP: how many frames of the journey had their cursor checked.
        print(f"cursor checked on {checks} frames")


# A real SMTP server on loopback for the journeys that send e-mail.

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scratch():
    """`scratch(prefix)`: a folder of the test's own, removed after it. Directly under /tmp rather
    than pytest's `tmp_path`: its path may show on a screen, where a long one would wrap."""
    made = []

    def make(prefix):
        made.append(Path(tempfile.mkdtemp(prefix=prefix)))
        return made[-1]

    yield make
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def smtp_sink():
    """aiosmtpd on loopback, delivering into a Maildir."""
    folder = Path(tempfile.mkdtemp(prefix="agencia-smtp-")) / "maildir"  # created with the first message
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
                             "aiosmtpd.handlers.Mailbox", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.time() < deadline, "aiosmtpd não iniciou"
            time.sleep(0.1)
    yield {"port": port, "maildir": folder}
    proc.kill()
    shutil.rmtree(folder.parent, ignore_errors=True)


def messages_to(sink, address, containing, timeout=30):
    """The bodies of the messages delivered to `address` that contain `containing`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = []
        if not (sink["maildir"] / "cur").exists():
            time.sleep(0.2)
            continue
        for msg in mailbox.Maildir(str(sink["maildir"]), create=False):
            if address not in (msg.get("To") or ""):
                continue
            parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
            body = parsed.get_body(preferencelist=("plain",))
            text = body.get_content() if body else ""
            if containing in text:
                found.append(text)
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"nenhuma mensagem para {address} com {containing!r}")
