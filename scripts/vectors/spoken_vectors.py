#!/usr/bin/env python3
"""Numbers and money in words for `Spoken` (issue 32), decided by an independent implementation:
`num2words` (PyPI, 0.5.14; `pip install num2words==0.5.14`), language pt_BR. One difference,
applied here in the open: an amount under one real is said by its cents alone ("cinquenta
centavos"), as brutils' `convert_real_to_text` (also num2words inside) and a cashier say it,
where num2words' currency writes "zero reais e cinquenta centavos". The test compares words,
not the "," or "e" between classes (num2words picks those by a text pattern; see SpokenTests).

    python3 scripts/vectors/spoken_vectors.py > Tests/DomainTests/Vectors/spoken.json
"""
import json
import random
from decimal import Decimal
from importlib.metadata import version

from num2words import num2words as words

assert version("num2words") == "0.5.14", version("num2words")

# The edges of each rule (units, teens, tens, "cem"/"cento", each scale and its "e"), then a
# deterministic sample across the magnitudes.
NUMBERS = sorted(set(
    list(range(0, 121)) + [199, 200, 201, 210, 219, 300, 333, 500, 555, 999, 1000, 1001, 1009, 1010, 1099, 1100, 1101, 1110, 1200,
                           1234, 1999, 2000, 2001, 2026, 2030, 2100, 2101, 9999, 10000, 10001, 10100, 11000, 21000, 99999, 100000,
                           100001, 100100, 101000, 110000, 123456, 999999, 1000000, 1000001, 1000100, 1001000, 1100000, 1200000,
                           1234567, 2000000, 2000001, 10000000, 100000000, 999999999, 1000000000, 1000000001, 2000000100,
                           2500000000, 1000000000000]
    + [random.Random(32 + i).randrange(10 ** (i % 10 + 1)) for i in range(120)]))

CENTS = sorted(set(
    [0, 1, 2, 10, 21, 50, 99, 100, 101, 102, 150, 200, 201, 1000, 1001, 10000, 11842, 12105, 100000, 100001, 123456, 100000000,
     100000001, 100000050, 120000000, 200000000, 200000099, 123456789, 10000000000]
    + [random.Random(320 + i).randrange(10 ** (i % 11 + 1)) for i in range(80)]))


def money(cents):
    if cents < 100 and cents > 0:
        return "um centavo" if cents == 1 else f"{words(cents, lang='pt_BR')} centavos"
    return words(Decimal(cents) / 100 if cents % 100 else cents // 100, lang="pt_BR", to="currency")


print(json.dumps({
    "numbers": [{"value": n, "words": words(n, lang="pt_BR")} for n in NUMBERS],
    "money": [{"cents": c, "words": money(c)} for c in CENTS],
}, ensure_ascii=False, indent=1))
