"""Issue 11 in a real terminal against a real server: a counter-opened protocol worked by the
back office in its queue, seen by its customer, and looked up by anyone without its private part."""
import re
import time
import uuid

from test_journeys import kiosk_login
from test_services import api


def open_protocol(url, subject):
    token = api(url, "/v1/sessions/staff", body={"usuario": "ana", "senha": "atende123", "modo": "counter"})["token"]
    request = {"typeCode": "revisao-conta", "subject": subject, "text": "A conta de outubro veio com o dobro do consumo.",
               "requester": {"kind": "cliente", "documento": "111.444.777-35", "nome": "Maria Aparecida da Silva",
                             "matricula": "10001-3", "email": "maria.silva@example.com"}}
    return api(url, "/v1/protocols", token=token, body=request, key=str(uuid.uuid4()))


def staff_queue(t, usuario="diego", senha="comercial123", unit="Comercial"):
    """A back-office login, up to the unit's queue."""
    t.wait_for("Usuário:")
    t.type(usuario)
    t.keys("Enter")
    t.type(senha)
    t.keys("Enter")
    t.wait_for(f"Fila — {unit}")


def open_my_protocol(t, number):
    """From the Serviços menu (whatever its filter): Meus protocolos, then the protocol `number`."""
    t.wait_for("ou um toque abre o serviço")
    for _ in range(30):
        t.keys("BSpace")
    t.type("meus protocolos")
    t.wait_for(". Meus protocolos")
    t.keys("Enter")
    t.wait_for(number)
    lines = t.text().splitlines()
    row = next(i for i, l in enumerate(lines) if number in l)
    for _ in range(row - next(i for i, l in enumerate(lines) if re.search(r"\b\d{4}/\d{6}\b", l))):
        t.keys("Down")
    t.keys("Enter")


def test_back_office_works_a_protocol_and_the_public_sees_only_its_public_part(server, terminal):
    subject = f"Consumo alto {uuid.uuid4().hex[:6]}"
    created = open_protocol(server["url"], subject)
    number = created["formatted"]
    t = terminal(f"--server {server['url']} --mode staff", width=80, height=24)
    staff_queue(t)
    t.type(subject.split()[-1])  # filter down to this protocol
    t.wait_for(number)
    t.keys("Enter")
    t.wait_for("Requerente: Maria Aparecida da Silva")
    t.keys("F2")
    t.wait_for("Feito: Recebido.")
    # A private dispatch, then a public conclusion.
    t.keys("F3")
    t.wait_for("PRIVADO: só a equipe")
    t.type("Nota interna: SEGREDO-E2E, conferir leitura.")
    t.keys("F2")
    t.wait_for("Despacho · diego · PRIVADO")
    t.keys("F6")
    t.wait_for("PÚBLICO: o requerente")
    t.type("Conta revista: crédito na próxima fatura.")
    t.keys("F2")
    t.wait_for("Situação: Concluído")
    screen = t.text()
    assert "SEGREDO-E2E" in screen, "staff read private dispatches"

    # The customer sees it in her home's services? Here: anyone, at the kiosk, by number + CPF.
    k = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    k.wait_for("F8 Protocolo")
    k.keys("F8")
    k.wait_for("Consultar protocolo")
    k.type(number)
    k.keys("Tab")
    k.type("111.444.777-35")
    k.keys("Enter")
    screen = k.wait_for("Conta revista")
    assert "SEGREDO" not in screen and "diego" not in screen, screen
    assert "Concluído" in screen, screen


def test_staff_attach_a_scanned_file_save_it_back_and_the_public_sees_its_name(server, terminal, tmp_path):
    """The scanner's folder: a text file named .pdf is refused by content; a real PDF goes with a
    public dispatch, is saved back as the server redrew it (the same text), and the kiosk lookup
    lists it by name and size."""
    import json, os, urllib.request
    url = server["url"]
    subject = f"Vistoria {uuid.uuid4().hex[:6]}"
    number = open_protocol(url, subject)["formatted"]
    # A real PDF: the customer's bill as the server prints it.
    token = api(url, "/v1/sessions/customer", body={"matricula": "10001-3", "documento": "111.444.777-35"})["token"]
    bill = api(url, "/v1/properties/100013/bills", token=token)["items"][0]["id"]
    with urllib.request.urlopen(urllib.request.Request(f"{url}/v1/properties/100013/bills/{bill}/pdf",
                                                       headers={"Authorization": f"Bearer {token}"}), timeout=10) as r:
        pdf = r.read()
    scan, saved = tmp_path / "scanner", tmp_path / "salvos"
    scan.mkdir()
    (scan / "laudo-vistoria.pdf").write_bytes(pdf)
    (scan / "nota.pdf").write_text("isto não é um PDF")
    os.utime(scan / "laudo-vistoria.pdf", (1_700_000_000, 1_700_000_000))  # older: listed second
    config = tmp_path / "client.json"
    config.write_text(json.dumps({"client": {"attachmentsDirectory": str(scan), "saveDirectory": str(saved)}}))

    t = terminal(f"--server {url} --mode staff --config {config}", width=80, height=24)
    staff_queue(t)
    t.type(subject.split()[-1])
    t.wait_for(number)
    t.keys("Enter")
    t.wait_for("Requerente:")
    t.keys("F2")
    t.wait_for("Feito: Recebido.")
    t.keys("F3")
    t.wait_for("Sem anexos (F8 anexa um arquivo)")
    t.keys("F8")
    t.wait_for(f"Pasta: {scan}")
    t.wait_for("de 5 anexos neste trâmite")
    lines = [l for l in t.text().splitlines() if ".pdf" in l]
    assert "nota.pdf" in lines[0] and "laudo-vistoria.pdf" in lines[1], lines  # newest first
    t.keys("Enter")
    t.wait_for("nota.pdf não é PDF, PNG nem JPEG")
    t.keys("Down")
    t.keys("Enter")
    t.wait_for("Anexos: laudo-vistoria.pdf (PDF,")
    t.keys("F3")  # public
    t.wait_for("PÚBLICO: o requerente")
    t.type("Laudo da vistoria em anexo.")
    t.keys("F2")
    t.wait_for("Anexo: laudo-vistoria.pdf")
    t.keys("F8")
    t.wait_for("Anexos — protocolo")
    t.keys("F6")
    t.wait_for("Arquivo salvo em")
    import subprocess
    def text(path):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    (tmp_path / "original.pdf").write_bytes(pdf)
    assert text(saved / "laudo-vistoria.pdf") == text(tmp_path / "original.pdf"), "saved back with the same text"

    k = terminal(f"--server {url} --mode kiosk", width=80, height=24)
    k.wait_for("F8 Protocolo")
    k.keys("F8")
    k.wait_for("Consultar protocolo")
    k.type(number)
    k.keys("Tab")
    k.type("111.444.777-35")
    k.keys("Enter")
    screen = k.wait_for("Anexo: laudo-vistoria.pdf (PDF,")
    assert "Laudo da vistoria em anexo." in screen, screen

    # Maria, logged in at the kiosk, opened nothing: the counter's protocol is among hers, with
    # the public file; F8 there lists it.
    c = terminal(f"--server {url} --mode kiosk", width=80, height=24)
    kiosk_login(c, "10001-3", "111.444.777-35")
    c.wait_for("DÉBITOS EM ABERTO")
    c.keys("F9")
    open_my_protocol(c, number)
    screen = c.wait_for("Anexo: laudo-vistoria.pdf")
    assert "diego" not in screen and "Laudo da vistoria em anexo." in screen, screen
    c.keys("F8")
    screen = c.wait_for("Anexos — protocolo")
    assert "laudo-vistoria.pdf" in screen, screen


def test_queue_deadlines_in_the_utilitys_calendar_whatever_the_terminals_zone(servers, terminal):
    """Issues 28.6 and 28.7: deadlines three days ahead and tomorrow at 08:00, in Maceió's time;
    the back office's queue reads "(3d)" and "vence DD/MM 08:00" with the terminal under UTC and
    under Tokyo time alike (no count from the terminal's own clock, no hour in its zone). Days
    past a deadline: QueueDeadlineAPITests and the screen test, on pinned instants."""
    import datetime
    # A pinned day (the server starts it at 09:00 in Maceió), a month's end: the deadlines cross into December.
    server = servers.get("2026-11-30", timeZone="America/Maceio")
    url = server["url"]
    maceio = datetime.timezone(datetime.timedelta(hours=-3))
    today = datetime.date.fromisoformat(server["today"])
    token = api(url, "/v1/sessions/staff", body={"usuario": "ana", "senha": "atende123", "modo": "counter"})["token"]
    tag = uuid.uuid4().hex[:5]
    rows = {}
    for name, days, hour in (("ahead", 3, 17), ("tomorrow", 1, 8)):
        at = datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour), maceio)
        request = {"typeCode": "revisao-conta", "subject": f"{name[0]}{tag}", "text": "Conta alta.",
                   "deadlineAt": at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "requester": {"kind": "cliente", "documento": "111.444.777-35", "nome": "Maria Aparecida da Silva",
                                 "matricula": "10001-3"}}
        api(url, "/v1/protocols", token=token, body=request, key=str(uuid.uuid4()))
        rows[name] = at
    for zone in ("UTC", "Asia/Tokyo"):
        t = terminal(f"--server {url} --mode staff", width=80, height=24, env={"TZ": zone})
        staff_queue(t)
        t.type(tag)
        screen = t.wait_for(f"t{tag}")
        line = {n: next(l for l in screen.splitlines() if f"{n[0]}{tag}" in l) for n in rows}
        assert f"até {rows['ahead']:%d/%m} (3d)" in line["ahead"], (zone, line)
        assert f"vence {rows['tomorrow']:%d/%m} 08:00" in line["tomorrow"], (zone, line)
        t.close()


def test_a_supervisor_finds_a_concluded_protocol_and_any_units_queue(server, terminal):
    """Issue 28.13: a concluded protocol of the Comercial unit is found again by a supervisor of
    Centro — by typing its number in the queue (Enter opens it, with Reabrir), by typing
    "concluído", and F3 moves her queue to another unit."""
    url = server["url"]
    opened = open_protocol(url, f"Concluido {uuid.uuid4().hex[:5]}")
    number, formatted = opened["number"], opened["formatted"]
    diego = api(url, "/v1/sessions/staff", body={"usuario": "diego", "senha": "comercial123", "modo": "staff"})["token"]
    for step in ({"action": "receive"}, {"action": "conclude", "text": "Conta revista.", "public": True}):
        api(url, f"/v1/protocols/{number}/steps", token=diego, body=step, key=str(uuid.uuid4()))
    t = terminal(f"--server {url} --mode staff", width=80, height=24)
    staff_queue(t, "carla", "supervisao123", "Agência Centro")
    t.type(formatted)
    t.wait_for("Filtro:")
    t.keys("Enter")
    screen = t.wait_for("Situação: Concluído")
    assert formatted in screen, screen
    t.wait_for("F7 Reabrir")
    t.keys("Escape")
    for _ in range(len(formatted)):
        t.keys("BSpace")
    t.keys("F3")
    t.wait_for("Fila — ")
    for _ in range(10):
        if "Fila — Comercial" in t.text():
            break
        t.keys("F3")
        time.sleep(0.5)
    t.wait_for("Fila — Comercial")
    t.type("concluido")
    t.wait_for(formatted)
