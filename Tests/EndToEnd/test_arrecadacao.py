"""Payments from the banks (issue 13): a return file in the FEBRABAN arrecadação layout, written
by an independent implementation (`febraban-barcode`'s registro A/G/Z), is imported by
`agencia-server arrecadacao importar`. It pays every installment of an agreement signed through
the API — the agreement becomes quitado, its bills paid, and the property's certidão negativa —
and one of Maria's overdue bills; a payment for another company and one for a document that does
not exist are reported and change nothing. The same file again is refused, a second file paying
the same bill says duplicado, and a damaged file is refused naming its line."""
import subprocess
from decimal import Decimal

from febraban_barcode import gerar_numeracao_codigo_de_barras
from febraban_barcode.retorno import registro_A, registro_G, registro_Z

from conftest import BIN
from test_services import api

TODAY = "2026-11-23"  # the server's pinned date (demo data is relative to it)
PAID = "2026-11-25"  # the day the bank's file says everything was paid


def return_file(path, nsa, payments):
    """`payments`: [(barcode, cents)]. Amounts go in as floats nudged up: the library multiplies
    by 100 and truncates (DOMAIN.md: it loses a cent otherwise)."""
    day = PAID.replace("-", "")
    lines = [registro_A(codigo_convenio="000123", nome_empresa="SANEAMENTO", codigo_banco="001", nome_banco="BANCO DO BRASIL",
                        data_geracao=day, nsa=str(nsa))]
    for nsr, (barcode, cents) in enumerate(payments, 1):
        lines.append(registro_G(codigo_banco="001", agencia="1234", conta="56789", conta_digito="0", data_pagamento=day,
                                data_credito=day, codigo_de_barras_44=barcode, valor_recebido=cents / 100 + 1e-7, nsr=nsr,
                                codigo_agencia="1234", forma_arrecadacao="3", forma_pagamento="3"))
    lines.append(registro_Z(total_registros=len(lines) + 1, valor_total_registros=sum(c for _, c in payments) / 100 + 1e-7))
    assert all(len(l) == 150 for l in lines)
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def importar(server, path):
    db = server["tmp"] / "db.sqlite"
    return subprocess.run([str(BIN / "agencia-server"), "arrecadacao", "importar", "--database", f"sqlite:{db}", str(path)],
                          capture_output=True, text=True, timeout=60)


def test_a_return_file_pays_an_agreement_and_a_bill(servers, tmp_path):
    server = servers.get(TODAY, kioskIdleSeconds=120, certidaoValidDays=93)  # a database of its own
    url = server["url"]
    ana = api(url, "/v1/sessions/staff", body={"usuario": "ana", "senha": "atende123", "modo": "counter"})["token"]
    # João's overdue bill into a 2× agreement with 15 % down.
    bills = api(url, "/v1/properties/100056/bills", token=ana)["items"]
    debt = sum(b["updated"]["totalCents"] for b in bills if b["overdue"])
    agreement = api(url, "/v1/properties/100056/agreements", token=ana, key="e2e-arrecadacao-1",
                    body={"documento": "52998224725", "downPaymentCents": (debt * 15 + 99) // 100, "count": 2, "accept": True})
    installments = [(i["payment"]["barcode"], i["amountCents"]) for i in agreement["installments"]]
    assert len(installments) == 3
    # One of Maria's overdue bills, at the value its barcode carries.
    maria_bill = next(b for b in api(url, "/v1/properties/100013/bills", token=ana)["items"] if b["overdue"])
    detail = api(url, f"/v1/properties/100013/bills/{maria_bill['id']}", token=ana)
    maria = (detail["payment"]["barcode"], maria_bill["amountCents"])
    other_company = gerar_numeracao_codigo_de_barras(8, 2, 6, Decimal("10.00"), "9999", "2026120110000000000000001")
    nobody = gerar_numeracao_codigo_de_barras(8, 2, 6, Decimal("10.00"), "0123", "2026120110000000000000001")

    first = return_file(tmp_path / "ret1.txt", 1, installments + [maria, (other_company, 1000), (nobody, 1000)])
    r = importar(server, first)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "aplicados: 4" in out and "de outra empresa: 1" in out and "documento desconhecido: 1" in out, out
    assert f"acordos quitados: nº {agreement['id']}" in out, out

    after = api(url, f"/v1/properties/100056/agreements/{agreement['id']}", token=ana)
    assert after["status"] == "quitado", after
    assert all(i["paidOn"] == PAID for i in after["installments"]), after
    assert not [b for b in api(url, "/v1/properties/100056/bills", token=ana)["items"] if b["situacao"] in ("aberta", "parcelada")
                and b["overdue"]]
    certidao = api(url, "/v1/properties/100056/certidoes", token=ana, body={}, key="e2e-arrecadacao-cert")
    assert certidao["kind"] == "negativa", certidao
    paid = next(b for b in api(url, "/v1/properties/100013/bills", token=ana)["items"] if b["id"] == maria_bill["id"])
    assert paid["situacao"] == "paga" and paid["paidOn"] == PAID, paid
    history = api(url, "/v1/properties/100013/payments", token=ana)["items"]
    assert any(p["billId"] == maria_bill["id"] and p["channel"] == "banco" for p in history), history

    # The same file again: refused, nothing changes. Another file paying Maria's bill again: duplicado.
    again = importar(server, first)
    assert again.returncode == 3 and "já foi importado" in again.stderr, again
    second = importar(server, return_file(tmp_path / "ret2.txt", 2, [maria]))
    assert second.returncode == 0 and "já pagos antes (duplicados): 1" in second.stdout, second.stdout

    # A damaged file (a record cut short): refused with its line, nothing imported.
    text = first.read_text().splitlines()
    text[2] = text[2][:120]
    damaged = tmp_path / "ret3.txt"
    damaged.write_text("\n".join(text) + "\n")
    bad = importar(server, damaged)
    assert bad.returncode == 2 and "linha 3: o registro tem 120 caracteres" in bad.stderr, bad.stderr
    # A trailer with its count and total blank, over one payment more than the file would say: refused.
    text = return_file(tmp_path / "ret4.txt", 4, [maria, maria]).read_text().splitlines()
    text[-1] = text[-1][0] + " " * 23 + text[-1][24:]
    blank = tmp_path / "ret4.txt"
    blank.write_text("\r\n".join(text) + "\r\n")
    r = importar(server, blank)
    assert r.returncode == 2 and "o trailer não informa a quantidade de registros" in r.stderr, r.stderr
    assert "o trailer não informa o valor total recebido" in r.stderr, r.stderr
