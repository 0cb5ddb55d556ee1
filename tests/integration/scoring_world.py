"""A season in review with accepted entries and an expert pool, for the scoring tests.

Three counties under 晋城市, two units in each; 30 accepted entries spread over them (each by
its own filer, who leads it); 7 experts working at units outside the counties except expert 0,
whose unit is in 城区 (a conflict with every 城区 entry: own county), and expert 1, who declared
a conflict with entry 4. Experts log in with the sandbox codes "expert-0" … "expert-6"."""
from __future__ import annotations

from dataclasses import dataclass, field

from server.extensions import db
from server.models import Entry, Expert, ExpertConflict, Organisation, Season, User
from server.wechat.sandbox import openid_for_code
from tests.factories import make_entry, make_org, make_season, make_user

CATEGORIES = ("product", "equipment", "process", "cost_management", "environment_energy", "other")


@dataclass
class World:
    season: Season
    city: Organisation
    counties: list[Organisation]
    units: list[Organisation]
    entries: list[Entry]
    experts: list[Expert]
    admin: User
    county_admin: User
    other: dict = field(default_factory=dict)


def sheet_for(total: int, benefit_kind: str = "economic") -> dict:
    """A valid sheet adding up to `total` (25–100): points spread over the criteria's ranges,
    each in the band that holds it."""
    ranges = {"innovation": (5, 20), "technology": (10, 30), "benefit": (5, 25 if benefit_kind == "economic" else 20),
              "effect": (5, 25)}
    points = {k: lo for k, (lo, hi) in ranges.items()}
    rest = total - sum(points.values())
    for k, (lo, hi) in ranges.items():
        add = min(rest, hi - lo)
        points[k] += add
        rest -= add
    assert rest == 0, total
    from server.forms.rubric import rubric_for
    rubric = rubric_for(None)
    out = {}
    for k, p in points.items():
        band = next(b for b in rubric.bands_for(k, benefit_kind) if b.min <= p <= b.max)
        out[k] = {"band": band.code, "points": p}
    return out


def build(n_entries: int = 30, n_experts: int = 7, **season_settings) -> World:
    season = make_season("closed", settings=season_settings)          # review phase open today
    city = make_org("晋城市", "city")
    counties = [make_org(name, "county", city) for name in ("城区", "泽州县", "高平市")]
    units = [make_org(f"{c.name}示范单位{i}", "unit", c, unit_type="state_owned", system="union")
             for c in counties for i in (1, 2)]
    office = make_org("市专家服务中心", "unit", city, unit_type="public_institution")
    admin = make_user("市管理员", ("city_admin", city), openid=openid_for_code("city-admin"))
    county_admin = make_user("县管理员", ("county_admin", counties[1]), openid=openid_for_code("county-admin"))
    entries = []
    for i in range(n_entries):
        unit = units[i % len(units)]
        filer = make_user(f"申报人{i:02d}", ("participant", unit), openid=openid_for_code(f"filer-{i}"))
        entries.append(make_entry(filer, status="accepted", complete=True, season=season, unit=unit,
                                  category=CATEGORIES[i % len(CATEGORIES)], title=f"成果{i:02d}"))
    experts = []
    for j in range(n_experts):
        unit = units[0] if j == 0 else office
        user = make_user(f"专家{j}", ("expert", city), openid=openid_for_code(f"expert-{j}"))
        expert = Expert(user_id=user.id, unit_id=unit.id, categories=[], industries=[])
        db.session.add(expert)
        experts.append(expert)
    db.session.flush()
    if n_experts > 1 and n_entries > 4:
        db.session.add(ExpertConflict(expert_id=experts[1].id, entry_id=entries[4].id, reason="亲属关系",
                                      declared_by_id=admin.id))
    db.session.commit()
    return World(season, city, counties, units, entries, experts, admin, county_admin)
