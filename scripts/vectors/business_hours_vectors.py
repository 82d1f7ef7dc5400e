#!/usr/bin/env python3
"""Generates Tests/DomainTests/Vectors/business_hours.json: when a service counted in business
hours (business days, 08:00-18:00 at the utility) is expected, from a given local start.

Business time from `businesstimedelta` (a WorkDayRule 08:00-18:00 on weekdays and a HolidayRule
with Brazil's bank holidays as `business_day_vectors.py` takes them from python-holidays, with
the demo configuration's local holidays); no code of the project is used.

    pip install holidays==0.109 python-dateutil==2.9.0.post0 businesstimedelta==1.0.1 pytz
    python3 scripts/vectors/business_hours_vectors.py

Deterministic (seeded). `BusinessHoursTests` must agree on every case.
"""
import datetime as dt
import json
import random
from pathlib import Path

import businesstimedelta
import holidays
from holidays.constants import OPTIONAL, PUBLIC

rng = random.Random(20261130)
OUT = Path(__file__).resolve().parents[2] / "Tests/DomainTests/Vectors/business_hours.json"
YEARS = range(2024, 2031)
LOCAL = ["03-17", "06-24", "07-08", "12-08"]

national = sorted(
    d for d, name in holidays.Brazil(years=YEARS, categories=(PUBLIC, OPTIONAL)).items()
    if holidays.Brazil(years=d.year, categories=(PUBLIC,)).get(d) or name in ("Carnival", "Corpus Christi")
)
local = [dt.date(y, int(m), int(d)) for y in YEARS for m, d in (s.split("-") for s in LOCAL)]
closed = sorted(set(national) | set(local))

workday = businesstimedelta.WorkDayRule(start_time=dt.time(8), end_time=dt.time(18), working_days=[0, 1, 2, 3, 4])
holiday = businesstimedelta.HolidayRule(closed)
business = businesstimedelta.Rules([workday, holiday])

cases = []
span = (dt.date(2030, 11, 1) - dt.date(2024, 1, 1)).days
starts = [dt.datetime.combine(dt.date(2024, 1, 1) + dt.timedelta(rng.randrange(span)), dt.time(rng.randrange(24), rng.choice([0, 15, 30, 59])))
          for _ in range(1200)]
# Around closures: the evening before a holiday, a Friday evening, openings and closings.
starts += [dt.datetime.combine(h - dt.timedelta(1), dt.time(17, 30)) for h in rng.sample(closed, 60)]
starts += [dt.datetime.combine(dt.date(2026, 11, 27), dt.time(h, m)) for h, m in ((7, 59), (8, 0), (17, 59), (18, 0), (23, 0))]
for start in starts:
    for hours in (1, 4, 8, 10, 24, 48):
        # businesstimedelta counts from the next opening when the start is outside business time.
        end = start + businesstimedelta.BusinessTimeDelta(business, hours=hours)
        cases.append({"start": start.strftime("%Y-%m-%dT%H:%M"), "hours": hours, "end": end.strftime("%Y-%m-%dT%H:%M")})

OUT.write_text(json.dumps({"localHolidays": LOCAL, "open": "08:00", "close": "18:00", "cases": cases}, indent=1) + "\n")
print(f"{len(cases)} cases -> {OUT}")
