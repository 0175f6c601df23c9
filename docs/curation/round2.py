"""Curation round 2 (issue 13, "Use it"): the 41 development articles in ../shared/articles/
added as sources, their evidence added to the records they report, two new responses
recorded, and everything published by a second user. Only panjmap.editorial functions are
called: the same path the app's Edit records and Review pages take.

    PANJ_DATA_DIR=/tmp/panj-round2 .venv/bin/python docs/curation/round2.py
    PANJ_DATA_DIR=/tmp/panj-round2 .venv/bin/python -m panjmap db dump seeds/

Run it from a checkout of the commit before round 2 (6dc5ce3: seeds/ holding the three founding
articles), on a fresh store (an empty PANJ_DATA_DIR), which is seeded from that seeds/ folder;
it cannot run twice on one store, since add_source refuses a text already in the library.
Articles are read from PANJ_ARTICLES (default /work/shared/articles); CHECK_ONLY=1 only checks
every quote against them, writing nothing.
Every quote is checked here against the article text before saving (records.save checks it
again against the stored source, byte for byte).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from round2_sources import FOUNDING, LANGUAGE_SUFFIX, SOURCES  # noqa: E402
from panjmap.editorial import records, review, sources  # noqa: E402
from panjmap.editorial import workspace as ws  # noqa: E402
from panjmap.editorial.records import Citation, Edit  # noqa: E402
from panjmap.identity import Identity, Role  # noqa: E402
from panjmap.store import open_store  # noqa: E402

ARTICLES = Path(os.environ.get("PANJ_ARTICLES", "/work/shared/articles"))  # ../shared/articles beside the repo
CHECK_ONLY = os.environ.get("CHECK_ONLY") == "1"  # only check every quote against the articles
PROBLEMS: list[str] = []
CURATOR = Identity("curator", Role.editor, "proxy")
REVIEWER = Identity("reviewer", Role.reviewer, "proxy")
REASON = "curation round 2: development articles of Nov-Dec 2025 (issue 13)"

store = open_store()
FILES: dict[str, str] = {}  # article prefix ("13") -> source_file in the store
TEXTS: dict[str, str] = {}
LABEL: dict[str, tuple[str, str]] = {}  # source_file -> (label, scale)


def split(path: Path) -> tuple[dict[str, str], bytes]:
    """The three header lines and the text after the blank line, bytes unchanged."""
    raw = path.read_bytes()
    head, sep, body = raw.partition(b"\n\n")
    assert sep, path
    header = dict(line.split(": ", 1) for line in head.decode("utf-8").split("\n"))
    return header, body


def add_sources() -> None:
    if CHECK_ONLY:
        for path in ARTICLES.glob("[0-9]*_*.txt"):
            prefix = path.name.split("_")[0]
            TEXTS[prefix], FILES[prefix] = split(path)[1].decode("utf-8"), path.name
        return
    for path in sorted(ARTICLES.glob("[0-9]*_*.txt"), key=lambda p: int(p.name.split("_")[0])):
        prefix = path.name.split("_")[0]
        publisher, label, scale, author = SOURCES[prefix]
        header, body = split(path)
        language = next((code for suffix, code in LANGUAGE_SUFFIX.items() if path.stem.endswith(suffix)), "en")
        published = "" if header["Date"] == "unknown" else header["Date"]
        notes = (f"Excerpt as stored by the project (../shared/articles/{path.name}); page header: URL, title "
                 f"{'unknown' if header['Title'] == 'unknown' else 'as printed'}, date "
                 f"{'unknown' if not published else published}. Added in curation round 2. "
                 f'source label in incidents.csv: "{label}".')
        meta = sources.SourceInput(title=header["Title"], publisher=publisher, author=author, language=language,
                                   published=published, url=header["URL"], notes=notes)
        FILES[prefix] = sources.add_source(store, CURATOR, body, path.name, meta)
        TEXTS[prefix] = body.decode("utf-8")
        LABEL[FILES[prefix]] = (label, scale)


def c(prefix: str, quote: str, supports: str) -> Citation:
    if "\n" in quote or quote not in TEXTS[prefix]:
        PROBLEMS.append(f"{prefix}: not verbatim: {quote}")
    return Citation(FILES[prefix], quote, supports)


def founding_labels() -> None:
    with store.reading() as conn:
        for name in ws.checked_tables(conn)[1]:
            if name[:3] in FOUNDING:
                LABEL[name] = FOUNDING[name[:3]]


def source_fields(citations: list[Citation]) -> dict[str, str]:
    """incidents.source (labels in citation order, once each) and source_scale."""
    labels = list(dict.fromkeys(LABEL[x.source_file][0] for x in citations))
    scales = {LABEL[x.source_file][1] for x in citations}
    scale = "Regional-International" if len(scales) > 1 else scales.pop()
    return {"source": "; ".join(labels), "source_scale": scale}


def current(table: str, record_id: str) -> tuple[dict, list[Citation]]:
    with store.reading() as conn:
        row = ws.current_row(conn, table, record_id)
        old = [Citation(e["source_file"], e["quote"], e["supports"]) for e in records.evidence_of(conn, record_id)]
    return row, old


def extend(record_id: str, new: list[Citation], fields: dict[str, str] | None = None, more_notes: str = "",
           table: str = "incidents") -> None:
    """Keep the record's citations, add the new ones; update fields and append to notes."""
    if CHECK_ONLY:
        return
    row, old = current(table, record_id)
    citations = old + new
    changed = dict(fields or {})
    if more_notes:
        changed["notes"] = (row["notes"] or "").rstrip() + " " + more_notes
    if table == "incidents":
        changed |= source_fields(citations)
    records.save(store, CURATOR, Edit(table, changed, record_id=record_id, version=row["version"],
                                      citations=tuple(citations), reason=REASON))


def claim(incident: str, actor: str, stance: str, claimant: str, ctype: str, prefix: str, quote: str,
          notes: str = "") -> None:
    c(prefix, quote, "")
    if CHECK_ONLY:
        return
    records.save(store, CURATOR, Edit("claims", {
        "incident_id": incident, "actor": actor, "stance": stance, "claimant": claimant, "claimant_type": ctype,
        "source_file": FILES[prefix], "quote": quote, "notes": notes}, reason=REASON))


def new_incident(template: str, fields: dict[str, str], citations: list[Citation]) -> str:
    if CHECK_ONLY:
        return "(check only)"
    row, _ = current("incidents", template)
    values = {k: row[k] or "" for k in ws.seed_fields("incidents")} | fields | source_fields(citations)
    values.pop("event_id_cnty")
    return records.save(store, CURATOR, Edit("incidents", values, citations=tuple(citations), reason=REASON)).record_id


def publish_all() -> int:
    """The second user reviews, then publishes, every draft. Publishing an incident also
    publishes its claims and evidence, so the queue is read again after each record."""
    n = 0
    while drafts := review.queue(store, ("draft",)):
        item = drafts[0]
        ref = review.set_status(store, REVIEWER, item["table"], item["id"], "reviewed", item["version"],
                                "checked against the articles (round 2)")
        review.set_status(store, REVIEWER, item["table"], item["id"], "published", ref.version, "round 2")
        n += 1
    return n


# --------------------------------------------------------------------------- the records
def nov26() -> None:
    extend("PNJ019", [
        c("13", "on the night of November 26, 2025, an armed attack was carried out from the territory of Afghanistan on the LLC Shohin SM employees’ camp located within the control area of the 1st Border Guard Post “Istiqlol” of the “Yol” Border Detachment in the Khatlon region.", "date (night of 26 Nov); place (camp, Istiqlol post, Yol detachment)"),
        c("13", "This attack was carried out using an unmanned aerial vehicle equipped with grenades and firearms. As a result of the attack, three employees of the LLC Shahin SM of Chinese citizenship were killed.", "weapon (drone with grenades, firearms); fatalities 3"),
        c("14", "The incident unfolded late on Wednesday, November 26, in Tajikistan’s southwestern Khatlon province, near the rugged Panj River", "date and time of day (late on 26 Nov)"),
        c("14", "All three victims were identified as Chinese employees of the company, with China’s embassy in Dushanbe later confirming one additional Chinese national was injured in the assault.", "fatalities 3; injuries 1"),
        c("15", "The attack targeted the LLC Shohin SM workers’ camp near the 1st Border Guard Post “Istiqlol” in the Yol Border Detachment.", "place (camp near Istiqlol post)"),
        c("16", "The Chinese Embassy in Tajikistan on Friday strongly condemned an armed attack on Wednesday evening in the border district of Shamsiddin-Shohin in Khatlon region near Afghanistan, leaving three Chinese nationals dead and one injured.", "date (Wednesday evening); district; fatalities 3; injuries 1"),
        c("17", "According to the ministry, the attackers used firearms and a drone equipped with an explosive device to strike the workers’ facility.", "weapon (explosive device, conflicting wording)"),
        c("18", "Напавшие, находясь на территории Афганистана, применили огнестрельное оружие и беспилотник, начиненный гранатами.", "weapon (drone with grenades, firearms)"),
        c("18", "инцидент произошел поздно вечером в среду, 26 ноября, в юго-западной Хатлонской области Таджикистана", "date and time of day (late evening 26 Nov)"),
        c("19", "11月26日晚間，位於塔吉克和阿富汗邊境的哈特隆州沙姆西丁．紹欣區發生武裝襲擊事件，造成3名大陸公民死亡，1名大陸公民受傷。", "date (evening 26 Nov); district; fatalities 3; injuries 1"),
        c("20", "The strike, carried out late on November 26 in Khatlon province near the Afghan border, was the second deadly attack on Chinese workers in the area within a year", "date"),
        c("22", "Тогда радикалы вторглись в Таджикистан с территории уезда Шахри Бузург провинции Бадахшан.", "origin (Shahri Buzurg district, Badakhshan)"),
        c("24", "This follows a similar attack on November 26th in the Shamshiddin Shohin district, where three Chinese employees of the Shokhin-SM company were killed and one injured.", "date; fatalities 3; injuries 1"),
        c("25", "The attack was carried out, the ministry said, “using firearms and a drone equipped with a missile.”", "weapon (drone with a missile, conflicting wording)"),
        c("25", "Other reports, such as Reuters, referred to drones dropping grenades.", "weapon (grenades)"),
        c("26", "The first attack, a night-time assault on November 26, occurred in the wake of a first-ever Tajik “neutralisation” of alleged smugglers with a drone strike", "date and time of day (night)"),
        c("28", "路透社報道指出，塔吉克斯坦當局稱，該襲擊使用了無人機投擲手榴彈——造成三名中國公民死亡。", "weapon (drone dropping grenades); fatalities 3"),
        c("30", "11月27日晚,一伙人从阿富汗那边越过来,用自动武器和无人机扔手榴弹,瞄准中国人在那干活的车辆。", "date (conflicting: evening of 27 Nov); target (conflicting: vehicles)"),
        c("39", "В начале декабря в пресс-центре Пограничных войск Государственного комитета национальной безопасности Таджикистана сообщили, что 26 и 30 ноября с территории Афганистана были совершены вооруженные нападения.", "date; origin (Afghanistan)"),
        c("41", "a November 26 attack launched from Afghanistan that left three Chinese nationals dead where assailants used a drone equipped with firearms and grenades", "date; fatalities 3; weapon"),
        c("42", "On November 26, three Chinese miners were killed in an attack in which assailants used a drone equipped with firearms and grenades, while on November 30, two Chinese roadworkers were shot dead.", "date; fatalities 3; weapon"),
        c("43", "Первая атака произошла 26 ноября: три китайских специалиста были убиты на золотодобывающем предприятии «Шохин СМ» в Хатлонской области Таджикистана.", "date; fatalities 3; target"),
        c("43", "ни одна террористическая или преступная группировка официально не заявила о своей причастности к инцидентам", "no claim of responsibility (Russian wording)"),
        c("75", "27-nji noýabrda ýaýradylan beýanatda Daşary işler ministrligi hüjümiň 26-njy noýabr gijesi Şamsiddin Şohin etrabyndaky \"Şohin SM\" altyn gazyp çykarýan kompaniýasynyň işgärleriniň bazasyna owgan tarapyndan edilendigini aýtdy.", "date (night of 26 Nov); place"),
        c("79", "Three Chinese citizens were killed and one injured during an armed incursion from Afghanistan into Tajikistan's Khatlon province on November 26-27", "date (26-27 Nov, the night); fatalities 3; injuries 1"),
        c("80", "The embassy said on Friday that one other Chinese citizen was injured in the assault, which struck the southwestern province of Khatlon on Wednesday.", "injuries 1; date (Wednesday)"),
        c("84", "Пресс-центр также напоминает, что ранее, 26 ноября 2025 года, аналогичное нападение было совершено с территории вулусвола Шахри Бузург провинции Бадахшан на район Шамсиддин Шохин.", "date; origin (Shahri Buzurg district, Badakhshan)"),
    ], more_notes=(
        "Round 2: 22 more articles agree on the night of 26 November (late evening), three Chinese killed and "
        "one Chinese injured, the LLC Shohin SM camp near the 1st Border Post \"Istiqlol\" of the \"Yol\" detachment. "
        "Tajik Border Troops (Gazeta.ru/Interfax, CentralAsia.media) say the attackers came from Shahri Buzurg district, "
        "Badakhshan. Conflicts kept in evidence: the 163.com account dates it the evening of 27 November and says "
        "vehicles were targeted (an unsourced aggregator; the record keeps 26 November, which every other source that dates the attack gives); "
        "Al Mayadeen says 26-27 November (the night); the weapon is a drone with grenades (most), \"an explosive device\" "
        "(RFE/RL), \"a missile\" (Pulse Wave Global quoting the ministry) or a mine (004)."))
    claim("PNJ019", "Criminal groups in Afghanistan", "accused", "Tajik Ministry of Foreign Affairs", "government", "14",
          "describing the perpetrators as “criminal groups located in the neighboring country (Afghanistan)”")
    claim("PNJ019", "Criminal groups in Afghanistan", "accused", "Tajik Ministry of Foreign Affairs", "government", "15",
          "The ministry claimed that “criminal groups” operating inside Afghanistan were responsible for the strike.")
    claim("PNJ019", "Terrorist groups", "accused", "Tajik Ministry of Foreign Affairs (statement quoted by ARY News)",
          "government", "13", "strongly condemns these acts of terrorist groups")
    claim("PNJ019", "Unnamed elements", "blamed-other", "Hafiz Zia Ahmad Takal, Taliban Foreign Ministry deputy spokesman",
          "government", "25", "this incident involves elements that are trying to create chaos, instability, and distrust between countries in the region")
    claim("PNJ019", "Unnamed elements", "blamed-other", "Afghanistan's Foreign Ministry (Taliban)", "government", "80",
          "Afghanistan’s foreign ministry said in a statement that those behind the attack sought to sow “chaos, instability and distrust in the region,” without naming the group responsible.")
    claim("PNJ019", "Taliban", "failed-to-prevent", "Government of Pakistan", "government", "20",
          "Pakistan has seized on the incident to publicly accuse the Taliban regime of allowing its territory to be used for cross-border terrorism",
          "Holds the Taliban responsible for letting its territory be used, not for carrying out the attack (stance rule).")
    claim("PNJ019", "Drug smugglers", "accused", "Tajik authorities", "government", "42",
          "Right after the first attack, in Tajikistan’s southwestern Shamsiddin Shohin district, Tajik authorities blamed drug smugglers.",
          "Same text as the founding article 003 (its published version); a second claim as the README rule says.")
    # Dates of the Tajik MFA statement: all round-2 sources that date it say 27 November.
    extend("PNJ020", [
        c("17", "Tajikistan’s Foreign Ministry said in a statement on November 27 that the assault targeted a compound belonging to Shohin SM", "date of statement (27 Nov)"),
        c("19", "據指出，塔國外交部27日發表聲明譴責上述襲擊事件。", "date of statement (27 Nov)"),
        c("75", "27-nji noýabrda ýaýradylan beýanatda Daşary işler ministrligi", "date of statement (27 Nov)"),
        c("15", "The Tajik foreign ministry said on Thursday that an unmanned aerial vehicle carrying grenades and firearms hit the site.", "date of statement (Thursday, 27 Nov)"),
        c("13", "The Tajik side, expressing deep concerns, strongly condemns these acts of terrorist groups and calls on the ruling Afghan authorities to take effective measures to ensure stability and security on the state border between two neighboring countries.", "condemnation; call on Afghan authorities"),
    ], {"event_date": "2025-11-27", "end_date": "2025-11-27", "time_precision": "1"},
        "Round 2: RFE/RL, United Daily News and Azathabar date the statement 27 November and TRT World says Thursday "
        "(27 November); no source gives another day, so the record is dated 27 November, precision 1 (it was 26-30 November).")
    extend("PNJ027", [
        c("16", "The embassy has issued an urgent alert advising Chinese nationals in Tajikistan to closely monitor the regional security situation and avoid traveling to or working near the Tajikistan-Afghanistan border. Chinese nationals currently in the area are urged to leave as soon as possible.", "advisory; evacuation"),
        c("19", "大陸駐塔吉克大使館28日發布情況通報和安全提示", "date (28 Nov)"),
        c("28", "三天前的11月28日，中國駐塔吉克斯坦大使館發了通告", "date (28 Nov)"),
        c("79", "In an unusually direct statement posted on WeChat, the Chinese Embassy urged all nationals to avoid investing or working in the Tajikistan-Afghanistan border regions, recommending immediate evacuation from the area.", "advisory; evacuation"),
        c("80", "China’s embassy in Dushanbe has urged its citizens to evacuate areas near Tajikistan’s border with Afghanistan after three Chinese nationals were killed in an armed attack earlier this week.", "advisory; evacuation"),
        c("20", "has already prompted China to urge the evacuation of its mining staff from the frontier zone", "evacuation call"),
    ], more_notes="Round 2: the embassy's WeChat statement of 28 November (Friday) also condemned the attack, asked Tajikistan "
                  "for a thorough investigation, and said a working team went to the scene on the morning of 27 November "
                  "(Global Times, United Daily News, Al Mayadeen); these are parts of this statement, not separate events.")
    extend("PNJ028", [
        c("80", "It said Kabul had made an initial assessment and would cooperate with Tajikistan on the probe.", "cooperation offer"),
        c("25", "In Afghanistan, Taliban authorities condemned the attack.", "condemnation"),
        c("29", "阿富汗外交部上週將攻擊事件怪罪某個未具名團體，稱其目的是要製造動盪，而喀布爾會與塔吉克當局合作。", "blame on unnamed group; cooperation offer"),
    ])
    extend("PNJ021", [
        c("20", "Pakistan has seized on the incident to publicly accuse the Taliban regime of allowing its territory to be used for cross-border terrorism", "Pakistan's accusation"),
    ])


def nov30() -> None:
    extend("PNJ029", [
        c("21", "Двое китайских дорожных рабочих были убиты вечером 30 ноября в результате вооружённого нападения в Дарвазском районе ГБАО, на востоке Таджикистана.", "date (evening 30 Nov); fatalities 2"),
        c("21", "атака произошла на территории села Шодаки джамоата Вишхарв Дарвазского района ГБАО, недалеко от границы с Афганистаном", "place (Shodaki, Vishkharv jamoat)"),
        c("21", "По данным собеседников, нападение случилось на закате, когда китайские специалисты работали в одной из галерей строящейся автодороги Калайхумб – Вандж – Рушан.", "time of day (sunset); site (road gallery)"),
        c("21", "Афганские СМИ со ссылкой на собственные источники сообщили, что при нападении использовалось стрелковое оружие.", "weapon (small arms)"),
        c("22", "В Таджикистане двое граждан Китая погибли, еще двое пострадали в результате вооруженного нападения с боевиков из Афганистана.", "fatalities 2; injuries 2"),
        c("22", "Отмечается, что инцидент произошел 30 ноября примерно в 18:45 по местному времени.", "time (about 18:45)"),
        c("22", "Боевики проникли с территории села Рузваяк провинции Бадахшан Афганистана в село Шодак Дарвазского района Таджикистана и напали на сотрудников дорожно-строительной компании «China Road and Bridge Corporation.", "place (Shodak); origin (Ruzvayak); victims' employer"),
        c("23", "Инцидент произошёл вечером 30 ноября в селе Шодаки джамоата Вишхарв Дарвазского района.", "date; place (Shodaki)"),
        c("23", "В результате атаки двое граждан Китая погибли, ещё двое получили ранения.", "fatalities 2; injuries 2"),
        c("24", "The latest incident occurred on Sunday at approximately 18:45 local time near the village of Shodak, in Tajikistan’s Darvaz district.", "date (Sunday); time; place"),
        c("24", "Two Chinese nationals were killed and two others injured.", "fatalities 2; injuries 2"),
        c("25", "Four days after the first attack, two more Chinese workers were killed in Shodak village in the Darvoz district of Tajikistan’s Gorno-Badakhshan Autonomous Oblast (GBAO).", "date; place; fatalities 2"),
        c("26", "Sources on the ground told Radio Ozodi that the attack occurred at sunset in the village of Shodaki, Vishkharv jamoat.", "time of day (sunset); place"),
        c("26", "China has urged Chinese companies and workers to urgently evacuate parts of Tajikistan bordering Afghanistan where five Chinese nationals have been killed and five injured in armed cross-border attacks in the past week.", "injuries (conflicting: five injured in both attacks)"),
        c("27", "On the evening of November 30th, there was an armed attack in the Darvoz district of the Gorno-Badakhshan Autonomous Region of Tajikistan bordering Afghanistan, resulting in casualties among Chinese citizens.", "date; district"),
        c("28", "11月30日晚，與阿富汗接壤的塔吉克斯坦戈爾諾—巴達赫尚州達爾沃茲區發生武裝襲擊事件，造成中國公民傷亡", "date; district"),
        c("29", "過去1週塔吉克邊境遭從鄰國阿富汗發動的攻擊，已造成5名中國公民喪生、5人受傷。", "injuries (conflicting: five injured in both attacks)"),
        c("30", "武装分子从阿富汗巴达赫尚省迈迈区拉扎维村溜进来,伏击中方项目人员,用步枪和爆炸物干了俩中国人,伤了俩。", "weapon (rifles and explosives, unsourced); fatalities 2; injuries 2"),
        c("39", "В начале декабря в пресс-центре Пограничных войск Государственного комитета национальной безопасности Таджикистана сообщили, что 26 и 30 ноября с территории Афганистана были совершены вооруженные нападения.", "date; origin (Afghanistan)"),
        c("41", "a November 30 incident where two Chinese roadworkers were shot dead. Five other Chinese workers were wounded in the attacks.", "fatalities 2; injuries (conflicting: five in both attacks)"),
        c("42", "On November 26, three Chinese miners were killed in an attack in which assailants used a drone equipped with firearms and grenades, while on November 30, two Chinese roadworkers were shot dead.", "date; fatalities 2"),
        c("43", "Четыре дня спустя, 30 ноября, ещё двое китайских дорожных рабочих были застрелены в том же регионе. Пять человек получили ранения.", "date; fatalities 2; injuries (conflicting: five)"),
        c("43", "ни одна террористическая или преступная группировка официально не заявила о своей причастности к инцидентам", "no claim of responsibility (Russian wording)"),
        c("84", "В сообщении говорится, что 30 ноября 2025 года около 18:45 по местному времени вооружённая террористическая группа проникла в Таджикистан из афганского села Рузваяк провинции Бадахшан и атаковала сотрудников дорожно-строительной компании в селе Шодак джамоата Вишхарв Дарвазского района.", "date; time (about 18:45); origin (Ruzvayak); place (Shodak, Vishkharv jamoat)"),
        c("84", "В результате атаки погибли двое граждан Китайской Народной Республики, ещё двое получили ранения", "fatalities 2; injuries 2"),
    ], {"injuries": "2"},
        "Round 2 sources agree: the attack was at about 18:45 local time (sunset) on 30 November in the village of "
        "Shodaki / Shodak, Vishkharv jamoat, Darvoz; the attackers came from the village of Ruzvayak, Mohi Mai "
        "(Maimay) district, Badakhshan (Tajik Border Troops via Interfax, Khovar; Vecherka.tj); the victims were China "
        "Road and Bridge Corporation employees working in a gallery of the Qalaikhumb-Vanj-Rushon road. Two Chinese "
        "injured, as the Border Troops' statement says (Gazeta.ru, Vecherka.tj, CentralAsia.media, World Today News). "
        "Conflict kept: bne IntelliNews, CNA and Asia24 give five injured in both attacks together and RFE/RL \"five "
        "other Chinese workers\", which with one injured on 26 November would mean four on 30 November; the record "
        "keeps the official 2. Weapons: small arms (Afghan media via Exclusive.kz, bne IntelliNews), M4 rifles (004), "
        "rifles and explosives (163.com, unsourced). Ruzvayak and Shodaki are not in the project's gazetteer: still "
        "placed at Qalaikhumb, precision 2.")
    claim("PNJ029", "Terrorist groups", "accused", "Press centre of the Tajik Border Troops (SCNS)", "government", "25",
          "involved “members of an armed terrorist group” entering Tajikistan")
    claim("PNJ029", "Terrorist groups", "accused", "Press centre of the Tajik Border Troops (SCNS), via Khovar", "government", "84",
          "вооружённая террористическая группа проникла в Таджикистан из афганского села Рузваяк провинции Бадахшан")
    claim("PNJ029", "Taliban border units", "suspected", "Afghanistan International", "media", "21",
          "Издание Afghanistan International пишет, что к атаке предположительно могут быть причастны подразделения пограничной службы талибов")
    extend("PNJ030", [
        c("28", "中方消息表示，中國駐塔吉克斯坦大使郭志軍11月30日晚緊急致電塔吉克斯坦外長以及該國國家安全委員會第一副主席。", "date (evening 30 Nov); the calls"),
    ])
    extend("PNJ033", [
        c("28", "塔吉克斯坦總統拉赫蒙（Emomali Rahmon）的新聞處在周一表示，拉赫蒙總統已與安全部門負責人會面，討論如何加強邊境安全。", "date (Monday, 1 Dec); meeting"),
        c("29", "塔吉克總統拉赫蒙（Emomali Rahmon）的公關室今天則表示，拉赫蒙「強烈譴責阿富汗公民的非法挑釁行動」", "date (1 Dec); condemnation"),
    ], more_notes="Round 2: DW Chinese and CNA (1 December) quote Rahmon's press office: he \"strongly condemned the illegal "
                  "and provocative actions of Afghan citizens\" and ordered effective measures.")


def dec24() -> None:
    extend("PNJ036", [
        c("31", "Инцидент произошел днем 24 декабря в районе Шамсиддин Шохин в Хатлонской области.", "date and time of day (daytime 24 Dec, conflicting: night per CentralAsia.media)"),
        c("31", "Двое таджикских пограничников погибли во время перестрелки с вооруженными людьми на границе с Афганистаном, еще двое получили ранения.", "fatalities (2 border guards); injuries 2"),
        c("32", "поздно ночью 23 декабря пересекли границу недалеко от села Кавок", "date (crossing late on 23 Dec); place (Kavok)"),
        c("32", "На месте происшествия изъяты три винтовки М-16, автомат Калашникова, три пистолета, десять ручных гранат, взрывчатка и боеприпасы.", "weapons found"),
        c("33", "23 декабря 2025 года в 23:30 трое членов террористической организации незаконно пересекли границу со стороны Афганистана в охранной зоне погранзаставы в местности Кавок района Шамсиддина Шохина.", "date and time (23 Dec 23:30); place (Kavok)"),
        c("33", "В результате оперативно-розыскных мероприятий в 11:15 24 декабря их местоположение было установлено.", "time located (24 Dec 11:15)"),
        c("34", "Tajik border guards located the militants inside Tajikistan at 11:15 a.m. on 24 December and launched an operation against them.", "time located (24 Dec 11:15)"),
        c("34", "The identities of the three militants and the name of the terrorist organisation to which they belonged have not been disclosed.", "perpetrators not named"),
        c("35", "Heavily armed raiders from Afghanistan crossed into Tajikistan at the village of Kavo in the Shamsiddin Shokhin district on Tuesday and were located on Wednesday", "date (Tuesday-Wednesday); place (Kavo)"),
        c("35", "The border agency said the men attacked a guard post, killing two border guards, and three of the intruders died in the ensuing gun battle.", "fatalities 5; target (conflicting: attacked a post)"),
        c("36", "Five people, including two Tajik border guards, were killed after armed men crossed from Afghanistan and attacked a post near Kavo in Shamsiddin Shokhin district.", "fatalities 5; place (Kavo)"),
        c("37", "The confrontation between Tajik border guards and an armed group from Afghanistan took place on December 24 in the area guarded by Border Post No. 5 \"Bogh\" in the Shamsiddin-Shohin district of Khatlon province.", "date; place (post No. 5 Bogh)"),
        c("37", "The authorities confiscated three M-16 rifles, an AK-47 assault rifle, three pistols, ten hand grenades, a night scope, explosives, and other military supplies from the attackers.", "weapons found"),
        c("38", "این بیانیه میافزاید که دو مرزبان تاجیک در این درگیری کشته شدند.", "fatalities (2 border guards)"),
        c("39", "В результате погибли двое сотрудников погранслужбы Таджикистана и трое боевиков из Афганистана.", "fatalities 5"),
        c("40", "রাত সাড়ে ১১টায় 24 ডিসেম্বর, শামসিদ্দিন শোখিন জেলার কাভোক শহরের বগ সীমান্ত চৌকিতে তিন জঙ্গি সীমান্ত অতিক্রম করে।", "date (conflicting: 11:30 pm on 24 Dec); place (Kavok, Bogh post)"),
        c("57", "23 декабря в 23.30 трое членов террористической организации незаконно пересекли государственную границу РТ в районе погранзаставы № 5 «Бог» погранотряда 0341 «Сарчашма», расположенной в местности Кавоки района Шамсиддин Шохин.", "date and time; place (post No. 5 Bogh, detachment 0341 Sarchashma, Kavoki)"),
        c("57", "С места происшествия изъяли три автоматические винтовки М-16, автомат Калашникова, три пистолета иностранного производства с глушителями, десять гранат, взрывчатые вещества, бинокль и боеприпасы.", "weapons found"),
        c("58", "Трое членов террористической организации пересекли государственную границу в охраняемой зоне пограничного поста № 5 пограничного отряда 0341 «Сарчашма» «Бог», расположенного в районе Кавок Шохинского района Шамсиддина.", "place (post No. 5, detachment 0341 Sarchashma, Kavok)"),
        c("59", "Двое военнослужащих пограничных войск Таджикистана погибли в ночь на 24 декабря в результате вооруженного столкновения с террористами, незаконно пересекшими границу со стороны Афганистана.", "date (conflicting: night of 23-24 Dec); fatalities (2 border guards)"),
        c("59", "Инцидент произошел на участке пограничного поста №5 «Сад» пограничного отряда 0341 «Сарчашма» в районе Шамсиддин Шохин.", "place (post No. 5 \"Sad\", i.e. garden = Bogh)"),
        c("85", "По данным погранслужбы ГКНБ, атака произошла около половины двенадцатого ночи в районе пограничного поста №5 отряда «Сарчашма» в Шамсиддини Шохинском районе.", "time; place"),
        c("88", "Уточняется, что инцидент произошел в пограничной зоне между районом Шахр-е-Буззур провинции Бадахшан и районом Чах-е-Аб провинции Тахар.", "place (Hasht-e Subh version: Afghan side, Shahr-e Buzurg / Chah-e Ab)"),
        c("88", "Также ходе ответного огня были ликвидированы также двое вооруженных нападавших, открывших стрельбу по территории Таджикистана.", "fatalities (conflicting: two attackers killed, Hasht-e Subh)"),
        c("90", "нападение произошло 23 декабря 2025 года в 23:30 в районе охраняемой зоны пограничного поста №5 \"Боғ\" Отряда пограничной службы 0341 \"Сарчашма\" района Шамсиддини Шохин.", "date and time; place (post No. 5 Bogh)"),
    ], {"injuries": "2", "reported_location": "Kavok, Shamsiddin Shohin district"},
        "Round 2 sources (16 articles, all relaying the SCNS Border Troops statement published by Khovar on 25 "
        "December unless stated): three members of a \"terrorist organisation\" crossed on 23 December at 23:30 into the "
        "protected zone of border post No. 5 \"Bogh\" of border detachment 0341 \"Sarchashma\", in the Kavok area "
        "(spelled Kavok, Kavoki, Kavo) of Shamsiddin Shohin; they were located at 11:15 on 24 December, refused to "
        "surrender and were killed with two Tajik border guards. So Sarchashma is the detachment, not the post (004 "
        "called it the post; the site keeps its id). Kavok is not in the project's gazetteer: still placed at "
        "Shŭrobod, precision 2. Injuries 2 (border guards): Radio Ozodi only (Radio Svoboda, Current Time), no source "
        "says otherwise. Conflicts kept in evidence: the fight was in daytime on 24 December (Radio Ozodi) or in the "
        "night to 24 December (CentralAsia.media); Bangladesh Patch dates the crossing 11:30 pm on 24 December; Dunya "
        "News and crbcnews.com say the men attacked a post, the SCNS that they intended to; CentralAsia.media names the "
        "post \"Sad\" (\"garden\", a translation of Bogh); Hasht-e Subh (via News.mail.ru) places it between Shahr-e "
        "Buzurg (Badakhshan) and Chah-e Ab (Takhar) on the Afghan side and reports two attackers killed, which would "
        "make 4 dead: the record keeps the SCNS figure, 5. Perpetrators: claims.csv (Radio Ozodi sources: smugglers; "
        "Hasht-e Subh: Jamaat Ansarullah; SCNS: a terrorist organisation).")
    claim("PNJ036", "Smugglers", "accused", "Radio Ozodi sources", "media", "32",
          "Источники Радио Озоди заявляют, что это были контрабандисты.")
    claim("PNJ036", "Jamaat Ansarullah", "accused", "Hasht-e Subh (Afghan publication), via Asia-Plus", "media", "37",
          "Three of the attackers killed by Tajik border guards near the Afghan border were members of the extremist group Jamaat Ansarullah, according to Afghan publication Hasht-e Subh, which reported on December 25.",
          "Hasht-e Subh published photos of the bodies and links the men to Khoja Bashir Nourzai; the SCNS did not name the group.")
    claim("PNJ036", "Terrorist groups", "accused", "State Committee for National Security (SCNS) of Tajikistan", "government", "34",
          "the committee said three members of a terrorist organisation crossed the Afghan border and entered Tajik territory in the Shamsiddin Shohin district")
    claim("PNJ036", "Taliban", "failed-to-prevent", "State Committee for National Security (SCNS) of Tajikistan", "government", "37",
          "The SCNS blamed the Taliban government for failing to fulfill its international obligations and promises to ensure security and stability on the Tajik-Afghan border and to combat terrorist organizations.",
          "Blames a failure to secure the border, not the attack itself (stance rule).")
    claim("PNJ036", "Taliban", "failed-to-prevent", "State Committee for National Security (SCNS) of Tajikistan", "government", "34",
          "the Taliban administration’s serious and repeated irresponsibility in fulfilling its international commitments and its assurances to ensure security and stability along the Tajik–Afghan border and to combat terrorist organisations",
          "Blames a failure to secure the border, not the attack itself (stance rule).")
    extend("PNJ037", [
        c("34", "In a statement carried by Khovar, Tajikistan’s state news agency, on Thursday, the committee said three members of a terrorist organisation crossed the Afghan border", "date (Thursday, 25 Dec)"),
        c("34", "Tajik border forces said they hope the Taliban leadership will apologise to the people of Tajikistan and take effective measures to ensure security along the shared border.", "call for an apology"),
        c("33", "Душанбе потребовал от Кабула извинений и усилить безопасность границы.", "call for an apology"),
        c("90", "Сегодня, 25 декабря, ведомство заявило в официальном сообщении, опубликованном НИАТ \"Ховар\"", "date (25 Dec)"),
        c("36", "The border agency blamed the Taliban government for failing to secure the frontier and said it expected an apology; Afghanistan had not commented.", "failure to secure the border; apology"),
    ], {"event_date": "2025-12-25", "end_date": "2025-12-25", "time_precision": "1"},
        "Round 2: the statement was published by Khovar on 25 December (Vecherniy Bishkek: \"today, 25 December\"; "
        "Afghanistan International: Thursday), so the record is dated 25 December, precision 1 (it was 24 December-2 "
        "January). It also hoped the Taliban would apologise to the people of Tajikistan (Afghanistan International, "
        "RTVI, Asia-Plus, crbcnews.com). crbcnews.com says Afghanistan had not commented, while 004 reports Kabul "
        "blaming smugglers (PNJ038): kept as reported.")
    extend("SITE-POST-SARCHASHMA", [
        c("57", "в районе погранзаставы № 5 «Бог» погранотряда 0341 «Сарчашма», расположенной в местности Кавоки района Шамсиддин Шохин", "Sarchashma is border detachment 0341; post No. 5 Bogh; Kavoki; district"),
    ], {"name_alt": "border detachment 0341 “Sarchashma”; its border post No. 5 “Bogh”"},
        "Round 2: the SCNS statement (24.kg, Vedomosti, Vecherniy Bishkek, CentralAsia.media) names Sarchashma as border "
        "detachment 0341 and the post in whose zone the group crossed as its post No. 5 \"Bogh\" in the Kavok area of "
        "Shamsiddin Shohin district, and says the group planned to attack \"one of the border posts\"; the site keeps "
        "its id and stands for the detachment's sector.", table="sites")
    extend("PNJ025", [
        c("88", "Ранее организация Договора о коллективной безопасности (ОДКБ) опровергла сообщения о том, что Таджикистан обращался к государствам-участникам за экстренной помощью", "CSTO denial (before 25 Dec)"),
    ])


def other_existing() -> None:
    extend("PNJ018", [
        c("26", "Two smugglers crossing into Tajikistan from Afghanistan were “neutralised” in Hamadoni district in the southern province of Khatlon and drugs were seized.", "place (Hamadoni district); fatalities 2"),
    ], more_notes="Round 2: bne IntelliNews places the strike in Hamadoni district, Khatlon, citing a Tajik TV report; "
                  "one source only, so the record stays without coordinates (a judgement noted in seeds/README.md).")
    extend("PNJ007", [
        c("17", "In November last year, Tajik authorities said armed groups carried out an attack in the same sector, killing one Chinese citizen and injuring five others, including four Chinese nationals and one Tajik man.", "date (November 2024); fatalities 1; injuries 5"),
    ])


def new_records() -> None:
    nid = new_incident("PNJ027", {
        "event_date": "2025-12-01", "end_date": "2025-12-01", "year": "2025", "time_precision": "1",
        "tags": "response; China; evacuation",
        "notes": ("On 1 December 2025 the Chinese embassy in Tajikistan again urged Chinese enterprises and "
                  "personnel to evacuate the Tajik-Afghan border areas urgently and other Chinese citizens not to go "
                  "there, after the 30 November attack in Darvoz (GMTEight, DW Chinese, CNA); bne IntelliNews and Pulse "
                  "Wave Global report the call without a date, after five deaths. It repeats the 28 November advisory "
                  "(PNJ027). The notice did not give the number of casualties (DW Chinese). Placed at Dushanbe, where "
                  "the embassy is (CNA datelines it Dushanbe), precision 1, as PNJ027."),
    }, [
        c("27", "On December 1st, the Chinese embassy in Tajikistan issued a notice once again reminding Chinese enterprises and individuals to urgently evacuate from the Tajikistan and Afghanistan border areas.", "date (1 Dec); evacuation notice"),
        c("28", "中國駐塔吉克斯坦大使館在12月1日發文說", "date (1 Dec)"),
        c("28", "“再次提醒中國企業和人員緊急撤離塔阿邊境地區，其他旅塔中國公民切勿前往上述地區並做好安全防範”", "evacuation notice"),
        c("29", "大使館建議中國公司與人員緊急撤離邊境。", "evacuation notice; place (embassy in Dushanbe, dateline)"),
        c("26", "China has urged Chinese companies and workers to urgently evacuate parts of Tajikistan bordering Afghanistan", "evacuation call (undated, after five deaths)"),
        c("25", "China’s embassy in Tajikistan has urged Chinese businesses and workers to evacuate the Afghanistan-Tajikistan border areas", "evacuation call (undated)"),
    ])
    print("new:", nid)
    nid = new_incident("PNJ037", {
        "event_date": "2025-12-01", "end_date": "2025-12-01", "year": "2025", "time_precision": "1",
        "tags": "response; Tajikistan; condemnation",
        "notes": ("On 1 December 2025 the press centre of the Border Troops of Tajikistan's State Committee for National "
                  "Security (SCNS/GKNB) issued a statement on the 30 November attack in Darvoz (published by Interfax "
                  "on 1 December and by Khovar; Pulse Wave Global calls it the December 1 statement): it described an "
                  "\"armed terrorist group\" from Ruzvayak, Badakhshan, recalled the 26 November attack from Shahri "
                  "Buzurg, condemned the attack and called on the Afghan authorities to take effective and timely "
                  "measures and to detain those responsible. Place not stated: coordinates empty. Claims against the "
                  "attackers are on PNJ029."),
    }, [
        c("22", "Об этом заявил пресс-центр Пограничных войск Государственного комитета национальной безопасности Таджикистана, передает «Интерфакс».", "statement by the Border Troops press centre"),
        c("23", "Государственный комитет национальной безопасности Таджикистана обратился к властям Афганистана с призывом задержать виновных в вооружённом нападении на сотрудников китайской дорожно-строительной компании China Road and Bridge Corporation.", "call on Afghan authorities to detain the culprits"),
        c("24", "calling on the current Afghan authorities to take “timely and effective action.”", "call on Afghan authorities"),
        c("25", "said in a December 1 statement that the second attack took place around 6:45 pm local time", "date (1 Dec)"),
        c("84", "Пресс-центр Пограничных войск ГКНБ Таджикистана опубликовал заявление об очередном нападении со стороны афганских боевиков на территорию страны, передаёт НИАТ «Ховар».", "statement by the Border Troops press centre"),
    ])
    print("new:", nid)


def main() -> None:
    add_sources()
    if not CHECK_ONLY:
        founding_labels()
    nov26()
    nov30()
    dec24()
    other_existing()
    new_records()
    if CHECK_ONLY:
        print("\n".join(PROBLEMS) or "every quote is verbatim")
        return
    print("published", publish_all(), "records")


if __name__ == "__main__":
    main()
