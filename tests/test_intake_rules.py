"""Intake rules on texts written for these tests (other incidents, other wording than the
development excerpts): dates, places, figures, actors and claims, matching, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from panjmap.intake import CANDIDATE_FIELDS, propose
from panjmap.intake.casualties import find_casualties, total
from panjmap.intake.dates import DateFinder
from panjmap.intake.gazetteer import load_gazetteer
from panjmap.intake.lang import available_languages, load_lang
from panjmap.intake.solar_hijri import to_gregorian
from panjmap.paths import ROOT

TODAY = dt.date(2026, 11, 30)


def one(text: str, published: str | None = None, lang: str | None = None) -> dict:
    pub = dt.date.fromisoformat(published) if published else None
    candidates = propose(text, published=pub, lang=lang, today=TODAY).candidates
    assert len(candidates) == 1, candidates
    return candidates[0]


def dates(code: str, text: str, published: dt.date | None) -> list[tuple[str, str, str]]:
    finder = DateFinder(load_lang(code), published, today=TODAY)
    return [(m.first.isoformat(), m.last.isoformat(), m.kind) for m in finder.find(text) if m.year_known]


# ----------------------------------------------------------------------------- dates


def test_solar_hijri_conversion():
    assert to_gregorian(1404, 10, 28) == dt.date(2026, 1, 18)
    assert to_gregorian(1404, 1, 1) == dt.date(2025, 3, 21)
    assert to_gregorian(1403, 12, 30) == dt.date(2025, 3, 20)  # a leap year's last day
    with pytest.raises(ValueError):
        to_gregorian(1404, 12, 31)


def test_relative_days_count_back_from_publication():
    pub = dt.date(2025, 3, 6)  # a Thursday
    assert dates("en", "Gunmen opened fire on a patrol late on Tuesday.", pub) == [("2025-03-04", "2025-03-04", "event")]
    assert dates("en", "A guard was wounded last night.", pub) == [("2025-03-05", "2025-03-06", "event")]
    assert dates("ru", "Вчера на заставе произошла перестрелка.", pub) == [("2025-03-05", "2025-03-05", "event")]
    assert dates("zh", "昨天边境发生交火。", pub) == [("2025-03-05", "2025-03-05", "event")]
    assert dates("fa", "این درگیری روز سه‌شنبه رخ داد.", pub) == [("2025-03-04", "2025-03-04", "event")]


def test_nights_span_two_days():
    pub = dt.date(2026, 1, 20)
    assert dates("ru", "Нарушители пересекли границу в ночь на 18 января.", pub) == [("2026-01-17", "2026-01-18", "event")]
    assert dates("en", "The clash broke out on the night of 23–24 December.", dt.date(2025, 12, 26)) == [
        ("2025-12-23", "2025-12-24", "event")]
    assert dates("en", "On the night of 3 March a post came under fire.", dt.date(2025, 3, 9)) == [
        ("2025-03-03", "2025-03-04", "event")]


def test_solar_hijri_dates_in_text():
    assert dates("en", "The Taliban said the clash took place on 28 Jadi 1404 in Badakhshan.", None) == [
        ("2026-01-18", "2026-01-18", "event")]
    assert dates("fa", "درگیری در ۲۸ جدی ۱۴۰۴ رخ داد.", None) == [("2026-01-18", "2026-01-18", "event")]


def test_statement_dates_are_not_event_dates():
    found = dates("en", "The ministry said on Friday that two workers were killed on Wednesday.", dt.date(2025, 6, 14))
    assert found == [("2025-06-13", "2025-06-13", "statement"), ("2025-06-11", "2025-06-11", "event")]
    found = dates("ru", "Сегодня, 5 марта, ведомство заявило о нападении.", dt.date(2025, 3, 5))
    assert {kind for *_, kind in found} == {"statement"}


def test_a_day_without_year_or_publication_is_not_guessed():
    cand = one("Gunmen killed two Chinese engineers near the village of Khumdon in Vanj district on 12 April.")
    assert cand["event_date"] is None and cand["end_date"] is None
    assert "no year" in cand["evidence"]["event_date"]["note"]
    assert cand["admin2"] == "Vanj"


def test_a_stated_weekday_fixes_the_year():
    cand = one("A border guard was killed late on Friday, 16 May, in Ishkoshim district, officials said.")
    assert (cand["event_date"], cand["time_precision"]) == ("2025-05-16", 1)  # 16 May was a Friday in 2025


def test_vague_periods_widen_the_range_and_set_precision():
    cand = one("Smugglers clashed with Tajik border guards in Panj district last week; one smuggler was killed.",
               published="2025-04-17")  # a Thursday: last week is Monday 7 to Sunday 13 April
    assert (cand["event_date"], cand["end_date"], cand["time_precision"]) == ("2025-04-07", "2025-04-13", 2)
    assert cand["fatalities"] == 1


def test_no_date_at_all_is_the_week_before_publication():
    cand = one("Тело пограничника нашли в Фархорском районе Хатлонской области. Он был убит.", published="2025-02-10")
    assert (cand["event_date"], cand["end_date"], cand["time_precision"]) == ("2025-02-04", "2025-02-10", 2)
    assert "no date stated" in cand["evidence"]["event_date"]["note"]


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("code", "text", "killed", "injured"), [
    ("en", "Two Chinese engineers were killed and a third was wounded.", 2, None),
    ("en", "The blast killed four soldiers and injured eleven others.", 4, 11),
    ("ru", "Погибли четверо военнослужащих, ещё пятеро получили ранения.", 4, 5),
    ("ru", "Трое граждан Китая были убиты.", 3, None),
    ("zh", "袭击造成两名中国工人死亡，四人受伤。", 2, 4),
    ("fa", "در این حمله چهار مرزبان کشته و دو نفر زخمی شدند.", 4, 2),
    ("tk", "Hüjümde iki serhetçi öldi.", 2, None),
])
def test_number_words_per_language(code, text, killed, injured):
    figures = find_casualties(text, load_lang(code))
    assert total(figures, "killed") == killed
    assert total(figures, "injured") == injured


def test_neutralised_and_detained_are_not_deaths():
    lang = load_lang("ru")
    figures = find_casualties("Все четверо нарушителей были нейтрализованы, ещё двое задержаны.", lang)
    assert total(figures, "killed") is None
    assert total(figures, "neutralised") == 4
    assert total(figures, "detained") == 2


def test_groups_add_up_and_repeats_count_once():
    lang = load_lang("en")
    figures = find_casualties("Two border guards and three gunmen were killed in the fighting.", lang)
    figures += find_casualties("The two border guards killed were buried on Sunday.", lang)
    assert total(figures, "killed") == 5


def test_not_reported_is_null_and_none_is_zero():
    cand = one("Shots were fired at a Tajik post in Shamsiddin Shohin district on 3 March 2025.")
    assert cand["fatalities"] is None and cand["injuries"] is None
    assert cand["evidence"]["fatalities"]["note"] == "not reported"
    cand = one("Shots were fired at a Tajik post in Shamsiddin Shohin district on 3 March 2025. There were no casualties.")
    assert cand["fatalities"] == 0 and cand["injuries"] == 0


def test_numbers_in_dates_times_and_weapons_are_not_casualties():
    lang = load_lang("en")
    assert find_casualties("On 12 May at 18:45 three M-16 rifles were seized and no one was killed.", lang) == []


# ----------------------------------------------------------------------------- places


def test_inflected_russian_district_and_unknown_village():
    cand = one("В ночь на 18 января в селе Нижний Кумбел Фархорского района Хатлонской области погибли двое пограничников.",
               published="2026-01-19")
    assert (cand["admin2"], cand["admin1"], cand["country"]) == ("Farkhor", "Khatlon Region", "Tajikistan")
    assert cand["geo_precision"] == 2 and cand["latitude"] is not None
    assert cand["reported_location"] and cand["reported_location"].startswith("Нижний")
    assert "not in the gazetteer" in cand["evidence"]["location"]["note"]
    assert (cand["event_date"], cand["end_date"], cand["fatalities"]) == ("2026-01-17", "2026-01-18", 2)


def test_a_gazetteer_village_is_placed_exactly():
    cand = one("Two civilians were wounded when shells hit Qalaikhumb on 2 July 2024.")
    assert (cand["location"], cand["geo_precision"], cand["admin2"]) == ("Qalaikhumb", 1, "Darvoz")


def test_unknown_place_is_left_empty_and_said_so():
    cand = one("Gunmen attacked a convoy on 9 August 2025, killing three drivers.")
    assert all(cand[k] is None for k in ("location", "latitude", "longitude", "geo_precision", "admin1", "admin2"))
    assert "no place named" in cand["evidence"]["location"]["note"]


def test_the_place_attackers_came_from_is_not_the_event_place():
    cand = one("On 4 May 2025 militants crossed from Khwahan district of Afghanistan and attacked a post in Darvoz district, "
               "killing one guard.")
    assert cand["admin2"] == "Darvoz"


def test_persian_and_chinese_place_names():
    gaz = load_gazetteer()
    assert {m.place.admin2 for m in gaz.find("درگیری در شهرستان فرخار", load_lang("fa"))} <= {None}  # Farkhar (Takhar) is not in the gazetteer
    assert "Chah Ab" in {m.place.admin2 for m in gaz.find("در ولسوالی چاه آب ولایت تخار", load_lang("fa"))}
    assert "Panj" in {m.place.admin2 for m in gaz.find("塔吉克斯坦哈特隆州喷赤区发生袭击", load_lang("zh"))}


def test_the_river_is_not_the_district():
    gaz = load_gazetteer()
    assert not [m for m in gaz.find("Boats crossed the Panj River at night.", load_lang("en")) if m.place.admin2 == "Panj"]


# ----------------------------------------------------------------------------- events, actors, claims


def test_event_types_and_actors():
    drone = one("A drone dropped grenades on a Chinese workers' camp in Hamadoni district on 3 June 2025, "
                "killing one Chinese worker. The attack came from Afghanistan.")
    assert (drone["event_type"], drone["sub_event_type"]) == ("Explosions/Remote violence", "Air/drone strike")
    assert {a["actor"] for a in drone["actors"]} == {"Unidentified Armed Group (Afghanistan)", "Civilians (China)"}
    clash = one("Пограничники вступили в перестрелку с контрабандистами 5 мая 2025 года в Пянджском районе. "
                "Погибли двое контрабандистов.")
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")


def test_claims_with_stances():
    cand = one("Militants attacked a post in Vanj district on 2 April 2025, killing a guard. "
               "Tajik authorities blamed ISKP for the attack. The Taliban denied any involvement of Taliban fighters.")
    stances = {(c["actor"], c["stance"]) for c in cand["claims"]}
    assert ("Islamic State Khorasan Province (ISKP)", "accused") in stances
    assert ("Taliban", "denied") in stances
    assert all(c["quote"] in cand["evidence"]["event_type"]["quote"] or c["quote"] for c in cand["claims"])


# ----------------------------------------------------------------------------- matching records


def test_a_report_of_a_recorded_event_is_proposed_as_a_new_source_with_conflicts():
    cand = one("Four Chinese workers were killed on 30 November 2025 in Darvoz district of GBAO.")
    match = next(m for m in cand["matches"] if m["incident_id"] == "PNJ029")
    assert {"field": "fatalities", "record": 2, "proposed": 4} in match["conflicts"]
    assert "new source" in match["proposal"]


def test_no_match_in_another_district():
    cand = one("Four Chinese workers were killed on 30 November 2025 in Vanj district.")
    assert cand["matches"] == []


# ----------------------------------------------------------------------------- interface


def test_every_field_is_present_and_quoted_from_the_text():
    text = "URL: https://example.org/a\nTitle: Clash\nDate: 2025-05-10\n\nTwo border guards were killed in Panj district on Friday."
    proposal = propose(text, today=TODAY)
    assert proposal.source.as_dict()["published"] == "2025-05-10"
    cand = proposal.candidates[0]
    assert set(CANDIDATE_FIELDS) <= set(cand)
    assert set(cand) - {"evidence"} <= set(cand["evidence"])  # every field says where it came from
    assert cand["event_date"] == "2025-05-09"
    body = text.split("\n\n", 1)[1]
    for field in ("event_date", "location", "fatalities"):
        assert cand["evidence"][field]["quote"] in body


def test_published_argument_overrides_the_header():
    text = "Date: 2025-05-10\n\nTwo border guards were killed in Panj district yesterday."
    assert propose(text, published=dt.date(2025, 6, 2), today=TODAY).candidates[0]["event_date"] == "2025-06-01"


def test_a_new_language_is_a_file():
    assert {"en", "ru", "fa", "zh", "tk", "bn"} <= set(available_languages())
    with pytest.raises(ValueError, match="known"):
        load_lang("xx")


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "panjmap", "intake", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_cli_json_and_text(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("URL: https://example.org/x\nTitle: t\nDate: unknown\n\n"
                       "Двое пограничников погибли 3 марта 2025 года в Шугнанском районе ГБАО.", encoding="utf-8")
    result = _cli(str(article), "--published", "2025-03-04")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source"]["published"] == "2025-03-04" and data["source"]["language"] == "ru"
    cand = data["candidates"][0]
    assert (cand["event_date"], cand["admin2"], cand["fatalities"]) == ("2025-03-03", "Shughnon", 2)
    text = _cli(str(article), "--format", "text")
    assert text.returncode == 0 and "Shughnon" in text.stdout and "evidence" in text.stdout


def test_cli_bad_input_is_a_clear_message(tmp_path):
    missing = _cli(str(tmp_path / "none.txt"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    article = tmp_path / "a.txt"
    article.write_text("text", encoding="utf-8")
    bad_date = _cli(str(article), "--published", "2025-02-30")
    assert bad_date.returncode == 2 and "--published" in bad_date.stderr
    bad_lang = _cli(str(article), "--lang", "xx")
    assert bad_lang.returncode == 2 and "known" in bad_lang.stderr


# ----------------------------------------------------------------------------- later additions


def test_deaths_told_without_a_number_take_the_count_given_before():
    cand = one("On 2 February 2025 four gunmen crossed into Panj district from Afghanistan. "
               "They refused to surrender and were killed by border guards.")
    assert cand["fatalities"] == 4
    cand = one("Пограничники обнаружили двух нарушителей 2 февраля 2025 года в Пянджском районе. "
               "Оба нарушителя были нейтрализованы, то есть, очевидно, убиты.")
    assert cand["fatalities"] is None and cand["neutralised"] == 2  # a hedged inference is not a stated death


def test_a_post_named_before_its_marker_is_reported():
    cand = one("Militants fired on the Khirmandjo border post in Darvoz district on 5 October 2025, wounding a guard.")
    assert (cand["admin2"], cand["reported_location"], cand["geo_precision"]) == ("Darvoz", "Khirmandjo", 2)


def test_night_from_to_and_consecutive_days():
    pub = dt.date(2026, 1, 20)
    assert dates("ru", "Бой произошёл в ночь с 17 на 18 января.", pub) == [("2026-01-17", "2026-01-18", "event")]
    assert dates("en", "Fighting went on over 17 and 18 January.", pub) == [("2026-01-17", "2026-01-18", "event")]
    assert dates("en", "Attacks on Jan. 5 left two dead.", pub) == [("2026-01-05", "2026-01-05", "event")]


def test_two_listed_days_sum_up_two_events():
    proposal = propose("Date: 2025-12-10\n\nIn attacks on 26 and 30 November five workers were killed in Tajikistan.",
                       today=TODAY)
    assert proposal.candidates == []


def test_other_incidents_in_other_styles():
    """Texts written in the styles of Afghan, Russian, Persian and Chinese reporting on other incidents."""
    cand = one("A clash broke out between Taliban forces and Tajik border guards in the Khwahan district of "
               "Badakhshan province on Thursday evening, local sources told Amu TV. One Taliban fighter was killed "
               "and two others were wounded, the sources said.", published="2025-08-22")
    assert (cand["event_date"], cand["admin2"], cand["country"]) == ("2025-08-21", "Khwahan", "Afghanistan")
    assert (cand["fatalities"], cand["injuries"], cand["event_type"]) == (1, 2, "Battles")
    assert [a["actor"] for a in cand["actors"]] == ["Military Forces of Tajikistan (1992-) Border Troops", "Taliban"]
    cand = one("به گزارش منابع محلی، شب گذشته در ولسوالی شهر بزرگ ولایت بدخشان درگیری میان نیروهای طالبان و "
               "مرزبانان تاجیکستان رخ داد که در نتیجه آن دو تن از نیروهای طالبان کشته شدند.", published="2025-10-05")
    assert (cand["event_date"], cand["end_date"], cand["admin2"], cand["fatalities"]) == ("2025-10-04", "2025-10-05", "Shahri Buzurg", 2)
    cand = one("新华社杜尚别1月19日电 塔吉克斯坦国家安全委员会19日说，18日凌晨，3名武装分子从阿富汗越境进入塔吉克斯坦"
               "哈特隆州喷赤区，与边防军交火，2名武装分子被击毙，1名边防军人受伤。", published="2026-01-19")
    assert (cand["event_date"], cand["admin2"], cand["fatalities"], cand["injuries"]) == ("2026-01-18", "Panj", 2, 1)
    cand = one("A Chinese citizen was killed and five others were injured when unknown gunmen attacked a gold-mining "
               "site in the Shamsiddin Shohin district last week, sources told RFE/RL. Four of the injured are Chinese "
               "citizens and one is a Tajik national.", published="2024-11-20")
    assert (cand["event_date"], cand["end_date"], cand["fatalities"], cand["injuries"]) == ("2024-11-11", "2024-11-17", 1, 5)


def test_claims_point_at_who_is_blamed_not_who_speaks():
    cand = one("The Islamic Emirate's Ministry of Defense said Tajik forces fired mortar rounds at a post in Darwaz "
               "district of Badakhshan on 3 January 2026, killing a soldier. The ministry blamed the Tajik side for the "
               "shelling and said Kabul will not tolerate aggression. Tajik officials denied that their forces fired first.")
    stances = {(c["actor"], c["stance"]) for c in cand["claims"]}
    assert stances == {("Government of Tajikistan (1992-)", "accused"), ("Government of Tajikistan (1992-)", "denied")}
    assert cand["fatalities"] == 1


def test_without_publication_date_a_full_date_in_the_text_gives_the_year():
    text = ("Title: unknown\nDate: unknown\n\nOn 18 January 2026 the border troops said two intruders were killed in "
            "Panj district. It was the second clash since a firefight in Farkhor district on 30 December, in which "
            "one guard was killed.")
    candidates = propose(text, today=TODAY).candidates
    farkhor = next(c for c in candidates if c["admin2"] == "Farkhor")
    assert farkhor["event_date"] == "2025-12-30"
    assert "year from a date written in full" in farkhor["evidence"]["event_date"]["note"]
    url = "URL: https://example.org/page/202511/1.shtml\nDate: unknown\n\nTwo guards were killed in Vanj district on 3 November."
    assert propose(url, today=TODAY).candidates[0]["event_date"] == "2025-11-03"


def test_tajik_is_a_language_file():
    cand = one("Кумитаи давлатии амнияти миллии Тоҷикистон иттилоъ дод, ки шаби 23 декабри соли 2025 се нафар аъзои "
               "ташкилоти террористӣ аз ҳудуди Афғонистон ба ноҳияи Шамсиддин Шоҳин ворид шуданд. Дар натиҷаи задухӯрд "
               "ду сарҳадбон ҳалок шуданд ва ҳар се террорист безарар гардонида шуданд.")
    assert propose("Дар ноҳияи Панҷ ду сарҳадбон ҳалок шуданд, ҳафт нафар захмӣ шуданд.").source.language == "tg"
    assert (cand["event_date"], cand["end_date"], cand["admin2"]) == ("2025-12-23", "2025-12-24", "Shamsiddin Shohin")
    assert (cand["fatalities"], cand["neutralised"], cand["event_type"]) == (2, 3, "Battles")
    assert [a["actor"] for a in cand["actors"]] == ["Military Forces of Tajikistan (1992-) Border Troops",
                                                    "Unidentified Armed Group (Afghanistan)"]


def test_border_troops_striking_intruders_and_a_timeline():
    cand = one("URL: https://example.org/ru/news/2025/11/22/dron\nDate: unknown\n\n"
               "Пограничные войска ГКНБ Таджикистана впервые применили ударный беспилотник против нарушителей границы. "
               "В ночь на 20 ноября группа контрабандистов пыталась переправиться через реку Пяндж в Хамадонийском "
               "районе. Двое нарушителей были уничтожены с помощью дрона. Пострадавших среди пограничников нет.")
    assert (cand["event_date"], cand["end_date"], cand["admin2"], cand["fatalities"]) == ("2025-11-19", "2025-11-20", "Hamadoni", 2)
    assert cand["sub_event_type"] == "Air/drone strike"
    assert [a["actor"] for a in cand["actors"]] == ["Military Forces of Tajikistan (1992-) Border Troops", "Drug smugglers"]
    assert "weekday" not in cand["evidence"]["event_date"]["note"]  # "среди" is not Wednesday
    timeline = propose("Date: 2026-01-05\n\nIn January 2025, Tajik and Taliban border forces exchanged fire near Darvoz. "
                       "On 21 August 2025, a Taliban fighter was killed in a firefight with Tajik guards in Khwahan "
                       "district. The deadliest day came on 24 December 2025, when two Tajik border guards and three "
                       "militants were killed in Shamsiddin Shohin district.", today=TODAY).candidates
    got = [(c["event_date"], c["time_precision"], c["admin2"], c["fatalities"], c["event_type"]) for c in timeline]
    assert got == [("2025-01-01", 3, "Darvoz", None, "Battles"), ("2025-08-21", 1, "Khwahan", 1, "Battles"),
                   ("2025-12-24", 1, "Shamsiddin Shohin", 5, "Battles")]


def test_quotes_are_verbatim_even_where_digits_are_read_as_ascii():
    text = "Date: 2026-01-20\n\nدر درگیری ۲۸ جدی ۱۴۰۴ در ولسوالی شهر بزرگ دو مرزبان کشته شدند."
    cand = one(text)
    assert cand["event_date"] == "2026-01-18" and cand["fatalities"] == 2
    body = text.split("\n\n", 1)[1]
    assert cand["evidence"]["event_date"]["quote"] == body
    assert cand["evidence"]["fatalities"]["quote"] == body


def test_the_headline_is_read_when_the_body_does_not_repeat_it():
    cand = one("Title: Two Tajik border guards killed in Vanj district\nDate: 2025-07-03\n\n"
               "The incident happened on Tuesday near the border, officials said.")
    assert (cand["event_date"], cand["admin2"], cand["fatalities"]) == ("2025-07-01", "Vanj", 2)
    assert cand["evidence"]["fatalities"]["quote"] == "Two Tajik border guards killed in Vanj district"


@pytest.mark.parametrize(("text", "sub_type"), [
    ("Two Chinese engineers were kidnapped by gunmen in Vanj district on 4 June 2025.", "Abduction/forced disappearance"),
    ("Пограничник подорвался на самодельном взрывном устройстве в Шугнанском районе 4 июня 2025 года и погиб.",
     "Remote explosive/landmine/IED"),
    ("Three smugglers were arrested in Farkhor district on 4 June 2025.", "Arrests"),
])
def test_other_event_sub_types(text, sub_type):
    assert one(text)["sub_event_type"] == sub_type


def test_the_shared_actor_dictionary_names_actors_when_present(monkeypatch):
    """panjmap.actors (seeds/actors.csv) decides canonical names once it exists; a stand-in here."""
    import types

    class Dictionary:
        names = {"criminal groups": "Criminal groups in Afghanistan", "taliban": "Taliban"}

        def canonical(self, name):
            return self.names.get(name.lower())

    module = types.ModuleType("panjmap.actors")
    module.load_actors = Dictionary
    monkeypatch.setitem(sys.modules, "panjmap.actors", module)
    cand = one("Gunmen attacked a post in Vanj district on 2 April 2025, killing a guard. "
               "Tajik authorities blamed criminal groups for the attack, and the Taliban denied it.")
    claims = {(c["actor"], c["stance"]) for c in cand["claims"]}
    assert claims == {("Criminal groups in Afghanistan", "accused"), ("Taliban", "denied")}


def test_a_vague_date_told_before_the_exact_one():
    cand = one("Date: 2025-06-06\n\nEarlier this week two Tajik border guards were killed in Rushon district. "
               "The clash took place on Tuesday, 3 June, officials said.")
    assert (cand["event_date"], cand["admin2"], cand["fatalities"]) == ("2025-06-03", "Rushon", 2)
    assert "Tuesday, 3 June" in cand["evidence"]["event_date"]["quote"]


def test_another_and_a_post_in_quotes():
    cand = one("A Tajik border guard was killed and another was wounded in a shootout with drug traffickers near the "
               "village of Ayvaj in the Shahritus district in the early hours of Saturday.", published="2025-10-12")
    assert (cand["event_date"], cand["fatalities"], cand["injuries"]) == ("2025-10-11", 1, 1)
    assert (cand["admin2"], cand["reported_location"]) == ("Shahritus", "Ayvaj")
    assert [a["actor"] for a in cand["actors"]] == ["Military Forces of Tajikistan (1992-) Border Troops", "Drug smugglers"]
    cand = one("Вечером 6 июля со стороны Афганистана был открыт огонь по пограничной заставе «Хирманджо» в Ванчском "
               "районе ГБАО. В результате обстрела ранение получил один военнослужащий. Талибы отрицают причастность.",
               published="2025-07-08")
    assert (cand["event_date"], cand["admin2"], cand["reported_location"], cand["injuries"]) == ("2025-07-06", "Vanj", "Хирманджо", 1)
    assert {(c["actor"], c["stance"]) for c in cand["claims"]} == {("Taliban", "denied")}


def test_turkish_and_urdu_are_language_files():
    tr = propose("Date: 2025-12-26\n\nTacikistan'ın Afganistan sınırında 24 Aralık'ta çıkan çatışmada iki Tacik sınır "
                 "muhafızı ve üç militan hayatını kaybetti. Olay Şemseddin Şohin bölgesinde meydana geldi.", today=TODAY)
    assert tr.source.language == "tr"
    cand = tr.candidates[0]
    assert (cand["event_date"], cand["fatalities"], cand["event_type"]) == ("2025-12-24", 5, "Battles")
    ur = propose("Date: 2025-11-28\n\nتاجکستان کے ضلع شمس الدین شاہین میں بدھ کی رات ڈرون حملے میں تین چینی شہری ہلاک اور "
                 "ایک زخمی ہو گیا۔", today=TODAY)
    assert ur.source.language == "ur"
    cand = ur.candidates[0]
    assert (cand["event_date"], cand["fatalities"], cand["injuries"], cand["sub_event_type"]) == (
        "2025-11-26", 3, 1, "Air/drone strike")
    assert cand["admin2"] == "Shamsiddin Shohin"  # the Persian name, read through Urdu letter forms


def test_arabic_letter_forms_in_persian_text():
    cand = one("Date: 2025-12-25\n\nدرگيري در ولسوالي شهر بزرگ ولايت بدخشان دو مرزبان كشته شدند.")
    assert (cand["admin2"], cand["fatalities"]) == ("Shahri Buzurg", 2)


def test_numeric_dates():
    assert dates("ru", "Инцидент произошёл 23.12.2025 в 23:30.", None) == [("2025-12-23", "2025-12-23", "event")]
    assert dates("en", "The attack on 2025-11-30 killed two.", None) == [("2025-11-30", "2025-11-30", "event")]
    assert dates("ru", "В 23.30 они пересекли границу.", dt.date(2025, 12, 25)) == []


@pytest.mark.parametrize(("code", "text", "first", "last"), [
    ("en", "Two guards were killed three days ago in Vanj district.", "2025-12-23", "2025-12-23"),
    ("ru", "Два дня назад в Ванчском районе погибли двое пограничников.", "2025-12-24", "2025-12-24"),
    ("fa", "۳ روز پیش دو مرزبان کشته شدند.", "2025-12-23", "2025-12-23"),
    ("zh", "3天前两名边防军人死亡。", "2025-12-23", "2025-12-23"),
    ("en", "A guard was killed a week ago.", "2025-12-16", "2025-12-22"),
])
def test_days_ago_counted_by_dateparser(code, text, first, last):
    found = dates(code, text, dt.date(2025, 12, 26))
    assert found == [(first, last, "event")]
