#!/usr/bin/env python3
"""Generates Tests/DomainTests/Vectors/installments.json: Price installment plans.

The installment (PMT) comes from `numpy-financial`, rounded half-up to the cent with Decimal;
the schedule follows DOMAIN.md: each month's interest on the balance rounded half-up, the last
installment pays the remaining balance plus its interest (the rounding difference falls on it).

    pip install numpy-financial
    python3 scripts/vectors/installment_vectors.py

Deterministic (seeded). The Swift tests (InstallmentTests) must produce the same installments.
"""
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy_financial as npf

rng = random.Random(20261125)
OUT = Path(__file__).resolve().parents[2] / "Tests/DomainTests/Vectors/installments.json"


def cents(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plan(total: int, down: int, n: int, rate: str):
    i = Decimal(rate)
    pv = total - down
    p = cents(Decimal(repr(float(npf.pmt(float(i), n, -pv)))))
    balance, parts = pv, []
    for k in range(1, n + 1):
        interest = cents(Decimal(balance) * i)
        if k == n:
            parts.append(balance + interest)
        else:
            parts.append(p)
            balance -= p - interest
    return parts


def main():
    cases = [(100000, 0, 6, "0.01"), (100000, 0, 3, "0"), (100000, 10000, 12, "0.01"), (4568, 0, 1, "0.01"),
             (999999, 100000, 60, "0"), (37842, 3785, 24, "0.0099")]
    for _ in range(300):
        total = rng.randrange(1000, 5_000_000)
        down = rng.choice([0, total // 10, rng.randrange(0, total)])
        n = rng.choice([1, 2, 3, 6, 10, 12, 18, 24, 36, 48, 60])
        rate = rng.choice(["0", "0.005", "0.0099", "0.01", "0.0125", "0.015", "0.02"])
        cases.append((total, down, n, rate))
    vectors = [{"totalCents": t, "downCents": d, "count": n, "rate": r, "installments": plan(t, d, n, r)} for t, d, n, r in cases]
    assert vectors[0]["installments"] == [17255] * 5 + [17253], vectors[0]
    OUT.write_text("[\n" + ",\n".join(json.dumps(v) for v in vectors) + "\n]\n")
    print(f"{len(vectors)} vectors")


if __name__ == "__main__":
    main()
