#!/usr/bin/env python3
"""Generates Tests/DomainTests/Vectors/{febraban,pix}.json and retorno.{txt,json} from independent
implementations:

- FEBRABAN arrecadação barcode and linha digitável: `febraban-barcode` 0.3.0. Amounts are given
  to it as Decimal (it multiplies by 100 and truncates: a float would lose a cent).
- PIX BR Code (static): `starkbank-brcode` 1.1.0, which builds the payload (accents removed, name
  and city cut to 25/15) and computes the CRC; its parser reads our fields back.

    pip install febraban-barcode==0.3.0 starkbank-brcode==1.1.0
    python3 scripts/vectors/payment_vectors.py

The Swift tests (Tests/DomainTests/PaymentCodeTests.swift) build the same documents from the same
inputs and must produce exactly these strings. Deterministic (seeded).
"""
import json
import random
import string
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import brcode.static as pix_static
from brcode.utils.brcodeId import jsonFromBrcode
from febraban_barcode import calcular_dac, decode_codigo_de_barras, gerar_numeracao_codigo_de_barras
from febraban_barcode.retorno import registro_A, registro_G, registro_Z

rng = random.Random(20261124)
OUT = Path(__file__).resolve().parents[2] / "Tests/DomainTests/Vectors"


def febraban():
    vectors = []
    amounts = [0, 1, 9, 10, 99, 100, 101, 4568, 99999, 123456789, 99999999999]
    amounts += [rng.randrange(1, 10_000_000) for _ in range(300)]
    for i, cents in enumerate(amounts):
        value_id = (6, 8)[i % 2] if i < 40 else rng.choice((6, 8))
        company = "".join(rng.choice(string.digits) for _ in range(4))
        due = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 2000))
        kind = rng.randrange(0, 10)
        number = rng.randrange(0, 10**rng.randrange(1, 17))
        free = due.strftime("%Y%m%d") + str(kind) + str(number).zfill(16)
        valor = Decimal(cents) / Decimal(100)
        code = gerar_numeracao_codigo_de_barras(8, 2, value_id, valor, company, free)
        line = calcular_dac(code)
        decoded = decode_codigo_de_barras(code, as_dict=True)
        assert decoded is not None and len(code) == 44
        vectors.append({
            "cents": cents, "valueID": value_id, "company": company, "due": due.isoformat(),
            "kind": kind, "number": number, "barcode": code,
            "linha": "".join(ch for ch in line if ch.isdigit()),
        })
    # Both documented examples from DOMAIN.md, through the library too.
    for value_id in (6, 8):
        code = gerar_numeracao_codigo_de_barras(8, 2, value_id, Decimal("123.45"), "0123", "2026101512345678900000001")
        vectors.append({"cents": 12345, "valueID": value_id, "company": "0123", "free": code[-25:], "barcode": code,
                        "linha": "".join(ch for ch in calcular_dac(code) if ch.isdigit())})
    return vectors


def retorno():
    """A bank's return file (arrecadação layout 05, records A/G/Z) written by the library, with the
    payments it holds for the parser's test to compare: 40 payments of the utility's documents
    (company 0123) of every kind, and their amounts as the library wrote them (it truncates
    `valor * 100`: amounts go in nudged up by 1e-7 so that it writes the exact cents)."""
    payments = []
    lines = [registro_A(codigo_convenio="000123", nome_empresa="SANEAMENTO", codigo_banco="104", nome_banco="CAIXA",
                        data_geracao="20261130", nsa="42")]
    for nsr in range(1, 41):
        cents = rng.randrange(1, 5_000_000)
        kind = rng.choice((1, 2, 3, 4))
        number = rng.randrange(1, 10**9)
        paid = date(2026, 11, 1) + timedelta(days=rng.randrange(0, 29))
        free = (paid + timedelta(days=3)).strftime("%Y%m%d") + str(kind) + str(number).zfill(16)
        code = gerar_numeracao_codigo_de_barras(8, 2, 6, Decimal(cents) / Decimal(100), "0123", free)
        channel = rng.choice("1234567abcdefg")
        lines.append(registro_G(codigo_banco="104", agencia="0001", conta="123456", conta_digito="7",
                                data_pagamento=paid.strftime("%Y%m%d"), data_credito=(paid + timedelta(days=1)).strftime("%Y%m%d"),
                                codigo_de_barras_44=code, valor_recebido=cents / 100 + 1e-7, nsr=nsr, codigo_agencia="0001",
                                forma_arrecadacao=channel, forma_pagamento="3"))
        payments.append({"nsr": nsr, "paid": paid.isoformat(), "barcode": code, "cents": cents, "kind": kind, "number": number,
                         "channel": channel})
    lines.append(registro_Z(total_registros=len(lines) + 1,
                            valor_total_registros=sum(p["cents"] for p in payments) / 100 + 1e-7))
    return "\r\n".join(lines) + "\r\n", payments


def pix():
    names = ["COMPANHIA DE SANEAMENTO", "Águas de São Cristóvão SA", "AGENCIA VIRTUAL DE SANEAMENTO DO ESTADO",
             "Fulano de Tal", "SANEAMENTO ÁGUA E ESGOTO"]
    cities = ["ARACAJU", "São Cristóvão", "NOSSA SENHORA DO SOCORRO", "BRASILIA", "Itabaiana"]
    keys = ["12345678000195", "pix@saneamento.example.br", "+5579999990000",
            "123e4567-e12b-12d1-a456-426655440000"]
    vectors = []
    for i in range(200):
        cents = [1, 10, 100, 4568, 123456, 99999999][i] if i < 6 else rng.randrange(1, 50_000_000)
        txid = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(rng.randrange(1, 26)))
        inputs = {"key": rng.choice(keys), "name": rng.choice(names), "city": rng.choice(cities),
                  "txid": txid, "cents": cents}
        payload = pix_static.fromJson({"key": inputs["key"], "name": inputs["name"].upper(),
                                       "city": inputs["city"].upper(), "txid": txid, "amount": cents})
        parsed = jsonFromBrcode(payload)
        assert parsed["62"]["05"] == txid and len(payload.encode()) <= 512
        vectors.append({**inputs, "payload": payload})
    return vectors


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    fb, px = febraban(), pix()
    (OUT / "febraban.json").write_text(json.dumps(fb, indent=1, ensure_ascii=False) + "\n")
    (OUT / "pix.json").write_text(json.dumps(px, indent=1, ensure_ascii=False) + "\n")
    text, payments = retorno()
    (OUT / "retorno.txt").write_text(text)
    (OUT / "retorno.json").write_text(json.dumps(payments, indent=1) + "\n")
    print(f"febraban: {len(fb)} vectors, pix: {len(px)} vectors")


if __name__ == "__main__":
    main()
