"""Issue 4 in a real terminal against a real server: the consumption history."""
import json
import re
import time
import urllib.request

from test_journeys import kiosk_login


def api(url, path, token=None, body=None, key=None):
    """A JSON call; `key`: the Idempotency-Key of a write."""
    request = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {}),
                                              **({"Idempotency-Key": key} if key else {})})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def test_history_switches_to_24_months_and_reads_a_month(dated_server, terminal):
    server = dated_server
    # The history through the API, with the customer's own session: what the screen must show.
    token = api(server["url"], "/v1/sessions/customer", body={"matricula": "10001-3", "documento": "111.444.777-35"})["token"]
    history = api(server["url"], "/v1/properties/100013/consumption?months=24", token=token)
    months = [i["competencia"] for i in history["items"]]  # oldest first

    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F6")
    screen = t.wait_for("últimos 12 meses")
    assert "leitura real" in screen and "estimada (pela média)" in screen, "the legend says what each bar means"
    t.keys("F7")
    t.wait_for("últimos 18 meses")
    t.keys("F7")
    screen = t.wait_for("últimos 24 meses")
    # At 80 columns all 24 months fit: one label (the month) per bar on the label row.
    first = " ".join(m[5:] for m in months[:4])
    labels = next(line for line in screen.splitlines() if re.search(rf"\b{first}\b", line))
    assert labels.split() == [m[5:] for m in months], labels
    # The cursor starts on the newest month; two steps back is the third newest.
    target = months[-3]
    shown_label = f"{target[5:]}/{target[:4]}"
    t.keys("Left", "Left")
    screen = t.wait_for(f"{shown_label}:")
    shown = re.search(rf"{shown_label}: (\d+) m³ · (leitura real|estimada)", screen)
    assert shown, screen
    month = next(i for i in history["items"] if i["competencia"] == target)
    assert int(shown.group(1)) == month["consumptionM3"]
    assert (shown.group(2) == "estimada") == month["estimated"]
    average = f"{history['averageM3']:.1f}".replace(".", ",")
    assert f"média {average} m³" in screen


def test_services_menu_filters_and_opens_a_service(server, terminal):
    """Serviços (F9 on the home) at 80×24: every service listed, typing filters, Enter opens."""
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F9")
    screen = t.wait_for("Filtrar:")
    for title in ["Débitos e pagamento", "Segunda via de conta", "Histórico de consumo", "Data de vencimento"]:
        assert title in screen, screen
    t.type("tarifa")
    t.wait_for("Filtrar: tarifa")
    screen = t.wait_for(". Tabela de tarifas")
    assert "Débitos e pagamento" not in screen
    t.keys("Enter")
    screen = t.wait_for("Residencial")
    assert "Demonstração: valores fictícios" in screen or "m³" in screen, screen
    t.keys("Escape")
    t.wait_for("Filtrar:")


def test_vt100_reaches_services_with_escape_and_a_digit(server, terminal):
    """vt100 has no F5–F12: Esc then 9 is F9 (Serviços), Esc then 6 is F6; ASCII at 80×24."""
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24,
                 env={"TERM": "vt100", "LANG": "C", "LC_ALL": "C"})
    kiosk_login(t, "10001-3", "111.444.777-35", label="Matricula:")
    t.wait_for("DEBITOS EM ABERTO")
    t.keys("Escape", "9")
    screen = t.wait_for("Filtrar:")
    assert "Historico de consumo" in screen and "o servico." in screen, screen
    t.keys("Escape", "Escape")  # Esc Esc: back at once
    t.wait_for("DEBITOS EM ABERTO")
    t.keys("Escape", "6")
    t.wait_for("ultimos 12 meses")


def test_vt100_terminfo_with_real_function_keys_and_logout(server, terminal):
    """TERM=vt100 (terminfo without F5–F12) in an emulator that sends xterm's F-keys: F5 is F5
    (not Esc, "1", "5"…: it used to switch property), F10 logs out; and a vt100 keyboard's
    Esc 0 logs out too."""
    env = {"TERM": "vt100", "LANG": "C", "LC_ALL": "C"}
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24, env=env)
    kiosk_login(t, "10001-3", "111.444.777-35", label="Matricula:")
    t.wait_for("DEBITOS EM ABERTO")
    t.keys("F5")  # tmux sends ESC [ 1 5 ~
    time.sleep(0.8)
    screen = t.text()
    assert "Imovel 10001-3" in screen, "F5 refreshes the same property, it does not open another: " + screen
    t.keys("F10")  # ESC [ 2 1 ~
    t.wait_for("Atendimento encerrado")
    kiosk_login(t, "10001-3", "111.444.777-35", label="Matricula:")
    t.wait_for("DEBITOS EM ABERTO")
    t.keys("Escape", "0")  # a vt100 keyboard: Esc then 0 is F10
    t.wait_for("Atendimento encerrado")
