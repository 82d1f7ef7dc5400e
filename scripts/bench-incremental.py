#!/usr/bin/env python3
"""A day's incremental interchange package made from a complete one (issue 30's bench): the
next month's bills of N properties, their readings, and payments of M of them.
    scripts/bench-incremental.py COMPLETO PASTA [--contas 40000] [--pagamentos 35000]"""
import argparse
import csv
import hashlib
import json
import os

p = argparse.ArgumentParser()
p.add_argument("complete")
p.add_argument("folder")
p.add_argument("--contas", type=int, default=40_000)
p.add_argument("--pagamentos", type=int, default=35_000)
a = p.parse_args()
manifest = json.load(open(os.path.join(a.complete, "manifest.json")))
stamp = "2099-01-02T02:00:00-03:00"

# The last bill of each of the first N properties, and the highest bill id.
last, top = {}, 0
with open(os.path.join(a.complete, "contas.csv"), newline="") as f:
    for row in csv.DictReader(f):
        top = max(top, int(row["id_conta"]))
        m = row["matricula"]
        if m in last or len(last) < a.contas:
            if m not in last or row["referencia"] > last[m]["referencia"]:
                last[m] = row


def following(ref):
    y, mo = map(int, ref.split("-"))
    return f"{y + (mo == 12)}-{mo % 12 + 1:02d}"


os.makedirs(a.folder)
bills, readings, payments = [], [], []
for i, (m, b) in enumerate(sorted(last.items())[: a.contas]):
    ref = following(b["referencia"])
    due = f"{following(ref)}-10"
    bill_id = str(top + 1 + i)
    bills.append({**{k: b[k] for k in ("valor_agua", "valor_esgoto", "valor_debitos", "valor_creditos", "valor_impostos", "valor_total")},
                  "id_conta": bill_id, "matricula": m, "referencia": ref, "vencimento": due, "consumo_agua_m3": b.get("consumo_agua_m3") or "10",
                  "situacao": "normal", "em_revisao": "false", "atualizado_em": stamp, "excluido": "false"})
    readings.append({"matricula": m, "referencia": ref, "ponto": "agua", "consumo_faturado_m3": b.get("consumo_agua_m3") or "10",
                     "tipo_consumo": "real" if i % 9 else "media", "atualizado_em": stamp, "excluido": "false"})
    if i < a.pagamentos:
        payments.append({"id_pagamento": f"dia-{bill_id}", "id_conta": bill_id, "documento_tipo": "conta", "matricula": m,
                         "data_pagamento": due, "valor": b["valor_total"], "situacao": "classificado", "canal": "banco",
                         "atualizado_em": stamp, "excluido": "false"})

entries = []
for name, rows in (("contas.csv", bills), ("leituras.csv", readings), ("pagamentos.csv", payments)):
    path = os.path.join(a.folder, name)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    entries.append({"nome": name, "registros": len(rows), "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest()})
json.dump({"formato": manifest["formato"], "versao": manifest["versao"], "sistema_origem": "bench", "gerado_em": stamp,
           "modo": "incremental", "desde": "2099-01-01T02:00:00-03:00", "regra_dv_matricula": manifest["regra_dv_matricula"],
           "arquivos": entries}, open(os.path.join(a.folder, "manifest.json"), "w"), indent=1)
print(f"incremental: {len(bills)} contas, {len(readings)} leituras, {len(payments)} pagamentos")
