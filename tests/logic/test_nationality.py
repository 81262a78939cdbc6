"""Nationality from what people type (ttps_logic.nationality), as a table, plus its contracts."""
import pytest

from ttps_logic.models import Facts, normalise_nationality
from ttps_logic.nationality import (NationalityResult, national_of, nationality_name,
                                    resolve_nationality)
from ttps_logic.text import templates

# (typed, code): one nationality, accepted.
MATCHED = [
    # demonyms, including the ones that once went wrong ("Cuban" was resolved to Angola)
    ("Cuban", "CU"), ("cuban", "CU"), ("Vietnamese", "VN"), ("Laotian", "LA"), ("Lao", "LA"),
    ("Nepali", "NP"), ("Nepalese", "NP"), ("Afghan", "AF"), ("British", "GB"), ("American", "US"),
    ("Filipino", "PH"), ("Dutch", "NL"), ("Swiss", "CH"), ("Nigerien", "NE"), ("Nigerian", "NG"),
    ("Sudanese", "SD"), ("South Sudanese", "SS"), ("Ivorian", "CI"), ("Emirati", "AE"),
    ("South Korean", "KR"), ("north korean", "KP"), ("Taiwanese", "TW"), ("Macanese", "MO"),
    ("Bissau-Guinean", "GW"), ("Papua New Guinean", "PG"),
    # short forms and codes
    ("UK", "GB"), ("U.K.", "GB"), ("USA", "US"), ("U.S.", "US"), ("us", "US"), ("PRC", "CN"),
    ("DPRK", "KP"), ("ROK", "KR"), ("UAE", "AE"), ("CN", "CN"), ("cn", "CN"), ("CHN", "CN"),
    ("GBR", "GB"), ("NO", "NO"), ("CAN", "CA"), ("HK", "HK"), ("MO", "MO"), ("TW", "TW"),
    # names, in ISO's word order and the usual one
    ("China", "CN"), ("People's Republic of China", "CN"), ("Korea, Republic of", "KR"),
    ("Republic of Korea", "KR"), ("Democratic People's Republic of Korea", "KP"),
    ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"), ("the Netherlands", "NL"),
    ("Türkiye", "TR"), ("Turkey", "TR"), ("Viet Nam", "VN"), ("Lao PDR", "LA"), ("Guinea", "GN"),
    ("Dominican Republic", "DO"), ("Democratic Republic of the Congo", "CD"),
    ("Republic of the Congo", "CG"), ("Congo-Brazzaville", "CG"), ("DRC", "CD"),
    # the special cases of the TTPS page: Taiwan and Macao are never CN
    ("Republic of China", "TW"), ("ROC", "TW"), ("Chinese Taipei", "TW"), ("中華民國", "TW"),
    ("中国台湾", "TW"), ("Taiwan, Province of China", "TW"), ("Macao SAR", "MO"), ("Macau", "MO"),
    ("Macao, China", "MO"), ("澳門", "MO"), ("澳门特别行政区", "MO"), ("Hong Kong", "HK"),
    ("Hongkonger", "HK"), ("HKSAR", "HK"), ("Hong Kong permanent resident", "HK"), ("中国香港", "HK"),
    ("香港永久性居民", "HK"),
    ("mainland Chinese", "CN-MAINLAND"), ("Chinese resident of the Mainland", "CN-MAINLAND"),
    ("Chinese from the mainland", "CN-MAINLAND"), ("中国大陆", "CN-MAINLAND"), ("內地居民", "CN-MAINLAND"),
    ("PRC passport holder living overseas", "CN-OVERSEAS"), ("华侨", "CN-OVERSEAS"),
    ("華僑", "CN-OVERSEAS"), ("CN-MAINLAND", "CN-MAINLAND"), ("cn-overseas", "CN-OVERSEAS"),
    # Chinese names in both scripts
    ("中国", "CN"), ("中國", "CN"), ("中国人", "CN"), ("我是中國人", "CN"), ("英国", "GB"), ("英國", "GB"),
    ("美国", "US"), ("美國", "US"), ("越南", "VN"), ("老挝", "LA"), ("老撾", "LA"), ("寮國", "LA"),
    ("尼泊尔", "NP"), ("尼泊爾", "NP"), ("阿富汗", "AF"), ("古巴", "CU"), ("朝鲜", "KP"), ("北韓", "KP"),
    ("韩国", "KR"), ("南韓", "KR"), ("日本", "JP"), ("新加坡", "SG"), ("印度尼西亚", "ID"), ("印度", "IN"),
    ("台灣", "TW"), ("臺灣", "TW"), ("台湾", "TW"), ("香港人", "HK"), ("我係香港人", "HK"),
    # the words around the answer
    ("I'm a Cuban citizen", "CU"), ("I am British", "GB"), ("my nationality is Vietnamese", "VN"),
    ("Japanese national", "JP"), ("a citizen of Nepal", "NP"), ("Hong Kong Chinese", "HK"),
]

# (typed, candidate codes, note): several nationalities fit, so the person must say which.
AMBIGUOUS = [
    ("Korean", ["KR", "KP"], "nat.korea_which"),
    ("korea", ["KR", "KP"], "nat.korea_which"),
    ("I'm from Korea", ["KR", "KP"], "nat.korea_which"),
    ("Congolese", ["CD", "CG"], "nat.which_country"),
    ("Congo", ["CD", "CG"], "nat.which_country"),
    ("刚果", ["CD", "CG"], "nat.which_country"),
    ("Guinean", ["GN", "GW", "GQ"], "nat.which_country"),
    ("Dominican", ["DO", "DM"], "nat.which_country"),
    ("Northern Irish", ["GB", "IE"], "nat.which_country"),
    ("British and Irish", ["GB", "IE"], "nat.several_countries"),
    ("Malaysian Chinese", ["MY", "CN"], "nat.several_countries"),
    ("Chinese passport, live in Germany", ["CN", "DE"], "nat.several_countries"),
    ("overseas Chinese", ["CN-OVERSEAS"], "nat.overseas_chinese_passport"),
    ("Hong Kong resident", ["HK"], "nat.hk_resident_which"),
    # spelling corrections are offered, never accepted
    ("Vietnamse", ["VN"], "nat.did_you_mean"),
    ("Brtish", ["GB"], "nat.did_you_mean"),
    ("Germny", ["DE"], "nat.did_you_mean"),
    ("Phillipines", ["PH"], "nat.did_you_mean"),
    ("Columbian", ["CO"], "nat.did_you_mean"),
    ("Koren", ["KR", "KP"], "nat.did_you_mean"),
]

NOT_FOUND = ["Narnia", "no", "yes", "skip", "I don't know", "hello", "", "   ", "African", "Arab",
             "Asian", "European", "Bissau", "can", "n/a"]


@pytest.mark.parametrize("typed,code", MATCHED)
def test_matched(typed, code):
    result = resolve_nationality(typed)
    assert (result.status, result.code) == ("matched", code), result


@pytest.mark.parametrize("typed,codes,note", AMBIGUOUS)
def test_ambiguous(typed, codes, note):
    result = resolve_nationality(typed)
    assert result.status == "ambiguous" and result.code is None, result
    assert [c for c, _ in result.candidates] == codes
    assert result.note == note


@pytest.mark.parametrize("typed", NOT_FOUND)
def test_not_found(typed):
    result = resolve_nationality(typed)
    assert (result.status, result.code, result.candidates) == ("not_found", None, [])


def test_result_shape():
    r = resolve_nationality("Korean")
    assert isinstance(r, NationalityResult)
    assert all(isinstance(c, str) and isinstance(n, str) for c, n in r.candidates)
    assert dict(r.candidates)["KP"].startswith("North Korea")
    # results are fresh objects: a caller changing one does not change the next answer
    r.candidates.clear()
    assert resolve_nationality("Korean").candidates


def test_plain_chinese_is_china_with_the_residence_statuses_to_ask_about():
    r = resolve_nationality("Chinese")
    assert (r.status, r.code, r.note) == ("matched", "CN", "nat.cn_residence")
    assert [c for c, _ in r.candidates] == ["CN-MAINLAND", "CN-OVERSEAS", "HK", "MO", "TW"]


@pytest.mark.parametrize("code,note", [("CN-MAINLAND", "nat.cn_mainland"),
                                       ("CN-OVERSEAS", "nat.cn_overseas"),
                                       ("HK", "nat.hk_permanent_resident"),
                                       ("MO", "nat.macao_resident"), ("TW", "nat.taiwan_resident"),
                                       ("GB", None)])
def test_special_codes_carry_their_note(code, note):
    assert resolve_nationality(code).note == note


def test_every_note_is_a_locale_key():
    texts = templates("en")["nationality"]
    notes = {resolve_nationality(t).note for t, _ in MATCHED} | {n for _, _, n in AMBIGUOUS}
    for note in notes - {None}:
        assert texts[note], note


def test_the_residence_statuses_are_checked_as_chinese_or_as_themselves():
    assert national_of("CN-MAINLAND") == national_of("CN-OVERSEAS") == "CN"
    assert national_of("TW") == "TW" and national_of("MO") == "MO" and national_of("KP") == "KP"


@pytest.mark.parametrize("code,lang,name", [
    ("KP", "en", "North Korea (Democratic People's Republic of Korea)"), ("CU", "en", "Cuba"),
    ("GB", "zh-Hans", "英国"), ("GB", "zh-Hant", "英國"), ("LA", "zh-Hans", "老挝"),
    ("LA", "zh-Hant", "老撾"), ("KP", "zh-Hant", "北韓"), ("TW", "zh-Hans", "台湾（台湾居民）"),
    ("CN-MAINLAND", "en", "China (resident of the Mainland)"), ("VN", "zh_TW", "越南"),
])
def test_nationality_name(code, lang, name):
    assert nationality_name(code, lang) == name


def test_nationality_name_rejects_unknown_codes():
    with pytest.raises(ValueError):
        nationality_name("XX")


def test_engine_input_takes_codes_names_and_special_codes():
    assert normalise_nationality("Cuban") == "CU"
    assert normalise_nationality("Republic of China") == "TW"
    assert normalise_nationality("Macao SAR") == "MO"
    assert Facts(nationality="CN-MAINLAND").nationality == "CN-MAINLAND"
    assert Facts(nationality="Vietnam").nationality == "VN"


@pytest.mark.parametrize("typed,fragment", [("Korean", "North Korea"), ("Vietnamse", "did you mean"),
                                            ("Narnia", "not a country")])
def test_engine_input_refuses_what_needs_a_question(typed, fragment):
    with pytest.raises(ValueError) as exc:
        normalise_nationality(typed)
    assert fragment in str(exc.value)
    with pytest.raises(ValueError):
        Facts(nationality=typed)


def _data():
    import yaml
    from ttps_logic.params import DATA_DIR
    return yaml.safe_load((DATA_DIR / "nationalities.yaml").read_text(encoding="utf-8"))


def test_every_iso_name_resolves_to_its_code_unless_listed_as_ambiguous():
    import pycountry
    from ttps_logic.nationality import normalise
    ambiguous = {normalise(w) for w in _data()["ambiguous"]}
    wrong = []
    for country in pycountry.countries:
        for name in {country.name, getattr(country, "common_name", country.name)}:
            if normalise(name) in ambiguous:
                assert resolve_nationality(name).status == "ambiguous", name
                continue
            r = resolve_nationality(name)
            if (r.status, r.code) != ("matched", country.alpha_2):
                wrong.append((name, r.status, r.code))
    assert wrong == []


def test_every_alias_in_the_data_resolves_to_its_code():
    wrong = []
    for code, words in _data()["aliases"].items():
        for word in words:
            r = resolve_nationality(str(word))
            if (r.status, r.code) != ("matched", code):
                wrong.append((word, code, r.status, r.code))
    assert wrong == []


def test_no_word_is_listed_for_two_codes():
    from ttps_logic.nationality import normalise
    seen = {}
    for code, words in _data()["aliases"].items():
        for word in words:
            key = normalise(str(word))
            assert seen.setdefault(key, code) == code, (word, seen[key], code)


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "zh_HK"])
def test_every_chinese_country_name_resolves_unless_listed_as_ambiguous(locale):
    import pycountry
    from ttps_logic.nationality import _catalogue, normalise
    ambiguous = {normalise(w) for w in _data()["ambiguous"]}
    catalogue = _catalogue(locale)
    wrong = []
    for country in pycountry.countries:
        name = catalogue.gettext(getattr(country, "common_name", None) or country.name)
        if normalise(name) in ambiguous:
            continue
        r = resolve_nationality(name)
        if (r.status, r.code) != ("matched", country.alpha_2):
            wrong.append((name, country.alpha_2, r.status, r.code))
    assert wrong == []
