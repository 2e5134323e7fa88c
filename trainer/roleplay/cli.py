"""``flask scenario graph ID [--lang zh|en]``: print a scenario as a Mermaid flowchart."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from trainer.core.content import catalog
from trainer.roleplay.scenarios import mermaid

scenario_cli = AppGroup("scenario", help="Inspect role-play scenarios.")


@scenario_cli.command("graph")
@click.argument("scenario_id")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the node and choice labels.")
def graph(scenario_id: str, lang: str) -> None:
    """Print scenario SCENARIO_ID as a Mermaid diagram (paste it into any Mermaid viewer)."""
    scenarios = catalog().scenarios
    scenario = scenarios.get(scenario_id)
    if scenario is None:
        known = ", ".join(sorted(scenarios)) or "none"
        click.echo(f"error: no scenario with id {scenario_id!r}. Known scenarios: {known}", err=True)
        sys.exit(2)
    click.echo(mermaid(scenario, lang), nl=False)
