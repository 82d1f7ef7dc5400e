"""The API document served by the real server reads the same in every OpenAPI tool: PyYAML
(YAML 1.1, where an unquoted `on:` key is the boolean true) and openapi-spec-validator."""
import urllib.request

import yaml
from openapi_spec_validator import validate


def test_served_document_is_valid_openapi(server):
    with urllib.request.urlopen(server["url"] + "/openapi.yaml", timeout=10) as r:
        document = yaml.safe_load(r.read())
    validate(document)
    # Every key of every schema is a string (a YAML 1.1 reader turns on/off/yes/no into booleans).
    def keys(node, path="$"):
        if isinstance(node, dict):
            for k, v in node.items():
                assert isinstance(k, str), f"chave não textual {k!r} em {path}"
                keys(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                keys(v, f"{path}[{i}]")
    keys(document)
    # Every operation is tagged with its feature.
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "delete", "patch"):
                assert op.get("tags"), f"{method.upper()} {path} sem tags"


def test_a_client_generated_from_the_served_document_works_unedited(servers, tmp_path):
    """Issue 27: openapi-python-client, given the served document with no option, generates a
    client that — unedited, at the base URL the document's `servers` names — logs in, lists the
    bills, downloads a bill's PDF (its bytes, a real PDF) and, at a counter terminal whose
    credential the document declares (security scheme `terminal`), opens a protocol."""
    import hashlib
    import importlib
    import secrets
    import subprocess
    import sys
    from urllib.parse import urljoin

    secret = secrets.token_hex(32)
    server = servers.get(None, terminals={"balcao-gerado": {"mode": "counter", "secretHash": hashlib.sha256(secret.encode()).hexdigest()}})
    doc_url = server["url"] + "/openapi.yaml"
    with urllib.request.urlopen(doc_url, timeout=10) as r:
        document = yaml.safe_load(r.read())
    scheme = document["components"]["securitySchemes"]["terminal"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Agencia-Terminal"), scheme
    out = tmp_path / "gerado"
    gen = subprocess.run([sys.executable, "-m", "openapi_python_client", "generate", "--url", doc_url, "--output-path", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    assert "WARNING" not in gen.stdout + gen.stderr, "every operation generated: " + gen.stdout + gen.stderr
    package = next(p.name for p in out.iterdir() if (p / "client.py").exists())
    sys.path.insert(0, str(out))
    try:
        api = importlib.import_module(package)

        def mod(name):
            return importlib.import_module(f"{package}.{name}")

        base = urljoin(doc_url, document["servers"][0]["url"])
        models = mod("models")
        kiosk = api.Client(base_url=base)
        session = mod("api.sessions.login_customer").sync(
            client=kiosk, body=models.CustomerLogin.from_dict({"matricula": "10001-3", "documento": "111.444.777-35"}))
        assert isinstance(session, models.Session), session
        maria = api.AuthenticatedClient(base_url=base, token=session.token)
        bills = mod("api.bills.list_bills").sync("100013", client=maria)
        open_bill = next(b for b in bills.items if b.situacao.value == "aberta")
        pdf = mod("api.bills.get_bill_pdf").sync("100013", open_bill.id, client=maria)
        content = pdf.payload.read()
        assert content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:], content[:64]

        counter = {"Agencia-Terminal": f"balcao-gerado:{secret}"}
        staff = mod("api.sessions.login_staff").sync(
            client=api.Client(base_url=base, headers=counter),
            body=models.StaffLogin.from_dict({"usuario": "ana", "senha": "atende123", "modo": "counter"}))
        assert isinstance(staff, models.Session), staff
        ana = api.AuthenticatedClient(base_url=base, token=staff.token, headers=counter)
        opened = mod("api.protocols.create_protocol").sync(
            client=ana, idempotency_key="cliente-gerado-1",
            body=models.ProtocolRequest.from_dict({
                "typeCode": "revisao-conta", "subject": "Consumo alto", "text": "A conta veio com o dobro do consumo.",
                "requester": {"kind": "cliente", "documento": "111.444.777-35", "nome": "Maria Aparecida da Silva",
                              "matricula": "10001-3"}}))
        assert isinstance(opened, models.ProtocolDetail), opened
        assert len(opened.number) == 10 and opened.formatted == f"{opened.number[:4]}/{opened.number[4:]}", opened
        # The session is the counter's: without its credential it is refused.
        alone = mod("api.protocols.get_protocol").sync_detailed(opened.number, client=api.AuthenticatedClient(base_url=base, token=staff.token))
        assert alone.status_code == 401, alone
    finally:
        sys.path.remove(str(out))
