"""Deterministic demo data so every screen has something real to show on first start.

Features register seeders in ``app.extensions['demo_seeders']``; each receives the created people
and a seeded ``random.Random`` so the same database comes out every time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from trainer.accounts.models import Role, Team, User
from trainer.core.time import utcnow
from trainer.extensions import db

DEMO_PASSWORD = "demo-pass-2026"

ADMIN = ("admin@demo.local", "系统管理员 Admin")
MANAGERS = [("chen.manager@demo.local", "陈静"), ("liu.manager@demo.local", "Liu Yang")]
TEAMS = ["华东销售一组 East Sales 1", "华南销售二组 South Sales 2"]
TRAINEES = [
    ("trainee@demo.local", "张伟", "zh_CN"),
    ("wang.fang@demo.local", "王芳", "zh_CN"),
    ("li.na@demo.local", "李娜", "zh_CN"),
    ("zhao.lei@demo.local", "赵磊", "zh_CN"),
    ("sun.li@demo.local", "孙丽", "zh_CN"),
    ("zhou.jie@demo.local", "周杰", "zh_CN"),
    ("emma.wu@demo.local", "Emma Wu", "en"),
    ("huang.min@demo.local", "黄敏", "zh_CN"),
    ("xu.tao@demo.local", "徐涛", "zh_CN"),
    ("david.lin@demo.local", "David Lin", "en"),
    ("he.jing@demo.local", "何静", "zh_CN"),
    ("ma.chao@demo.local", "马超", "zh_CN"),
]


@dataclass
class DemoPeople:
    admin: User
    managers: list[User]
    teams: list[Team]
    trainees: list[User]
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, password)


def database_is_empty() -> bool:
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


DemoSeeder = Callable[[DemoPeople, random.Random], None]
"""A feature's demo seeder, registered in ``app.extensions['demo_seeders']``."""


def seed_demo(seeders: Iterable[DemoSeeder] = (), seed: int = 2026) -> DemoPeople:
    """Create the demo organisation, then let each feature's seeder add activity."""
    rng = random.Random(seed)
    now = utcnow()

    def person(email: str, name: str, role: Role, language: str = "zh_CN") -> User:
        user = User(email=email, name=name, role=role.value, language=language, must_change_password=False)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        return user

    admin = person(*ADMIN, Role.ADMIN)
    managers = [person(email, name, Role.MANAGER, "zh_CN" if i == 0 else "en") for i, (email, name) in enumerate(MANAGERS)]
    teams = [Team(name=name) for name in TEAMS]
    for team, manager in zip(teams, managers, strict=True):
        team.managers.append(manager)
        db.session.add(team)
    trainees = []
    for index, (email, name, language) in enumerate(TRAINEES):
        trainee = person(email, name, Role.TRAINEE, language)
        trainee.created_at = now - timedelta(days=90 - index * 5)
        trainee.last_seen_at = now - timedelta(days=rng.choice([0, 1, 2, 3, 6, 12, 25]), hours=rng.randint(0, 20))
        teams[index % 2].members.append(trainee)
        trainees.append(trainee)
    db.session.flush()
    people = DemoPeople(admin, managers, teams, trainees)
    for seeder in seeders:
        seeder(people, rng)
    db.session.commit()
    people.logins = (
        [("admin", ADMIN[0], DEMO_PASSWORD)]
        + [("manager", email, DEMO_PASSWORD) for email, _ in MANAGERS]
        + [("trainee", TRAINEES[0][0], DEMO_PASSWORD)]
    )
    return people
