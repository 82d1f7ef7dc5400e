"""Issue 12, the ouvidoria in a real terminal against a server with a real SMTP server on
loopback: a reclamação made at the kiosk without logging in, whose confirmation e-mail (caught by
the sink) holds the number and the legal deadline; the ouvidoria's alert e-mail; the staff
header's counter until Bruno receives it; the one extension with its reason, seen by the
manifestant; an anonymous denúncia consulted with its secret."""
import json
import re
import subprocess

from conftest import messages_to
from test_protocols import staff_queue


def test_reclamacao_email_alert_counter_and_extension(servers, terminal, smtp_sink):
    server = servers.get(None, kioskIdleSeconds=120, smtp={"url": f"smtp://127.0.0.1:{smtp_sink['port']}"},
                         ouvidoria={"email": "ouvidoria@saneamento.example.br", "anonymousTypes": ["denuncia"]})
    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24)
    t.wait_for("F3 Ouvidoria")
    t.keys("F3")
    t.wait_for("Escolha o tipo:")
    screen = t.text()
    assert "Denúncia" in screen and "aceita sem identificação" in screen, screen
    # The list is in name order; Reclamação is reached with the arrows.
    lines = [l for l in screen.splitlines() if l.strip()]
    names = [l.strip().split("  ")[0] for l in lines if any(n in l for n in ("Denúncia", "Elogio", "Outros", "Reclamação",
                                                                               "Solicitação", "Sugestão"))]
    for _ in range(names.index("Reclamação")):
        t.keys("Down")
    t.keys("Enter")
    t.wait_for("Nome")
    t.type("João Batista dos Santos")
    t.keys("Tab")
    t.type("529.982.247-25")
    t.keys("Tab")
    t.type("joao@example.com")
    t.keys("F2")
    t.wait_for("Descreva a manifestação")  # the fields are right; the cursor is now in the text
    t.type("Fui mal atendido na agencia Centro no dia 20.")
    t.keys("F2")
    screen = " ".join(l.strip() for l in t.wait_for("registrada: protocolo").splitlines())
    number = re.search(r"protocolo (\d{4}/\d{6})", screen).group(1)
    due = re.search(r"responde até (\d\d/\d\d/\d{4})", screen).group(1)
    assert "joao@example.com" not in screen and "j***" in screen.lower() or "enviada a" in screen, screen

    # The manifestant's confirmation holds the number and the deadline; the ouvidoria is alerted.
    mine = messages_to(smtp_sink, "joao@example.com", number)
    assert f"até {due}" in mine[0] and "Lei nº 13.460/2017" in mine[0], mine[0]
    alert = messages_to(smtp_sink, "ouvidoria@saneamento.example.br", number)
    assert "aguarda recebimento" in alert[0] or "ainda não foi recebida" in alert[0], alert[0]

    # Bruno (ouvidoria) sees the counter in the header and the manifestation first in his queue.
    s = terminal(f"--server {server['url']} --mode staff", width=80, height=24)
    staff_queue(s, "bruno", "backoffice123", "Ouvidoria")
    s.wait_for("Ouvidoria: 1 nova")
    rows = [l for l in s.text().splitlines() if re.search(r"\b\d{4}/\d{6}\b", l)]
    assert number in rows[0], rows
    s.keys("Enter")
    s.wait_for("Ouvidoria: resposta até")
    s.keys("F2")
    s.wait_for("Feito: Recebido")
    s.keys("F7")
    s.wait_for("A lei permite uma única prorrogação")
    s.type("Aguardando o laudo da equipe de operação.")
    s.keys("F2")
    screen = s.wait_for("(prorrogado)")
    assert "Prazo prorrogado" in screen, screen
    s.keys("Escape")
    s.wait_gone("Ouvidoria: 1 nova")  # read again with the queue (and every minute)

    # The manifestant reads the reason by e-mail.
    extended = messages_to(smtp_sink, "joao@example.com", "prorrogado")
    assert "Aguardando o laudo da equipe de operação." in extended[0], extended[0]


def test_anonymous_denuncia_consulted_with_its_secret(servers, terminal, scratch):
    """...and, issue 28.15: the person without a pen prints a receipt with the number and the
    secret (read back from the PDF); the form never asks an anonymous person to hand papers to
    an attendant."""
    server = servers.get(None, kioskIdleSeconds=120, ouvidoria={"anonymousTypes": ["denuncia"]})
    printed = scratch("agencia-receipt-") / "comprovante.pdf"
    config = printed.parent / "client.json"
    config.write_text(json.dumps({"client": {"printCommand": ["sh", "-c", f"cat > {printed}"]}}))
    t = terminal(f"--server {server['url']} --mode kiosk --config {config}", width=80, height=24)
    t.wait_for("F3 Ouvidoria")
    t.keys("F3")
    t.wait_for("Escolha o tipo:")
    t.keys("Enter")  # Denúncia, first by name
    t.wait_for("Ouvidoria — Denúncia")
    t.keys("F4")
    screen = " ".join(t.wait_for("Sem identificação").split())
    assert "entregá-los em mãos revelaria quem você é" in screen and "o atendente os anexa" not in screen, screen
    t.type("Ligacao clandestina na Rua Itabaiana, 300.")
    t.keys("F2")
    screen = t.wait_for("Código secreto:")
    number = re.search(r"protocolo (\d{4}/\d{6})", " ".join(screen.split())).group(1)
    secret = re.search(r"Código secreto: ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", screen).group(1)
    t.keys("F3")
    t.wait_for("Documento enviado à impressora")
    text = subprocess.run(["pdftotext", "-layout", str(printed), "-"], capture_output=True, text=True).stdout
    assert number in text and secret in text and "Comprovante de protocolo" in text, text
    t.keys("Escape")
    t.wait_for("F8 Protocolo")
    t.keys("F8")
    t.wait_for("Protocolo")
    t.type(number)
    t.keys("Tab")
    t.type(secret)
    t.keys("Enter")
    screen = t.wait_for("anônima")
    assert "Denúncia" in screen and "Situação: Aberto" in screen, screen
