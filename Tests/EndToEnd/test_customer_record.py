"""Issue 12, the customer's record in a real terminal: Maria changes her e-mail at the kiosk with
the code the real SMTP server delivered to the new address; the old address is told. At the
counter, Ana links João to Maria's property with his scanned document and finds the record in the
contact history."""
import json
import re

from conftest import messages_to
from test_journeys import counter_login, kiosk_login
from test_service_requests import open_services_entry


def test_kiosk_email_change_with_the_code_from_the_mailbox(servers, terminal, smtp_sink):
    server = servers.get(None, kioskIdleSeconds=120, smtp={"url": f"smtp://127.0.0.1:{smtp_sink['port']}"})
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    kiosk_login(t, "10001-3", "111.444.777-35")
    t.wait_for("DÉBITOS EM ABERTO")
    open_services_entry(t, "atualizar", "Atualizar e-mail")
    t.wait_for("Novo e-mail:")
    t.type("maria.nova@example.com")
    t.keys("F2")
    t.wait_for("Enviamos um código de 6 dígitos")
    body = messages_to(smtp_sink, "maria.nova@example.com", "digite o código")[0]
    code = re.search(r"^(\d{6})$", body, re.M).group(1)
    # A wrong code first: the attempts left are said.
    t.type("000000" if code != "000000" else "111111")
    t.keys("F2")
    t.wait_for("restam 4 tentativas")
    t.type(code)
    t.keys("F2")
    t.wait_for("E-mail do cadastro alterado")
    notice = messages_to(smtp_sink, "maria.silva@example.com", "foi alterado")[0]
    assert "confirmado com o código" in notice and "maria.nova@example.com" not in notice, notice


def test_counter_links_a_person_with_a_document_and_reads_the_history(servers, terminal, tmp_path):
    server = servers.get(None, kioskIdleSeconds=120)
    scan = tmp_path / "digitalizados"
    scan.mkdir()
    from PIL import Image
    Image.new("L", (200, 120), 255).save(scan / "rg-joao.pdf", "PDF")  # a real PDF, as a scanner writes one
    config = tmp_path / "client.json"
    config.write_text(json.dumps({"client": {"attachmentsDirectory": str(scan)}}))
    t = terminal(f"--server {server['url']} --mode counter --config {config}", width=80, height=24)
    counter_login(t)
    t.type("111.444.777-35")
    t.keys("Enter")
    t.wait_for("3 resultados")
    t.keys("Enter")
    t.wait_for("DÉBITOS EM ABERTO")
    open_services_entry(t, "pessoas vinculadas", "Cadastro do imóvel", "Cadastro — imóvel 10001-3")
    screen = t.wait_for("Ana Luíza Conceição")
    assert re.search(r"Maria Aparecida da Silva\s+titular", screen) and re.search(r"Ana Luíza Conceição\s+usuário", screen), screen
    # The holder cannot be unlinked here: F3 is dimmed in its slot and says why.
    t.keys("F3")
    t.wait_for("O titular não se desvincula aqui")

    t.keys("F2")
    t.wait_for("O documento apresentado (F8) é obrigatório")
    t.type("529.982.247-25")
    t.keys("Tab", "Tab", "Right")  # Papel: responsável financeiro
    t.wait_for("responsável financeiro")
    t.keys("F2")
    t.wait_for("Anexe o documento apresentado pelo cliente (F8).")
    t.keys("F8")
    t.wait_for("rg-joao.pdf")
    t.keys("Enter")
    t.wait_for("rg-joao.pdf (PDF")
    t.keys("F2")
    screen = t.wait_for("Registrado no protocolo")
    number = re.search(r"protocolo (\d{4}/\d{6})", screen).group(1)
    assert re.search(r"João Batista dos Santos\s+resp\. financeiro", screen), screen

    t.keys("F7")
    screen = t.wait_for("Vínculo cadastral")
    assert number in screen and "balcão" in screen and "por ana" in screen, screen
