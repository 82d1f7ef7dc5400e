#!/usr/bin/env python3
"""Generates Tests/DomainTests/Vectors/{taxid,matricula}.json (CPF/CNPJ from two independent
implementations; matrícula from a Python transcription of DOMAIN.md).

    pip install validate-docbr==2.0.1 brutils==2.5.0
    python3 scripts/vectors/domain_vectors.py

Every candidate is judged by validate-docbr and by brutils; the vector records both answers and
the Swift tests require `TaxID.parse` to agree with them (where they disagree the vector says so
and the test skips it, which the script reports). The candidates are deterministic (seeded).
"""
import json
import random
import string
import sys
from pathlib import Path

import brutils
from validate_docbr import CNPJ, CPF

rng = random.Random(20261123)
cpf_v, cnpj_v = CPF(), CNPJ()
ALNUM = string.digits + string.ascii_uppercase


def cpf_dv(base):
    def dv(vals, top):
        r = sum(v * w for v, w in zip(vals, range(top, 1, -1))) % 11
        return 0 if r < 2 else 11 - r
    d = [int(c) for c in base]
    d1 = dv(d, 10)
    return base + str(d1) + str(dv(d + [d1], 11))


def candidates():
    out = []
    # Valid CPFs (made by validate-docbr's own generator with our seeded RNG), and mutations.
    for _ in range(150):
        base = "".join(rng.choice(string.digits) for _ in range(9))
        good = cpf_dv(base)
        out.append(good)
        i = rng.randrange(11)
        out.append(good[:i] + str((int(good[i]) + rng.randrange(1, 10)) % 10) + good[i + 1:])
        out.append(f"{good[:3]}.{good[3:6]}.{good[6:9]}-{good[9:]}")
    out += [str(d) * 11 for d in range(10)] + ["11144477735", "111.444.777-35", "111.444.777-36"]
    # Numeric and alphanumeric CNPJs, valid and mutated, with masks and lowercase.
    for alpha in (False, True) * 120:
        base = "".join(rng.choice(ALNUM if alpha else string.digits) for _ in range(12))
        good = base + cnpj_v._generate_first_digit(base)
        good = good + cnpj_v._generate_second_digit(good)
        out.append(good)
        i = rng.randrange(14)
        pool = ALNUM if (alpha and i < 12) else string.digits
        repl = rng.choice([c for c in pool if c != good[i]])
        out.append(good[:i] + repl + good[i + 1:])
        out.append(cnpj_v.mask(good).lower() if alpha else cnpj_v.mask(good))
    out += [str(d) * 14 for d in range(10)]
    out += ["11222333000181", "11.222.333/0001-81", "12ABC34501DE35", "12.ABC.345/01DE-35",
            "12.abc.345/01de-35", "12ABC34501DEAB", "1234567890", "123456789012", "ABCDEFGHIJK"]
    return out


def main():
    vectors, disagreements = [], 0
    for raw in candidates():
        clean = "".join(c for c in raw if c not in ".-/ ").upper()
        if len(clean) == 11 and clean.isdigit():
            a = cpf_v.validate(raw)
            b = brutils.is_valid_cpf(clean)  # brutils is strict about masks: give it digits
            kind = "cpf"
        else:
            a = cnpj_v.validate(raw)
            b = brutils.is_valid_cnpj(clean)
            kind = "cnpj"
        if a != b:
            disagreements += 1
        vectors.append({"input": raw, "kind": kind, "validateDocbr": a, "brutils": b})
    dest = Path(__file__).resolve().parents[2] / "Tests/DomainTests/Vectors/taxid.json"
    dest.write_text(json.dumps(vectors, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(vectors)} vectors, {disagreements} disagreements -> {dest}", file=sys.stderr)
    # Matrícula: no public package implements a utility's rule, so this is a plain Python
    # transcription of DOMAIN.md's mod-11 (weights 2..9 from the right, 0 when r < 2).
    mats = []
    for n in [1, 9, 10, 11, 12345, 99999, 100000] + [rng.randrange(1, 10**9) for _ in range(300)]:
        seq = str(n)
        r = sum(int(c) * (2 + i % 8) for i, c in enumerate(reversed(seq))) % 11
        mats.append({"sequence": seq, "checkDigit": str(0 if r < 2 else 11 - r)})
    mdest = dest.with_name("matricula.json")
    mdest.write_text(json.dumps(mats, indent=1) + "\n")
    print(f"{len(mats)} matrícula vectors -> {mdest}", file=sys.stderr)


if __name__ == "__main__":
    main()
