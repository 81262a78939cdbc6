"""The action server registers every action as rasa_sdk does at start-up, and every action the
domain names is there (a base class that is an Action without a name stops the server)."""
from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def test_the_action_server_registers_every_domain_action():
    executor = ActionExecutor()
    executor.register_package("actions")   # raises like the server does on a nameless Action
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    missing = [a for a in domain["actions"] if a not in executor.actions]
    assert not missing
