"""Rasa's check of the action server's answers, with the schema compiled once
(channels/action_results.py), accepts and refuses exactly what Rasa's own check does."""
import copy

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import channels  # noqa: F401  - importing the package installs the compiled check
from channels import action_results

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "income", "value": [{"amount": 1, "currency": "HKD"}]},
                {"event": "slot", "name": "requested_slot", "value": None},
                {"event": "active_loop", "name": None},
                {"event": "followup", "name": "action_assess"}],
     "responses": [{"text": "(1/6) What was your income?", "buttons": [{"title": "Yes",
                                                                         "payload": "/affirm"}]}]},
    {"events": [{"event": "bot", "text": "hi", "data": {}},
                {"event": "action_execution_rejected", "name": "eligibility_form"}],
     "responses": [{"custom": {"ttps": {"lang": "zh-Hans"}}}]},
]
INVALID = [
    [],                                             # not an object
    {"events": "slot"},                             # events not a list
    {"events": [{"name": "income"}]},               # an event without its type
    {"events": [{"event": "slot"}]},                # a slot event without the slot's name
    {"events": [{"event": "no_such_event"}]},       # an unknown event
    {"responses": ["hello"]},                       # a response that is not an object
]


def rasa_own_check(result):
    """Rasa 3.6's RemoteAction._validate_action_result, as shipped (validate() every time)."""
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError as e:
        return e


def test_installed_once_when_the_package_is_imported():
    assert getattr(RemoteAction._validate_action_result, action_results._MARK, False)
    assert action_results.install() is False       # a second install changes nothing


@pytest.mark.parametrize("result", VALID)
def test_valid_answers_pass_as_with_rasa(result):
    assert rasa_own_check(copy.deepcopy(result)) is True
    assert RemoteAction("x", None)._validate_action_result(copy.deepcopy(result)) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_answers_are_refused_with_rasa_s_error(result):
    expected = rasa_own_check(copy.deepcopy(result))
    assert isinstance(expected, jsonschema.ValidationError)
    with pytest.raises(jsonschema.ValidationError) as got:
        RemoteAction("x", None)._validate_action_result(copy.deepcopy(result))
    assert got.value.message.startswith(expected.message)
    assert "Failed to validate Action server response from API" in got.value.message
    assert list(got.value.path) == list(expected.path)
