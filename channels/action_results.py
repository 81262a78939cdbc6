"""The action server's answers checked against Rasa's schema, with the schema compiled once.

Rasa 3.6 checks every answer of the action server (``RemoteAction._validate_action_result``)
with ``jsonschema.validate(result, schema)``. That function first validates the *schema* itself
against the JSON Schema meta-schema and builds a new validator, on every call: profiled with
py-spy on this project's bot (a six-message conversation over REST), this meta-schema check was
about 65% of the Rasa server's CPU time, more than NLU and dialogue prediction together, because
every form turn makes two action calls.

``install()`` replaces that method with one that does the same check — the same schema
(``RemoteAction.action_response_format_spec()``), the same validator class
(``jsonschema.validators.validator_for``, as ``validate`` chooses it), the same error
(``jsonschema.exceptions.best_match``, as ``validate`` raises it) with Rasa's own hint appended —
but checks the schema and builds the validator once. Nothing else changes: an invalid answer is
refused exactly as before (tests/channels/test_action_results.py compares both on valid and
invalid answers).

Installed when Rasa imports this package (``channels/__init__.py``), which every deployment of
the assistant does: ``credentials.yml`` names the channels by class path.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Text

logger = logging.getLogger(__name__)

_MARK = "_ttps_compiled_schema"


def install() -> bool:
    """Compile Rasa's action-response schema once. Returns False when Rasa is not importable
    (the package's plain modules are also used without Rasa) or it is installed already."""
    try:
        from jsonschema.exceptions import best_match
        from jsonschema.validators import validator_for
        from rasa.core.actions.action import RemoteAction
        from rasa.shared.constants import DOCS_BASE_URL
    except ImportError:
        return False
    if getattr(RemoteAction._validate_action_result, _MARK, False):
        return False

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        # the same hint Rasa 3.6 adds to the message
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    setattr(_validate_action_result, _MARK, True)
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    logger.debug("action server answers: schema compiled once (%s)", cls.__name__)
    return True
