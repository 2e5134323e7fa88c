"""Entry point of ``python -m trainer.sim``."""

from trainer.sim.cli import main

raise SystemExit(main())
