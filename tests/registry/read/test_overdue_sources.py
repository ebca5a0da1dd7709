"""The results table filters and sorts by items overdue today with a SQL condition (an index
on the plan items' current due dates), while the unit pages and the units file count them
with the rules' own `is_overdue`: on the demo lifecycle, for every day an item falls due and
the days around it, the two give the same count for every unit."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from site_support import demo_instance
from sqlalchemy import select

from registry.read.results import overdue_counts
from registry.read.tables import agencies, plan
from registry.read.unit_facts import overdue_and_warnings
from registry.service import open_service


def test_the_sql_and_the_rules_count_the_same_overdue_items(tmp_path: Path) -> None:
    service = open_service(demo_instance(tmp_path / "instance", lifecycle=True))
    try:
        with service.read() as db:
            units = sorted(db.execute(select(agencies.c.agency)).scalars())
            dues = {date.fromisoformat(d) for d in db.execute(select(plan.c.due_current)).scalars()}
            assert len(dues) > 3  # the demo has items falling due on several days
            days = sorted({d + timedelta(days=k) for d in dues for k in (-1, 0, 1)})
            overdue_somewhere = 0
            for day in [date(2019, 1, 1), *days, date(2035, 1, 1)]:
                by_sql = overdue_counts(db, units, day)
                by_rules = {
                    u: f["overdue_items"]
                    for u, f in overdue_and_warnings(db, units, day).items()
                    if f["overdue_items"]
                }
                assert by_sql == by_rules, day
                overdue_somewhere += bool(by_sql)
            assert overdue_somewhere > 0
    finally:
        service.close()
