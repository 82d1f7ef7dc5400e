"""Issue 31 end to end: the utility's service-management system, played by a real HTTP receiver on
loopback that checks every signature (webhook_receiver.py), and its answers through the API with
its own key; the customer sees them at the kiosk (tmux) and by e-mail (a real SMTP sink)."""
import json
import subprocess
import time
import urllib.request
import uuid

from conftest import BIN, messages_to
from test_journeys import counter_login
from test_protocols import open_my_protocol
from test_service_requests import ask_falta_dagua
from test_services import api
from webhook_receiver import Receiver

SECRET = "segredo-do-gsan-com-mais-de-32-caracteres"


def integration_key(server, name="gsan"):
    """`agencia-server integracao chave NAME` on the server's database: the key, shown once."""
    out = subprocess.run([str(BIN / "agencia-server"), "integracao", "chave", name, "--database", f"sqlite:{server['tmp'] / 'db.sqlite'}"],
                         capture_output=True, text=True, check=True).stdout
    return next(l for l in out.splitlines() if l.startswith("agi_"))


def call(url, path, key, body, method="POST"):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def webhook(receiver, **settings):
    return {"integration": {"webhooks": [{"name": "gsan", "url": receiver.url, "secret": SECRET}], "retryBaseSeconds": 1, **settings}}


def wait_until(what, done, timeout=60):
    deadline = time.time() + timeout
    while not done():
        assert time.time() < deadline, f"timed out: {what}"
        time.sleep(0.2)


def test_the_system_answers_a_falta_dagua_and_the_customer_sees_and_reads_both_steps(servers, terminal, smtp_sink):
    answered = []
    server_box = {}

    def play_the_system(event_id, event):
        """GSAN, as the receiver's owner would wire it: a falta d'água becomes an RA; the crew
        goes (em execução), and comes back (concluída)."""
        if event["tipo"] != "protocolo.criado" or event["solicitacao"]["tipo"] != "falta-agua":
            return
        url, key = server_box["url"], server_box["key"]
        number = event["protocolo"].replace("/", "")
        call(url, f"/v1/integration/protocols/{number}", key,
             {"idOrigem": "88123", "protocoloOrigem": "RA-77001", "dataPrevista": "2026-12-10"}, method="PATCH")
        call(url, f"/v1/integration/protocols/{number}/steps", key,
             {"situacao": "em_execucao", "eventoEm": "2026-12-05T13:00:00Z", "texto": "Equipe a caminho do endereço."})
        call(url, f"/v1/integration/protocols/{number}/steps", key,
             {"situacao": "concluida", "eventoEm": "2026-12-05T15:00:00Z", "texto": "Abastecimento restabelecido; válvula trocada."})
        answered.append(event["protocolo"])

    receiver = Receiver(SECRET, on_event=play_the_system).start()
    server = servers.get(None, kioskIdleSeconds=120, smtp={"url": f"smtp://127.0.0.1:{smtp_sink['port']}"}, **webhook(receiver))
    server_box.update(url=server["url"], key=integration_key(server))

    t = terminal(f"--server {server['url']} --mode kiosk", width=80, height=24, env={"TZ": "UTC"})
    formatted = ask_falta_dagua(t)
    wait_until("the system answered", lambda: formatted in answered)

    t.keys("Escape")
    t.wait_for("Solicitar serviço — imóvel")
    t.keys("Escape")
    open_my_protocol(t, formatted)
    t.keys("Enter")
    screen = t.wait_for("Abastecimento restabelecido")
    flat = " ".join(l.strip() for l in screen.splitlines())
    assert "Enviada à concessionária em" in flat and "nº na concessionária: RA-77001" in flat and "previsão: 10/12/2026" in flat, screen
    assert "Em execução: Equipe a caminho do endereço." in flat, screen
    assert "Concluída: Abastecimento restabelecido" in flat and "Situação: Concluído" in flat, screen
    assert "gsan" not in screen and "88123" not in screen, "the system's name and key are not the customer's business"
    # Both steps by e-mail, as any public step.
    assert messages_to(smtp_sink, "maria.silva@example.com", "Em execução: Equipe a caminho do endereço.")
    assert messages_to(smtp_sink, "maria.silva@example.com", "Concluída: Abastecimento restabelecido")
    assert receiver.bad_signatures == 0
    receiver.stop()


def scripted_day(url, failing_subject=None):
    """A day's requests at the kiosk and the counter, worked by the back office: each protocol's
    public life is three events, the kiosk's request one."""
    maria = api(url, "/v1/sessions/customer", body={"matricula": "10001-3", "documento": "111.444.777-35"})["token"]
    api(url, "/v1/properties/100013/service-requests", token=maria, key=str(uuid.uuid4()),
        body={"typeCode": "falta-agua", "answers": {"telefone": "79 99876-1234"}})
    ana = api(url, "/v1/sessions/staff", body={"usuario": "ana", "senha": "atende123", "modo": "counter"})["token"]
    diego = api(url, "/v1/sessions/staff", body={"usuario": "diego", "senha": "comercial123", "modo": "staff"})["token"]
    for n, subject in enumerate(["Consumo alto", failing_subject or "Leitura errada", "Conta duplicada"]):
        opened = api(url, "/v1/protocols", token=ana, key=str(uuid.uuid4()), body={
            "typeCode": "revisao-conta", "subject": subject, "text": "A conta veio com o dobro do consumo.",
            "requester": {"kind": "cliente", "documento": "111.444.777-35", "nome": "Maria Aparecida da Silva", "matricula": "10001-3"}})
        number = opened["number"]
        for body in [{"action": "receive"}, {"action": "dispatch", "text": "Nota interna", "public": False},
                     {"action": "dispatch", "text": "Leitura conferida em campo.", "public": True},
                     {"action": "conclude", "text": "Conta revista.", "public": True}]:
            api(url, f"/v1/protocols/{number}/steps", token=diego, key=str(uuid.uuid4()), body=body)
    return 10


def feed(url, key):
    """The pull feed, with the system's key."""
    request = urllib.request.Request(url + "/v1/integration/events?after=0&limit=1000", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())["eventos"]


def in_order(receiver):
    for protocol, events in receiver.by_protocol().items():
        assert [e["sequencia"] for e in events] == list(range(1, len(events) + 1)), (protocol, events)


def test_a_receiver_down_for_a_minute_loses_nothing_and_one_failing_forever_is_parked(servers, terminal):
    # A: one request answered 500 forever; B: the receiver's port closed for a minute.
    failing = Receiver(SECRET).start()
    failing.fail_subject = "FALHA-SEMPRE"
    a = servers.get(None, **webhook(failing, maxAttempts=3, retryMaxSeconds=2))
    down = Receiver(SECRET).start()
    port = down.port
    down.stop()
    b = servers.get(None, **webhook(down, maxAttempts=40, retryMaxSeconds=4))

    total_a = scripted_day(a["url"], failing_subject="FALHA-SEMPRE")
    total_b = scripted_day(b["url"])
    went_down = time.time()

    # A: the others flow, in order; the failing request's three events never arrive.
    wait_until("A's other events", lambda: len(failing.events) == total_a - 3)
    in_order(failing)
    carla = api(a["url"], "/v1/sessions/staff", body={"usuario": "carla", "senha": "supervisao123", "modo": "counter"})["token"]
    def parked():
        items = api(a["url"], "/v1/integration/deliveries", token=carla)["items"]
        return [i for i in items if i["state"] == "parado"]
    wait_until("the failing event parked", lambda: len(parked()) == 1)
    item = parked()[0]
    assert item["lastStatus"] == 500 and item["attempts"] == 3 and item["waiting"] == 2, item

    # The supervisor sees it, and once the source is fixed, sends it again from the screen.
    t = terminal(f"--server {a['url']} --mode counter", width=80, height=24, env={"TZ": "UTC"})
    counter_login(t, "carla", "supervisao123")
    t.keys("F4")
    t.wait_for("trilha de auditoria")
    t.keys("F8")
    screen = t.wait_for("PARADO")
    assert item["protocol"] in screen and "HTTP 500" in screen and "2 eventos seguintes do protocolo esperando" in " ".join(
        l.strip() for l in screen.splitlines()), screen
    failing.failing.clear()
    failing.fail_subject = None
    t.keys("F2")
    t.wait_for("reenviado agora")
    wait_until("A's parked protocol delivered", lambda: len(failing.events) == total_a)
    in_order(failing)
    key_a = integration_key(a)
    assert sorted(failing.events) == [e["id"] for e in feed(a["url"], key_a)]
    assert failing.bad_signatures == 0

    # B: back after a minute; everything arrives, with the ids the feed gives, in order.
    time.sleep(max(0, 60 - (time.time() - went_down)))
    assert not down.events
    down.start(port)
    wait_until("B's events after the receiver came back", lambda: len(down.events) == total_b)
    in_order(down)
    key_b = integration_key(b)
    assert sorted(down.events) == [e["id"] for e in feed(b["url"], key_b)], "nothing lost, the same ids"
    openings = [attempt for (event_id, attempt, _) in down.deliveries if down.events[event_id]["sequencia"] == 1]
    assert len(openings) == 4 and all(a > 1 for a in openings), down.deliveries
    assert down.bad_signatures == 0
    failing.stop()
    down.stop()
