"""The journeys of issue 2, in a real terminal against a real server."""
import time

from conftest import attributes_of


def kiosk_login(t, matricula, documento, label="Matrícula:"):
    """Types the kiosk login as a customer would (Tab between fields, Enter to confirm);
    `label` is "Matricula:" in an ASCII terminal."""
    t.wait_for(label)
    t.type(matricula)
    t.keys("Tab")
    t.type(documento)
    t.keys("Enter")


def counter_login(t, usuario="ana", senha="atende123"):
    """An attendant's login, up to the customer search."""
    t.wait_for("Usuário:")
    t.type(usuario)
    t.keys("Enter")
    t.type(senha)
    t.keys("Enter")
    t.wait_for("Buscar:")


def test_kiosk_login_shows_home_with_debt_banner(dated_server, terminal):
    t = terminal(f"--server {dated_server['url']} --mode kiosk")
    t.wait_for("Matrícula:")
    t.type("10001-3")
    t.wait_for("matrícula válida")
    t.keys("Tab")
    t.type("111.444.777-35")
    t.wait_for("CPF válido")
    t.keys("Enter")
    t.wait_for("DÉBITOS EM ABERTO")
    # The linked properties arrive by their own request: wait for them, then read the screen.
    screen = t.wait_for("10003-0")
    assert "3 contas, 2 vencidas" in screen
    assert "MARIA A. S." in screen and "***.444.777-**" in screen
    assert "Maria Aparecida" not in screen, "kiosk screens mask the holder's name"
    assert "10002-1" in screen, "linked properties listed"
    # One key switches to a linked property.
    t.keys("1")
    screen = t.wait_for("Nenhum débito em aberto")
    assert "Imóvel 10002-1" in screen


def test_wrong_cpf_explains_how_to_register(server, terminal):
    t = terminal(f"--server {server['url']} --mode kiosk")
    kiosk_login(t, "10002-1", "529.982.247-25")
    screen = t.wait_for("Não foi possível entrar")
    assert "não está cadastrado" in screen
    assert "agência de atendimento" in screen


def test_invalid_check_digit_is_caught_while_typing(server, terminal):
    t = terminal(f"--server {server['url']} --mode kiosk")
    t.wait_for("Matrícula:")
    t.type("10001-4")
    t.wait_for("confira o dígito verificador")


def test_counter_login_search_by_cpf_and_open_home(server, terminal):
    t = terminal(f"--server {server['url']} --mode counter")
    counter_login(t)
    t.type("111.444.777-35")
    t.keys("Enter")
    screen = t.wait_for("3 resultados")
    assert "Maria Aparecida da Silva" in screen, "attendants see full names"
    t.keys("Enter")
    screen = t.wait_for("DÉBITOS EM ABERTO")
    assert "111.444.777-35" in screen and "maria.silva@example.com" in screen
    assert "Atendente: ana" in screen
    t.keys("Escape")
    t.wait_for("Buscar:")


def test_counter_search_again_serves_the_customer_on_screen(server, terminal):
    """Issue 28.1: after a search that found something, typing still reaches the query, and
    Enter opens what the query on screen found — never the previous customer. Back from a
    customer, the next one's number replaces the old query."""
    t = terminal(f"--server {server['url']} --mode counter", width=80, height=24)
    counter_login(t)
    t.type("10005-6")
    t.keys("Enter")
    t.wait_for("1 resultado")
    t.keys("Enter")
    t.wait_for("Imóvel 10005-6")
    t.keys("Escape")
    t.wait_for("Buscar:")
    t.type("11144477735")  # replaces "10005-6"
    t.keys("Enter")
    screen = t.wait_for("3 resultados")
    assert "10005-6" not in screen and "10001-3" in screen, screen
    t.keys("Down")
    t.keys("Enter")
    screen = t.wait_for("Imóvel 10002-1")
    assert "10005-6" not in screen, screen
    t.keys("Escape")
    t.wait_for("3 resultados")
    # A changed query hides the old results: Enter searches it instead of opening one of them.
    t.type("39053344705")
    screen = t.wait_for("Enter busca")
    assert "Maria Aparecida" not in screen, screen
    t.keys("Enter")
    screen = t.wait_for("2 resultados")
    assert screen.index("10007-2") < screen.index("10001-3"), screen
    t.keys("Enter")
    t.wait_for("Imóvel 10007-2")


def test_kiosk_idle_logout_wipes_the_screen(server, terminal):
    t = terminal(f"--server {server['url']} --mode kiosk")
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    t.wait_for("Ainda está aí?", timeout=15)
    screen = t.wait_for("encerrado por inatividade", timeout=15)
    assert "MARIA" not in screen and "10001-3" not in screen.split("Demonstração")[0]
    assert "Matrícula:" in screen


def test_terminal_too_small(server, terminal):
    t = terminal(f"--server {server['url']} --mode kiosk", width=70, height=20)
    t.wait_for("Terminal muito pequeno")


def test_server_down_gives_a_clear_message(terminal):
    t = terminal("--server http://127.0.0.1:9 --mode kiosk")
    t.wait_for("Servidor indisponível")
    t.wait_for("F5")


COLOURS = {str(n) for n in [*range(30, 38), *range(40, 48), *range(90, 98), *range(100, 108)]} | {"38", "48"}


def test_monochrome_ascii_terminal(server, terminal):
    """vt100 in the C locale: ASCII glyphs, and every role drawn with attributes only."""
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24, env={"TERM": "vt100", "LANG": "C", "LC_ALL": "C"})
    screen = t.wait_for("Matricula:")
    assert "Agencia Virtual" in screen, "accents folded to ASCII in a non-UTF-8 locale"
    styled = t.styled()
    used = set().union(*(a for runs in styled for _, a in runs))
    assert not used & COLOURS, f"colour codes on a monochrome terminal: {used & COLOURS}"
    assert {"1", "4"} <= attributes_of(styled, "Agencia Virtual"), "title bar: bold and underlined"
    assert "1" in attributes_of(styled, "Matricula:"), "the focused field's label is bold"
    # The bar's F1 (the last two rows; "F11 alto contraste" above is a hint).
    assert {"1", "7"} <= attributes_of(styled[-2:], "F1"), "function keys in reverse video"
    assert attributes_of(styled, "Ajuda") == frozenset(), "function labels plain"
    # A status: the overdue banner stands out without colour.
    t.type("10001-3")
    t.keys("Tab")
    t.type("111.444.777-35")
    t.keys("Enter")
    t.wait_for("DEBITOS EM ABERTO")
    styled = t.styled()
    assert "1" in attributes_of(styled, "DEBITOS EM ABERTO"), "overdue banner in bold"
    assert attributes_of(styled, "Rua Laranjeiras") == frozenset(), "plain text stays plain"


def test_eight_colour_terminal(server, terminal):
    """xterm (8 colours): roles in the basic colours only, never 256-colour codes."""
    t = terminal(f"--server {server['url']} --mode kiosk", env={"TERM": "xterm"})
    screen = t.wait_for("Matrícula:")
    assert "Agência Virtual" in screen
    styled = t.styled()
    used = set().union(*(a for runs in styled for _, a in runs))
    assert not used & {"38", "48", *map(str, range(90, 98)), *map(str, range(100, 108))}, f"beyond 8 colours: {used}"
    assert {"37", "44"} <= attributes_of(styled, "Agência Virtual"), "title bar: white on blue"
    assert {"30", "46"} <= attributes_of(styled[-2:], "F1"), "function keys: black on cyan"
    assert "36" in attributes_of(styled, "Matrícula:"), "labels in cyan"


def test_f1_help_lists_the_screen_commands(server, terminal):
    t = terminal(f"--server {server['url']} --mode kiosk")
    t.wait_for("Matrícula:")
    t.keys("F1")
    screen = t.wait_for("Ajuda — Entrar")
    assert "Confere os dados e entra" in screen
    t.keys("Escape")
    t.wait_gone("Ajuda — Entrar")


def test_kiosk_idle_rule_wipes_a_half_typed_login(server, terminal):
    """Issue 28.2: a matrícula and a CPF typed and left on the kiosk's login: after the idle
    time the warning, then a fresh, empty login — the next person cannot log in with them."""
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    t.wait_for("Matrícula:")
    t.type("10001-3")
    t.wait_for("matrícula válida")
    t.keys("Tab")
    t.type("111.444.777-3")

    def fields_become(values, timeout):
        deadline = time.time() + timeout
        while True:
            screen = t.text()
            shown = [l.split(":", 1)[1].strip() for l in screen.splitlines() if l.strip().startswith(("Matrícula:", "CPF/CNPJ:"))]
            if shown == values:
                return screen
            assert time.time() < deadline, screen
            time.sleep(0.2)
    fields_become(["10001-3", "111.444.777-3"], 5)
    t.wait_for("Ainda está aí?", timeout=15)
    screen = fields_become(["", ""], 15)
    assert "Atendimento encerrado" not in screen, "nobody was logged in"
    # An empty login stays as it is: no warning.
    time.sleep(9)
    assert "Ainda está aí?" not in t.text(), t.text()
