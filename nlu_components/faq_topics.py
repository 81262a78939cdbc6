"""The FAQ topic of a message, chosen by a linear model on the features the pipeline computes.

A message the DIETClassifier takes for the retrieval intent ``faq`` ("do I need a job offer?")
is answered by ``action_answer_faq`` on the topic of ``faq/<topic>`` that this component puts in
the message's ``response_selector`` property — the same property, with the same fields, that
Rasa's ``ResponseSelector`` writes (``response.intent_response_key``, ``response.confidence``,
``response.responses``, ``response.utter_action``, ``ranking``), so the action and Rasa's NLU
evaluation (``rasa test nlu``'s response-selection report) read it unchanged.

Why not the ResponseSelector: it is a second TensorFlow model beside DIET. Measured on this
project's model (2026-12-08, 2-core machine): it took 10.8 ms of every message's 36 ms of NLU,
and its weights and prediction graph a large part of the Rasa server's 2.1 GB. Choosing among
two dozen topics from word and character n-grams is a linear problem: a multinomial logistic
regression (scikit-learn, already in Rasa's environment) on the sentence-level sparse features
of the featurizers before it (regex, lexical-syntactic, word and character CountVectors, with
every token's Simplified lower-case lemma) takes well under a millisecond and a few MB. The
held-out FAQ sets of each language (tests/nlu/heldout*.yml, tests/rasa/test_nlu_heldout.py)
keep the bar on its choices.

Config (config.yml)::

    - name: nlu_components.faq_topics.FAQTopicSelector
      retrieval_intent: faq
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import joblib
import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

# The property and keys Rasa's ResponseSelector writes (rasa.nlu.selectors.response_selector).
PROPERTY = "response_selector"
RETRIEVAL_INTENTS = "all_retrieval_intents"
MODEL_FILE = "faq_topics.joblib"
META_FILE = "faq_topics.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FAQTopicSelector(GraphComponent):
    """Chooses the response of a retrieval intent (the FAQ topic) for every message."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "retrieval_intent": "faq",
            # inverse regularisation strength of the logistic regression
            "C": 20.0,
            "max_iter": 3000,
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 classifier: Any = None, responses: Optional[Dict[Text, List[Dict]]] = None,
                 width: int = 0) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._classifier = classifier
        self._responses = responses or {}
        self._width = width

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FAQTopicSelector":
        return cls(config, model_storage, resource)

    # --- features ------------------------------------------------------------------------------

    @staticmethod
    def _features(message: Message) -> Optional[scipy.sparse.spmatrix]:
        """The sentence-level sparse features of the message's text, all featurizers combined."""
        _, sentence = message.get_sparse_features(TEXT)
        return None if sentence is None else sentence.features.tocsr()

    def _fit_width(self, row: scipy.sparse.spmatrix) -> scipy.sparse.spmatrix:
        if row.shape[1] == self._width:
            return row
        # a pipeline whose featurizers changed width (cannot happen with the trained model's
        # own featurizers); pad or cut rather than fail the message
        row = row.tocsc()[:, : self._width] if row.shape[1] > self._width else row
        return scipy.sparse.hstack([row, scipy.sparse.csr_matrix((1, self._width - row.shape[1]))]).tocsr()

    # --- training ------------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        intent = self._config["retrieval_intent"]
        rows, labels = [], []
        for example in training_data.intent_examples:
            key = example.get(INTENT_RESPONSE_KEY)
            if example.get(INTENT) != intent or not key:
                continue
            features = self._features(example)
            if features is None:
                continue
            rows.append(features)
            labels.append(key)
        if len(set(labels)) < 2:
            logger.warning("FAQTopicSelector: fewer than two topics of %r to learn; "
                           "it will choose none", intent)
            return self._resource
        X = scipy.sparse.vstack(rows).tocsr()
        self._width = X.shape[1]
        self._classifier = LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"],
                                              class_weight="balanced")
        self._classifier.fit(X, labels)
        self._responses = {
            label: training_data.responses.get(f"utter_{label}", [])
            for label in self._classifier.classes_
        }
        logger.info("FAQTopicSelector: %d topics learnt from %d examples (%d features)",
                    len(self._classifier.classes_), X.shape[0], X.shape[1])
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._classifier, directory / MODEL_FILE)
            (directory / META_FILE).write_text(json.dumps(
                {"responses": self._responses, "width": self._width}, ensure_ascii=False),
                encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FAQTopicSelector":
        try:
            with model_storage.read_from(resource) as directory:
                classifier = joblib.load(directory / MODEL_FILE)
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("FAQTopicSelector: no trained model found; it will choose no topic")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, classifier, meta["responses"], meta["width"])

    # --- prediction ----------------------------------------------------------------------------

    def process(self, messages: List[Message]) -> List[Message]:
        if self._classifier is None:
            return messages
        intent = self._config["retrieval_intent"]
        for message in messages:
            features = self._features(message)
            if features is None:
                continue
            probabilities = self._classifier.predict_proba(self._fit_width(features))[0]
            order = np.argsort(-probabilities)
            classes = self._classifier.classes_
            top = str(classes[order[0]])
            ranking = [{"id": int(i), "confidence": float(probabilities[i]),
                        INTENT_RESPONSE_KEY: str(classes[i])}
                       for i in order[: self._config["ranking_length"]]]
            prediction = {
                "response": {
                    "responses": self._responses.get(top) or [{TEXT: top}],
                    "confidence": float(probabilities[order[0]]),
                    INTENT_RESPONSE_KEY: top,
                    "utter_action": f"utter_{top}",
                },
                "ranking": ranking,
            }
            properties = message.get(PROPERTY, {}) or {}
            properties[RETRIEVAL_INTENTS] = [intent]
            properties[intent] = prediction
            message.set(PROPERTY, properties, add_to_output=True)
        return messages
