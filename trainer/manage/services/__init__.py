"""The manager dashboard's use cases: team overview, a member's page, team views (competency heatmap, the
questions the team gets wrong most, refresher completion against due dates), CSV exports.

Who sees what
    Everything starts from a :class:`Scope`: the teams the viewer manages and every team below
    them (admins: all teams), optionally narrowed to one of those teams, and a quarter. A team id
    outside the viewer's reach is "not found", whatever the URL says; every list is filtered by
    the scope's member subquery, never by ids taken from the request.

Scale
    The overview runs a fixed number of queries whatever the team size: each source (lesson
    progress, certificates, activity, assignments, attempts, plays, rubrics, scorecards) is read
    for all members at once with the members as a subquery, then joined up in Python. A test counts
    the statements for teams of 5 and 50; ``tests/bench/bench_dashboard.py`` times 500 members.

Simulation results are the policy-lab runs each person saved (how many, and the DSO of the latest);
workshop rounds belong to teams of the workshop, not to one person, so they are not counted here.

Modules: scope (who sees what), people (members and the team tree), cells (the overview's cells),
overview (rows and sorting), refreshers (statuses, team reports, assignment results), member (one
member's page), competencies (the heatmap), questions (most missed), exports (CSV).
"""
