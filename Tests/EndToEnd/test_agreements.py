"""Issue 13 in a real terminal: at the counter, the attendant simulates an agreement for 10005-6
(a cut connection with an overdue bill), reads the terms with the customer, signs it and prints
the carnê; a real barcode reader decodes a barcode and a PIX for every slip, each the one the API
stored. The property's certidão is now positiva com efeito de negativa, and a kiosk's start
screen verifies its code."""
import json
import re
import subprocess
import urllib.request

from test_journeys import counter_login
from test_payments import decode_pdf
from test_service_requests import open_services_entry
from test_services import api


def test_counter_signs_an_agreement_prints_the_carne_and_a_kiosk_verifies_the_certidao(servers, terminal, tmp_path):
    # A server of its own (the default validity said aloud): the agreement changes 10005-6, whose
    # overdue bill the religação journey needs.
    server = servers.get(None, kioskIdleSeconds=120, certidaoValidDays=90)
    printed = tmp_path / "carne.pdf"
    config = tmp_path / "client.json"
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    # The debt as the bill list shows it; the attendant asks for a 15 % down payment.
    ana = api(server["url"], "/v1/sessions/staff", body={"usuario": "ana", "senha": "atende123", "modo": "counter"})["token"]
    bills = api(server["url"], "/v1/properties/100056/bills", token=ana)["items"]
    debt = sum(b["updated"]["totalCents"] for b in bills if b["overdue"])
    down = (debt * 15 + 99) // 100

    t = terminal(f"--server {server['url']} --mode counter --config {config}", width=80, height=24)
    counter_login(t)
    t.type("529.982.247-25")
    t.keys("Enter")
    t.wait_for("João Batista dos Santos")
    t.keys("Enter")
    t.wait_for("DÉBITOS EM ABERTO")
    open_services_entry(t, "simular parcelamento", "Simular parcelamento", "SIMULAÇÃO — NÃO VALE COMO CONTRATO")
    t.type("529.982.247-25")
    t.keys("Tab")
    t.type(f"{down // 100},{down % 100:02d}")
    t.keys("Tab")
    t.type("6")
    t.keys("Enter")
    t.wait_for("Total a pagar")
    t.keys("F4")
    screen = " ".join(t.wait_for("Termos do acordo").split())
    assert "6 parcelas mensal(is)" in screen and "rompem o acordo" in screen, screen
    t.keys("F2")
    t.wait_for("assinado: as contas entraram no parcelamento")
    t.keys("F3")
    t.wait_for("Documento enviado à impressora.")

    agreement = api(server["url"], "/v1/properties/100056/agreements", token=ana)["items"][0]
    assert agreement["status"] == "ativo" and agreement["channel"] == "counter" and agreement["count"] == 6, agreement
    symbols = decode_pdf(printed)
    barcodes = sorted(d for (kind, d) in symbols if kind == "I2/5")
    qrs = sorted(d for (kind, d) in symbols if kind == "QR-Code")
    assert barcodes == sorted(i["payment"]["barcode"] for i in agreement["installments"]), symbols
    assert qrs == sorted(i["payment"]["pix"] for i in agreement["installments"])
    assert len(barcodes) == 7  # the down payment and six installments

    # Its overdue debt is all in an agreement in good standing: positiva com efeito de negativa.
    t.keys("Escape")
    t.wait_for("SIMULAÇÃO — NÃO VALE COMO CONTRATO")
    t.keys("Escape")
    t.wait_for("Filtrar: simular parcelamento")
    t.keys("Escape")
    t.wait_for("DÉBITOS EM ABERTO")
    open_services_entry(t, "certidão de débitos", "Certidão de débitos")
    t.keys("F2")
    screen = t.wait_for("Certidão Positiva de Débitos com Efeito de Negativa emitida.")
    code = re.search(r"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", screen).group(1)
    kiosk = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    kiosk.wait_for("F4 Certidão")
    kiosk.keys("F4")
    kiosk.wait_for("Código:")
    kiosk.type(code)
    kiosk.keys("Enter")
    screen = " ".join(kiosk.wait_for("CERTIDÃO VÁLIDA").split())
    assert "imóvel 10005-6" in screen and "Positiva de Débitos com Efeito de Negativa" in screen, screen


def test_kiosk_issues_a_certidao_and_the_start_screen_verifies_its_code(servers, terminal):
    """Maria's 10002-1 has everything paid: the kiosk issues the certidão negativa; after she
    leaves, anyone types its code on the start screen (F4) and reads it is valid; a typo is not."""
    from test_journeys import kiosk_login

    server = servers.get(None, kioskIdleSeconds=120)
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    kiosk_login(t, "10002-1", "111.444.777-35")
    t.wait_for("F9 Serviços")
    open_services_entry(t, "certidão de débitos", "Certidão de débitos")
    t.keys("F2")
    screen = t.wait_for("Certidão Negativa de Débitos emitida.")
    code = re.search(r"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", screen).group(1)
    t.keys("F10")
    t.wait_for("F4 Certidão")
    t.keys("F4")
    t.wait_for("Código:")
    t.type(code.lower())
    t.keys("Enter")
    screen = " ".join(t.wait_for("CERTIDÃO VÁLIDA").split())
    assert "imóvel 10002-1" in screen and "Certidão Negativa de Débitos" in screen, screen
    assert "Maria Aparecida da Silva" not in screen, "the holder is masked for anyone"
    typo = ("B" if code[0] == "A" else "A") + code[1:]
    for _ in range(30):
        t.keys("BSpace")
    t.type(typo)
    t.keys("Enter")
    t.wait_for("Código não encontrado")


def test_a_third_party_checks_the_certidao_seal_offline(server, tmp_path):
    """The certidão's QR, read from its PDF by a barcode reader, is checked by
    `agencia-server certidao verify` with the published public key; a changed date fails; with
    --online it reports the certidão valid, then revoked (with the reason) once a supervisor
    revokes it."""
    from conftest import BIN

    maria = api(server["url"], "/v1/sessions/customer", body={"matricula": "10002-1", "documento": "111.444.777-35"})["token"]
    issued = api(server["url"], "/v1/properties/100021/certidoes", token=maria, body={}, key="e2e-certidao-seal-1")
    request = urllib.request.Request(
        f"{server['url']}/v1/properties/100021/certidoes/{issued['id']}/pdf", headers={"Authorization": f"Bearer {maria}"})
    pdf = tmp_path / "certidao.pdf"
    with urllib.request.urlopen(request, timeout=10) as r:
        pdf.write_bytes(r.read())
    seal = next(d for (kind, d) in decode_pdf(pdf) if kind == "QR-Code")
    key = api(server["url"], "/v1/certidao-public-key")["publicKey"]
    ok = subprocess.run([str(BIN / "agencia-server"), "certidao", "verify", seal, "--public-key", key], capture_output=True, text=True)
    assert ok.returncode == 0 and "Assinatura válida" in ok.stdout and issued["code"] in ok.stdout, (ok.stdout, ok.stderr)
    forged = seal.replace(issued["validUntil"], "2099-12-31")
    bad = subprocess.run([str(BIN / "agencia-server"), "certidao", "verify", forged, "--public-key", key], capture_output=True, text=True)
    assert bad.returncode == 1 and "Assinatura inválida" in bad.stderr, (bad.stdout, bad.stderr)
    # With --online the verifier also asks the server: valid today; once a supervisor revokes it,
    # the same intact seal fails, with the date and the reason.
    online = [str(BIN / "agencia-server"), "certidao", "verify", seal, "--public-key", key, "--online", server["url"]]
    valid = subprocess.run(online, capture_output=True, text=True)
    assert valid.returncode == 0 and "On-line: VÁLIDA hoje" in valid.stdout, (valid.stdout, valid.stderr)
    carla = api(server["url"], "/v1/sessions/staff", body={"usuario": "carla", "senha": "supervisao123", "modo": "counter"})["token"]
    reason = "Pagamento estornado pelo banco depois da emissão."
    api(server["url"], "/v1/certidao-revocations", token=carla, body={"code": issued["code"], "reason": reason})
    revoked = subprocess.run(online, capture_output=True, text=True)
    assert revoked.returncode == 1 and "Assinatura válida" in revoked.stderr, (revoked.stdout, revoked.stderr)
    assert "On-line: REVOGADA em" in revoked.stderr and reason in revoked.stderr, revoked.stderr


def test_kiosk_lists_an_agreement_and_prints_the_second_copy_of_an_installment(servers, terminal, tmp_path):
    """Josefa's 10008-0 has an agreement in good standing: Serviços → Acordos lists it with its
    installments, the first one still to pay selected with its linha digitável; F3 prints its 2ª
    via, whose barcode a real reader decodes to the one the API stored for that installment."""
    from test_journeys import kiosk_login

    server = servers.get(None, kioskIdleSeconds=120)
    printed = tmp_path / "parcela.pdf"
    config = tmp_path / "client.json"
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    ana = api(server["url"], "/v1/sessions/staff", body={"usuario": "ana", "senha": "atende123", "modo": "counter"})["token"]
    agreement = api(server["url"], "/v1/properties/100080/agreements", token=ana)["items"][0]
    nxt = next(i for i in agreement["installments"] if "paidOn" not in i)

    t = terminal(f"--server {server['url']} --mode kiosk --config {config}", width=80, height=24)
    kiosk_login(t, "10008-0", "318.457.206-44")
    t.wait_for("F9 Serviços")
    open_services_entry(t, "acordos", "Acordos de parcelamento", "Acordos — imóvel 10008-0")
    screen = " ".join(t.wait_for("Linha digitável").split())
    assert f"Acordo nº {agreement['id']} — em andamento" in screen, screen
    assert "paga em" in screen and nxt["payment"]["linhaDigitavel"] in screen, screen
    t.keys("F3")
    t.wait_for("Documento enviado à impressora.")
    symbols = decode_pdf(printed)
    assert [d for (kind, d) in symbols if kind == "I2/5"] == [nxt["payment"]["barcode"]], symbols
    assert [d for (kind, d) in symbols if kind == "QR-Code"] == [nxt["payment"]["pix"]], symbols


def test_a_supervisor_revokes_a_certidao_on_screen_and_an_attendant_cannot(servers, terminal):
    """Issue 27: a supervisor at 80×24 opens F4 Auditoria → F7 Certidões, types a certidão's
    code, reads it valid, F8 writes the reason (too short is refused on screen), F2 revokes; the
    screen and the public verification say REVOGADA with the reason. An attendant verifying the
    same kind of certidão is offered no F8."""
    server = servers.get(None, kioskIdleSeconds=120)
    url = server["url"]
    maria = api(url, "/v1/sessions/customer", body={"matricula": "10002-1", "documento": "111.444.777-35"})["token"]
    code = api(url, "/v1/properties/100021/certidoes", token=maria, body={}, key="e2e-revoke-screen")["code"]

    t = terminal(f"--server {url} --mode counter", width=80, height=24)
    counter_login(t, "carla", "supervisao123")
    t.keys("F4")
    t.wait_for("F6 Bloqueios")
    t.keys("F7")
    t.wait_for("Código:")
    t.type(code)
    t.keys("Enter")
    t.wait_for("CERTIDÃO VÁLIDA")
    t.wait_for("F8 Revogar")
    t.keys("F8")
    t.wait_for("Motivo da revogação")
    t.type("Estorno")
    t.keys("F2")
    t.wait_for("pelo menos 10 letras")
    t.type(" do pagamento pelo banco em 03/12.")
    t.keys("F2")
    screen = " ".join(t.wait_for("Certidão revogada:").split())
    assert "CERTIDÃO REVOGADA em" in screen and "Motivo: Estorno do pagamento pelo banco em 03/12." in screen, screen
    t.keys("F8")  # dimmed in its slot: a revoked certidão is not revoked again, and the key says why
    t.wait_for("Só se revoga uma certidão conferida aqui")
    public = api(url, "/v1/certidao-verification", body={"code": code})
    assert public["status"] == "revogada" and public["revocationReason"] == "Estorno do pagamento pelo banco em 03/12.", public

    other = api(url, "/v1/properties/100021/certidoes", token=maria, body={}, key="e2e-revoke-screen-2")["code"]
    a = terminal(f"--server {url} --mode counter", width=80, height=24)
    counter_login(a)
    assert "F4 Auditoria" not in a.text()
    a.type("10002-1")
    a.keys("Enter")
    a.wait_for("1 resultado")
    a.keys("Enter")
    a.wait_for("F9 Serviços")
    open_services_entry(a, "verificar", "Verificar certidão", screen="Digite o código")
    a.type(other)
    a.keys("Enter")
    a.wait_for("CERTIDÃO VÁLIDA")
    assert "Revogar" not in a.text(), a.text()
