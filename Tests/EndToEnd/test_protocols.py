"""Issue 11 in a real terminal against a real server: a counter-opened protocol worked by the
back office in its queue, seen by its customer, and looked up by anyone without its private part."""
import uuid

from test_journeys import kiosk_login
from test_services import api


def open_protocol(url, subject):
    token = api(url, "/v1/sessions/staff", body={"usuario": "ana", "senha": "atende123"})["token"]
    request = {"typeCode": "revisao-conta", "subject": subject, "text": "A conta de outubro veio com o dobro do consumo.",
               "requester": {"kind": "cliente", "documento": "111.444.777-35", "nome": "Maria Aparecida da Silva",
                             "matricula": "10001-3", "email": "maria.silva@example.com"}}
    import urllib.request, json
    r = urllib.request.Request(url + "/v1/protocols", data=json.dumps(request).encode(), method="POST",
                               headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                                        "Idempotency-Key": str(uuid.uuid4())})
    with urllib.request.urlopen(r, timeout=10) as response:
        return json.loads(response.read())


def test_back_office_works_a_protocol_and_the_public_sees_only_its_public_part(server, terminal):
    subject = f"Consumo alto {uuid.uuid4().hex[:6]}"
    created = open_protocol(server["url"], subject)
    number = created["formatted"]
    t = terminal(f"--server {server['url']} --mode staff", width=80, height=24)
    t.wait_for("Usuário:")
    t.type("diego")
    t.keys("Enter")
    t.type("comercial123")
    t.keys("Enter")
    t.wait_for("Fila — Comercial")
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
