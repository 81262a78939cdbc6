"""A spaCy tokenizer for English, Simplified and Traditional Chinese and code-mixed text.

Registered as ``ttps_mixed_tokenizer.v1`` and saved with the project's spaCy pipeline
``en_ttps_pipeline`` (tools/build_spacy_pipeline.py packs this file into it), so Rasa's
``SpacyNLP``/``SpacyTokenizer`` and the EntityRuler behind ``SpacyEntityExtractor`` see the
same tokens:

* runs of Latin letters, digits and symbols go through the pipeline's English tokenizer
  (unchanged: currency affixes "HK$3M", "3000000HKD" and so on);
* runs of Chinese characters (with Chinese punctuation) are segmented by jieba, on their
  Simplified form (OpenCC ``hk2s``) when the conversion keeps the length, so Traditional and
  Hong Kong text is cut with jieba's (Simplified) dictionary; the tokens keep the text as typed
  and its offsets. jieba's user dictionary holds every institution name and alias (both
  scripts and their Simplified forms), the degree and currency words and common Cantonese
  words, so "香港科技大學" or "做咗" stay whole; an entry with a space ("硕士 学位") makes
  jieba cut there instead;
* a unit right after a digit ("300万", "3年", "6月") is a token of its own, so amounts and
  dates end on a token boundary whatever follows;
* every token's ``lemma_`` is its Simplified, lower-cased form: Rasa's CountVectorsFeaturizer
  reads ``Token.lemma`` (``use_lemma: true``, the default), so 資格 and 资格 are one feature.

"我想check一下TTPS eligibility" -> 我 / 想 / check / 一下 / TTPS / eligibility.
Needs jieba and opencc-python-reimplemented (requirements/rasa.txt). jieba keeps a cache of its
dictionary in the temp directory (``$TMPDIR``); when that is not writable it still works, only
slower to start.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from typing import Iterable, List, Tuple

import spacy
from spacy.tokens import Doc
from spacy.util import ensure_path

# The tokens carry lemmas, so spaCy takes the EntityRuler's phrase patterns for "parsed"
# docs and warns (W012) for each label when it loads them; matching on LOWER is unaffected.
warnings.filterwarnings("ignore", message=r"\[W012\]")

REGISTRY_NAME = "ttps_mixed_tokenizer.v1"
WORDS_FILE = "jieba_words.json"
EN_DIR = "en"

# CJK ideographs (basic, extension A, compatibility) plus Chinese punctuation and full-width
# forms: such a run is handed to jieba as a whole.
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")

# Chinese units written right after a number: always a token of their own.
UNIT_AFTER_DIGIT = set("万萬千百亿億年月日号號个個岁歲元")

_CONVERTER = None


def to_simplified(text: str) -> str:
    """Simplified form of Traditional/Hong Kong text (OpenCC hk2s); other text unchanged."""
    global _CONVERTER
    if _CONVERTER is None:
        from opencc import OpenCC

        _CONVERTER = OpenCC("hk2s")
    return _CONVERTER.convert(text)


def _new_jieba(words: Iterable[str]):
    import jieba

    jieba.setLogLevel(logging.WARNING)
    seg = jieba.Tokenizer()
    seg.initialize()
    for word in words:
        if " " in word:
            # "硕士 学位": tune jieba so that it cuts the run there (a name or degree must
            # end on a token boundary for the ruler and for entity annotation)
            seg.suggest_freq(tuple(word.split()), True)
        else:
            # No frequency given: jieba suggests one high enough to keep the word whole.
            seg.add_word(word)
    return seg


class MixedTokenizer:
    """English tokenizer for Latin runs, jieba for Chinese runs, Simplified lemmas."""

    def __init__(self, vocab, en_tokenizer, words: Iterable[str] = ()):
        self.vocab = vocab
        self.en = en_tokenizer
        self.words: List[str] = list(words)
        self._seg = None

    # -- segmentation -------------------------------------------------------------------
    @property
    def seg(self):
        if self._seg is None:
            self._seg = _new_jieba(self.words)
        return self._seg

    def _cjk_spans(self, run: str, offset: int, after_digit: bool = False) -> List[Tuple[int, int, str]]:
        if after_digit and run[0] in UNIT_AFTER_DIGIT:
            # "300万会怎样", "3年多": the unit is a token of its own, never glued to what follows
            head = [(offset, offset + 1, to_simplified(run[0]))]
            return head + (self._cjk_spans(run[1:], offset + 1) if len(run) > 1 else [])
        simple = to_simplified(run)
        same_length = len(simple) == len(run)
        target = simple if same_length else run
        spans = []
        for word, start, end in self.seg.tokenize(target, HMM=True):
            if not word.strip():
                continue
            lemma = simple[start:end] if same_length else to_simplified(run[start:end])
            spans.append((offset + start, offset + end, lemma))
        return spans

    def _latin_spans(self, run: str, offset: int) -> List[Tuple[int, int, str]]:
        spans = []
        for tok in self.en(run):
            if not tok.text.strip():
                continue
            spans.append((offset + tok.idx, offset + tok.idx + len(tok.text), tok.text))
        return spans

    def spans(self, text: str) -> List[Tuple[int, int, str]]:
        """(start, end, lemma) of every non-space token of ``text``."""
        out: List[Tuple[int, int, str]] = []
        pos = 0
        for m in CJK_RUN.finditer(text):
            if m.start() > pos:
                out += self._latin_spans(text[pos:m.start()], pos)
            out += self._cjk_spans(m.group(), m.start(),
                                   after_digit=m.start() > 0 and text[m.start() - 1].isdigit())
            pos = m.end()
        if pos < len(text):
            out += self._latin_spans(text[pos:], pos)
        return out

    def __call__(self, text: str) -> Doc:
        words: List[str] = []
        spaces: List[bool] = []
        lemmas: List[str] = []

        def gap(ws: str) -> None:
            # whitespace between tokens: one space is the previous token's trailing space,
            # anything else a whitespace token of its own (as spaCy does)
            if not ws:
                return
            if words and ws.startswith(" ") and not spaces[-1]:
                spaces[-1] = True
                ws = ws[1:]
            if ws:
                words.append(ws)
                spaces.append(False)
                lemmas.append(ws)

        pos = 0
        for start, end, lemma in self.spans(text):
            gap(text[pos:start])
            words.append(text[start:end])
            spaces.append(False)
            lemmas.append(lemma.lower())
            pos = end
        gap(text[pos:])
        doc = Doc(self.vocab, words=words, spaces=spaces, lemmas=lemmas)
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # -- serialisation ------------------------------------------------------------------
    def to_disk(self, path, *, exclude=tuple()):
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.en.to_disk(path / EN_DIR)
        (path / WORDS_FILE).write_text(json.dumps(self.words, ensure_ascii=False, indent=0),
                                       encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()):
        path = ensure_path(path)
        self.en.from_disk(path / EN_DIR)
        self.words = json.loads((path / WORDS_FILE).read_text(encoding="utf-8"))
        self._seg = None
        return self

    def to_bytes(self, *, exclude=tuple()):
        return json.dumps({"en": self.en.to_bytes().hex(), "words": self.words}).encode("utf-8")

    def from_bytes(self, data, *, exclude=tuple()):
        obj = json.loads(data.decode("utf-8"))
        self.en.from_bytes(bytes.fromhex(obj["en"]))
        self.words = obj["words"]
        self._seg = None
        return self


@spacy.registry.tokenizers(REGISTRY_NAME)
def create_mixed_tokenizer():
    """Create with ``spacy.blank(lang, config={"nlp": {"tokenizer": {"@tokenizers":
    REGISTRY_NAME}}})``; then set ``.words`` and adjust ``.en`` before adding patterns."""

    def make(nlp):
        # the language's own rule-based tokenizer, as spaCy would make it
        en = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        return MixedTokenizer(nlp.vocab, en)

    return make
