"""Issue 12, the customer's record in a real terminal: Maria changes her e-mail at the kiosk with
the code the real SMTP server delivered to the new address; the old address is told."""
import re

from conftest import messages_to
from test_journeys import kiosk_login
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
