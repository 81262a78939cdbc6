"""The spaCy pipeline's mixed-script tokenizer (nlu_components/mixed_tokenizer.py, built into
en_ttps_pipeline by tools/build_spacy_pipeline.py): jieba for Chinese runs, English rules for
the rest, Simplified lemmas, and every Chinese institution name found by the EntityRuler."""
import csv
import re
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_ttps_pipeline")


def _tokens(nlp, text):
    return [(t.text, t.lemma_) for t in nlp(text)]


def test_code_mixed_message_is_cut_at_script_changes(nlp):
    assert [t for t, _ in _tokens(nlp, "我想check一下TTPS eligibility")] == \
        ["我", "想", "check", "一下", "TTPS", "eligibility"]
    assert [t for t, _ in _tokens(nlp, "我salary大概3M HKD")][:3] == ["我", "salary", "大概"]


def test_text_and_offsets_are_kept_as_typed(nlp):
    text = "我有冇資格？ I earn HK$3M，做咗三年"
    doc = nlp(text)
    assert doc.text == text
    for tok in doc:
        assert text[tok.idx:tok.idx + len(tok.text)] == tok.text


def test_lemmas_are_simplified_and_lower_case(nlp):
    lemmas = dict(_tokens(nlp, "我有冇資格申請 TTPS"))
    assert lemmas["資格"] == "资格"
    assert lemmas["申請"] == "申请"
    assert lemmas["TTPS"] == "ttps"
    # both scripts give the same lemmas
    assert [lemma for _, lemma in _tokens(nlp, "點樣申請高才通")] == \
        [lemma for _, lemma in _tokens(nlp, "点样申请高才通")]


def test_cantonese_words_stay_whole(nlp):
    assert "做咗" in [t for t, _ in _tokens(nlp, "我做咗三年")]
    assert "唔知" in [t for t, _ in _tokens(nlp, "我唔知")]


def test_degree_words_end_on_a_token_boundary(nlp):
    assert [e.text for e in nlp("我有碩士學位").ents] == ["碩士"]
    assert [e.text for e in nlp("我是本科学历").ents] == ["本科"]


def _chinese_names():
    with (ROOT / "ttps_logic" / "data" / "institutions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for term in [row["name"]] + row["aliases"].split(";"):
                term = term.strip()
                if CJK.search(term) and len(term) >= 3:
                    yield term


def test_every_chinese_institution_name_is_found_in_a_sentence(nlp):
    names = sorted(set(_chinese_names()))
    assert len(names) > 100
    missed = []
    for name in names:
        for text in (f"我在{name}读的本科", f"我喺{name}讀完碩士"):
            if name not in [e.text for e in nlp(text).ents if e.label_ == "university"]:
                missed.append(text)
    assert not missed, missed[:20]
