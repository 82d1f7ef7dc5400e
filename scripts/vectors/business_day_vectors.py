#!/usr/bin/env python3
"""Generates Tests/DomainTests/Vectors/business_days.json: Brazil's bank non-business days and
where a due date on one of them moves to.

The holidays come from python-holidays (`holidays.Brazil`: the public national holidays, which
include Good Friday and, since 2024, 20/11; plus Carnaval and Corpus Christi, which banks close
for and the library lists in its optional category); Easter from dateutil; the move to the next
business day and the days late from numpy's business-day calendar (`busday_offset`, `roll=
"forward"`), with a local holiday added to show that configuration counts.

    pip install holidays==0.109 python-dateutil==2.9.0.post0 numpy==2.4.6
    python3 scripts/vectors/business_day_vectors.py

Deterministic (seeded). `BusinessCalendarTests` must agree on every date.
"""
import json
import random
from datetime import date, timedelta
from pathlib import Path

import holidays
import numpy as np
from dateutil.easter import easter
from holidays.constants import OPTIONAL, PUBLIC

rng = random.Random(20261129)
OUT = Path(__file__).resolve().parents[2] / "Tests/DomainTests/Vectors/business_days.json"
YEARS = range(2000, 2041)
LOCAL = ["03-17", "06-24", "07-08", "12-08"]  # demo configuration: Aracaju and Sergipe

national = sorted(
    d for d, name in holidays.Brazil(years=YEARS, categories=(PUBLIC, OPTIONAL)).items()
    if holidays.Brazil(years=d.year, categories=(PUBLIC,)).get(d) or name in ("Carnival", "Corpus Christi")
)
local = sorted(date(y, int(m), int(d)) for y in YEARS for m, d in (s.split("-") for s in LOCAL))


def np_days(ds):
    return np.array([np.datetime64(d.isoformat()) for d in ds], dtype="datetime64[D]")


def roll(cal, d):
    return date.fromisoformat(str(np.busday_offset(np.datetime64(d.isoformat()), 0, roll="forward", busdaycal=cal)))


with_national = np.busdaycalendar(weekmask="1111100", holidays=np_days(national))
with_local = np.busdaycalendar(weekmask="1111100", holidays=np_days(sorted(set(national) | set(local))))

cases = []
start, span = date(2000, 1, 1), (date(2040, 12, 20) - date(2000, 1, 1)).days
days = [start + timedelta(rng.randrange(span)) for _ in range(1500)]
days += [h + timedelta(k) for h in rng.sample(national + local, 200) for k in (-1, 0)]
for due in sorted(set(days)):
    paid = due + timedelta(rng.randrange(0, 12))
    for name, cal in (("national", with_national), ("local", with_local)):
        until = roll(cal, due)
        cases.append({
            "calendar": name, "due": due.isoformat(), "payableUntil": until.isoformat(),
            "paidOn": paid.isoformat(), "daysLate": max(0, (paid - until).days),
        })

OUT.write_text(json.dumps({
    "localHolidays": LOCAL,
    "easter": {str(y): easter(y).isoformat() for y in YEARS},
    "national": [d.isoformat() for d in national],
    "cases": cases,
}, indent=1) + "\n")
print(f"{len(national)} national holidays in {YEARS.start}-{YEARS.stop - 1}, {len(cases)} cases -> {OUT}")
