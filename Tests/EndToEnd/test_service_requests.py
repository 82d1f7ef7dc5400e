"""Issue 12 in a real terminal: a kiosk religação for 10005-6 refused with its reason, then asked
after a statement of the overdue bill, with the fee and the data prevista before confirming; the
request reaches Operação's queue as a protocol opened at the kiosk. The urgent religação's fee is
a document printed at the kiosk, whose barcode and PIX a real reader decodes."""
import json
import re
from pathlib import Path

from test_journeys import kiosk_login
from test_payments import decode_pdf
from test_protocols import open_my_protocol
from test_services import api


def open_services_entry(t, filter, title, screen=None):
    """From a property's home: Serviços (F9), filtered to the one entry `title`, opened (the
    screen's title is `screen`, by default the entry's for the property)."""
    t.keys("F9")
    t.wait_for("Filtrar:")
    t.type(filter)
    t.wait_for(f". {title}")
    t.keys("Enter")
    t.wait_for(screen or f"{title} — imóvel")


def print_fee_and_read_it(t, printed, cents):
    """On a fee's document screen: F3 prints it; a barcode reader finds one barcode — the linha
    digitável on screen, for `cents` — and one PIX QR for the same value."""
    screen = t.wait_for("Linha digitável")
    line = re.search(r"(\d{11}-\d \d{11}-\d \d{11}-\d \d{11}-\d)", screen).group(1)
    t.keys("F3")
    t.wait_for("Documento enviado à impressora.")
    symbols = decode_pdf(printed)
    barcodes = [d for (kind, d) in symbols if kind == "I2/5"]
    qrs = [d for (kind, d) in symbols if kind == "QR-Code"]
    assert len(barcodes) == 1 and len(qrs) == 1, symbols
    assert barcodes[0] == "".join(b.split("-")[0] for b in line.split())
    assert int(barcodes[0][4:15]) == cents
    amount = f"{cents // 100}.{cents % 100:02d}"
    assert "br.gov.bcb.pix" in qrs[0] and f"54{len(amount):02d}{amount}" in qrs[0], qrs
    return screen


def open_services(t):
    open_services_entry(t, "solicitar", "Solicitar serviço")


def select_service(t, name):
    """Moves the cursor to `name` in the service list (name order; the details follow it)."""
    screen = t.wait_for(name)
    names = [l.strip().rsplit("  ", 1)[0].strip() for l in screen.splitlines() if "indisponível" in l or "R$" in l or "sem taxa" in l
             or "já pedido" in l]
    for _ in range(names.index(name)):
        t.keys("Down")


def test_kiosk_religacao_refused_then_asked_after_a_statement(servers, terminal, scratch):
    server = servers.get(None, kioskIdleSeconds=120)  # its own data (the religação is asked once); no hurry
    tmp = scratch("agencia-fee-")
    printed = tmp / "printed.pdf"
    config = tmp / "client.json"
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    t = terminal(f"--server {server['url']} --mode kiosk --config {config}", width=80, height=24)
    kiosk_login(t, "10005-6", "529.982.247-25")
    t.wait_for("DÉBITOS EM ABERTO")
    open_services(t)
    # Religação's details say why not yet.
    select_service(t, "Religação")
    screen = t.wait_for("Indisponível: Há 1 conta vencida")
    assert "emita hoje o documento de pagamento" in " ".join(l.strip() for l in screen.splitlines()), screen

    # A statement of the overdue bill (Débitos, F7 selects the overdue ones, F2 issues it).
    t.keys("Escape")
    t.wait_for("ou um toque abre o serviço")  # Serviços (the request list has a filter too)
    t.keys("Escape")
    t.wait_for("DÉBITOS EM ABERTO")
    t.keys("F2")
    t.wait_for("Total selecionado (com multa e juros até hoje)")
    t.keys("F7")
    t.wait_for("(1 conta)")
    t.keys("F2")
    t.wait_for("Extrato de débitos nº")
    t.keys("Escape")
    t.wait_for("Total selecionado (com multa e juros até hoje)")
    t.keys("Escape")
    t.wait_for("F9 Serviços")

    open_services(t)
    select_service(t, "Religação")
    screen = t.wait_for("Taxa: R$ 25,00 na próxima conta")
    assert "Prazo: 24 horas úteis" in screen, screen
    t.keys("Enter")
    t.wait_for("Telefone para contato *")
    t.keys("F2")
    t.wait_for("Informe telefone para")
    t.type("79 98888-2020")
    t.keys("F2")
    screen = t.wait_for("Confira o pedido:")
    assert "Telefone para contato: 79 98888-2020" in screen and "Taxa: R$ 25,00 na próxima conta." in screen, screen
    t.keys("F2")
    screen = t.wait_for("Pedido aberto: protocolo ")
    number = screen.split("Pedido aberto: protocolo ")[1].split()[0]

    # Operação's queue (the supervisor may read any unit) holds it, opened at the kiosk.
    carla = api(server["url"], "/v1/sessions/staff", body={"usuario": "carla", "senha": "supervisao123", "modo": "counter"})["token"]
    queue = api(server["url"], "/v1/queue?unit=operacao&q=religacao", token=carla)
    assert [i["formatted"] for i in queue["items"]] == [number], queue
    detail = api(server["url"], f"/v1/protocols/{queue['items'][0]['number']}", token=carla)
    assert detail["channel"] == "kiosk" and detail["text"] == "Telefone para contato: 79 98888-2020", detail

    # Back in the list, read again: the religação is pending under that number.
    t.keys("Escape")
    screen = t.wait_for(f"Já pedido: protocolo {number}")
    assert "já pedido" in next(l for l in screen.splitlines() if l.strip().startswith("Religação ")), screen

    # The urgent one costs R$ 60,00 on a document: printed here, read by a barcode reader.
    t.keys("Down")
    screen = t.wait_for("Taxa: R$ 60,00 em documento de pagamento")
    t.keys("Enter")
    t.wait_for("Telefone para contato *")
    t.type("79 98888-2020")
    t.keys("F2")
    t.wait_for("Confira o pedido:")
    t.keys("F2")
    screen = " ".join(l.strip() for l in t.wait_for("Taxa de R$ 60,00: documento de pagamento nº").splitlines())
    assert "F6 mostra o código de barras e o PIX" in screen, screen
    urgent = screen.split("Pedido aberto: protocolo ")[1].split()[0]
    t.keys("F6")
    screen = print_fee_and_read_it(t, printed, 6000)
    assert "Taxa do serviço Religação urgente · protocolo" in screen and urgent in screen, screen
    assert "Valor: R$ 60,00" in screen, screen


def ask_falta_dagua(t):
    """Maria, at the kiosk, asks for Falta d'água (reference point and phone); the protocol's
    number as the confirmation shows it (`2026/000123`)."""
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    open_services(t)
    select_service(t, "Falta d'água")
    t.wait_for("Falta de água no imóvel ou na rua.")
    t.keys("Enter")
    t.wait_for("Ponto de referência")
    t.type("Perto da praça")
    t.keys("Down")
    t.type("79 99876-1234")
    t.keys("F2")
    t.wait_for("Confira o pedido:")
    t.keys("F2")
    screen = t.wait_for("Pedido aberto: protocolo ")
    return screen.split("Pedido aberto: protocolo ")[1].split()[0]


def test_falta_dagua_from_the_kiosk_is_worked_and_tracked_there(servers, terminal):
    """Maria asks at the kiosk; Operação receives it and answers publicly (through the API, as
    the supervisor); her "Meus protocolos" shows the answer, and the queue's private note never."""
    server = servers.get(None, kioskIdleSeconds=120)
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    formatted = ask_falta_dagua(t)
    number = formatted.replace("/", "")

    carla = api(server["url"], "/v1/sessions/staff", body={"usuario": "carla", "senha": "supervisao123", "modo": "counter"})["token"]
    def step(body, key):
        return api(server["url"], f"/v1/protocols/{number}/steps", token=carla, body=body, key=key)
    step({"action": "receive"}, f"{number}-r")
    step({"action": "dispatch", "text": "Nota interna: válvula VX-9 fechada.", "public": False}, f"{number}-p")
    step({"action": "dispatch", "text": "Equipe a caminho; abastecimento volta até as 14h.", "public": True}, f"{number}-d")

    t.keys("Escape")
    t.wait_for("Solicitar serviço — imóvel")
    t.keys("Escape")
    open_my_protocol(t, formatted)
    screen = t.wait_for("Equipe a caminho")
    assert "VX-9" not in screen and "carla" not in screen, screen
    assert "Falta d'água" in screen, screen


def test_counter_new_connection_for_an_address_prints_its_fee(servers, terminal, tmp_path):
    """Ligação nova at a counter, for an address with no property: the requester, the address and
    the service's questions; the fee's document is printed and read by a barcode reader."""
    from test_journeys import counter_login

    server = servers.get(None, kioskIdleSeconds=120)
    printed = tmp_path / "printed.pdf"
    config = tmp_path / "client.json"
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    t = terminal(f"--server {server['url']} --mode counter --config {config}", width=80, height=24)
    counter_login(t)
    t.keys("F6")
    t.wait_for("Ponto de referência *")
    for value in ["Ana Lúcia Prado", "123.456.789-09", "", "Rua Projetada 3", "45", "", "Santa Maria", None, None, "49044-000",
                  "Ao lado da escola", "79 98111-2233"]:
        if value:
            t.type(value)
        t.keys("Tab")
    t.keys("F2")
    screen = " ".join(l.strip() for l in t.wait_for("Confira o pedido de Ligação nova").splitlines())
    assert "Rua Projetada 3, 45 - Santa Maria, Aracaju/SE · CEP 49044-000" in screen, screen
    assert "Taxa: R$ 120,00 em documento de pagamento." in screen, screen
    t.keys("F2")
    screen = t.wait_for("Pedido aberto: protocolo")
    t.keys("F6")
    screen = print_fee_and_read_it(t, printed, 12000)
    assert "Valor: R$ 120,00" in screen, screen
