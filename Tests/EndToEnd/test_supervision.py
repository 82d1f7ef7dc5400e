"""Issue 14, point 4, in a real terminal at 80×24: the supervisor's audit trail and the
unlocking of a login locked by failures; an atendente at a back-office terminal is refused."""
from test_journeys import counter_login
from test_security import call


def test_supervisor_unlocks_a_locked_attendant_and_the_trail_says_so(servers, terminal):
    server = servers.get(None, attemptWindowSeconds=1800)  # a database of its own
    url = server["url"]
    # Someone guesses ana's password from this address: locked here, slowed down elsewhere.
    for i in range(5):
        status, _, _ = call(url, "/v1/sessions/staff", {"usuario": "ana", "senha": f"chute-{i}", "modo": "counter"})
        assert status == 401
    status, _, body = call(url, "/v1/sessions/staff", {"usuario": "ana", "senha": "atende123", "modo": "counter"})
    assert status == 429 and "supervisor" in body["error"]["message"], body

    t = terminal(f"--server {url} --mode counter", width=80, height=24)
    counter_login(t, "carla", "supervisao123")
    assert "Supervisor: carla" in t.text()
    t.keys("Escape", "4")
    screen = t.wait_for("trilha de auditoria")
    assert "carla" in screen and "login" in screen
    t.keys("Escape", "6")
    screen = t.wait_for("BLOQUEADO")
    row = next(l for l in screen.splitlines() if "BLOQUEADO" in l)
    assert "Usuário ana" in row and "127.0.0.1" in row and " 5 " in row, row
    assert "lento" in screen, "the account is also slowed down from anywhere"
    t.keys("F2")
    screen = t.wait_for("Acesso desbloqueado")
    assert "2 contadores de falhas zerados" in screen, screen
    t.wait_for("Nenhuma conta com tentativas erradas agora.")
    # ana logs in again at once.
    status, _, _ = call(url, "/v1/sessions/staff", {"usuario": "ana", "senha": "atende123", "modo": "counter"})
    assert status == 201
    # The trail, filtered by action, shows the unlocking with who did it and whose it was.
    t.keys("Escape")
    t.wait_for("trilha de auditoria")
    t.keys("Enter")  # from the list back to the filters
    t.keys("Tab", "Tab")
    t.type("desbloquear_acesso")
    t.keys("Enter")
    screen = t.wait_for("1 registro")
    assert "desbloquear_acesso" in screen and "usuário ana" in screen, screen
    for line in screen.splitlines():
        assert len(line.rstrip()) <= 80


def test_an_atendente_cannot_log_in_at_a_back_office_terminal(server, terminal):
    t = terminal(f"--server {server['url']} --mode staff", width=80, height=24)
    t.wait_for("Usuário:")
    t.type("ana")
    t.keys("Enter")
    t.type("atende123")
    t.keys("Enter")
    screen = t.wait_for("terminais de balcão")
    assert "Atendente" in screen
    assert "Usuário:" in screen, "still at the login"
