"""The intake gazetteer: every name a place goes by, and finding those names in text.

Built at run time from files in the repository only (no network):
- ``geodata/places.geojson`` (GeoNames cities500 in the focus area; geo precision 1),
- ``geodata/districts.geojson`` / ``regions.geojson`` (names and hand-kept alternates),
- ``geodata/source/gazetteer_names.csv`` (Cyrillic, Persian, Chinese... names; see GAZETTEER.md),
- ``geodata/source/key_places.geojson`` (the district centres a district-level event is placed at),
- ``seeds/sites.csv`` (the record's border posts and project sites).
Cyrillic text is also transliterated and its Russian case endings dropped, so
"Дарвазского района" finds Darvoz; near spellings are matched with rapidfuzz.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import unicodedata
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process
from shapely.geometry import shape

from panjmap.geodata import normalize_name
from panjmap.intake.lang import Lang
from panjmap.paths import GEODATA_DIR, GEODATA_SOURCE_DIR, SEEDS_DIR

RANK = {"place": 1, "site": 2, "reported": 2, "district": 3, "region": 4, "country": 5}
FUZZY_CUTOFF = 85
_RU_LAT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяқғҳҷӯӣ",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "q", "gh", "h", "j", "u", "i"],
))
_RU_ENDINGS = ("ского", "ской", "ский", "ском", "ская", "скую", "ого", "ому", "ой", "ом", "ами", "ах", "ам",
               "ы", "и", "а", "я", "у", "ю", "е")
_COUNTRIES = {
    "Tajikistan": ["Tajikistan", "Таджикистан", "Тоҷикистон", "تاجیکستان", "塔吉克斯坦", "塔吉克", "Täjigistan", "তাজিকিস্তান"],
    "Afghanistan": ["Afghanistan", "Афганистан", "افغانستان", "阿富汗", "Owganystan", "আফগানিস্তান"],
}
_SUBDIVISION_WORDS = re.compile(r"^(?:Nohiyai|Ноҳияи|ноҳияи|Hoҳияи|Вилояти)\s+|\s+(?:District|Province|Region|Rayon|rayon|ولسوالۍ|ولسوالی|ولايت|viloyati|tumani)$|(?<=\w)(?:skiy|sky|skij)(?=\s+[Rr]ayon)|^ولایت\s+|^ولسوالی\s+")
_GENERIC = re.compile(r"\b(?:LLC|workers'? camp|headquarters|border guard post|border post|road project|project)\b|[“”\"«»()]", re.I)


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: what an analyst's record needs to place an event."""

    name: str                 # the location written in the record
    kind: str                 # place, site, district, region, country, reported
    country: str | None
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    reported: str | None = None   # the name the sources use when the coordinates stand in for it
    note: str = ""


@dataclass(frozen=True)
class PlaceMention:
    start: int                # offset in the sentence
    end: int
    text: str
    place: Place
    role: str = "event"       # "event" or "origin" (where attackers came from)


def fold(text: str) -> str:
    """Search key: no case, diacritics, punctuation; Russian-style 'kh' read as 'h'."""
    key = normalize_name(re.sub(r"['’]s\b", "", text))
    return key.replace("kh", "h").replace("dzh", "j").replace("yo", "o")


def translit(word: str) -> str:
    """Latin letters for a Russian/Tajik Cyrillic word (other characters kept)."""
    return "".join(_RU_LAT.get(ch, _RU_LAT.get(ch.lower(), ch)) for ch in word)


def _ru_stem(word: str) -> str:
    lower = word.lower()
    for ending in _RU_ENDINGS:
        if lower.endswith(ending) and len(lower) - len(ending) >= 4:
            return word[: len(word) - len(ending)]
    return word


def _is_cjk_like(text: str) -> bool:
    return any(0x0600 <= ord(c) <= 0x06FF or 0x4E00 <= ord(c) <= 0x9FFF or 0x0980 <= ord(c) <= 0x09FF for c in text)


def _alts(value: str | None) -> list[str]:
    names = []
    for part in str(value or "").split("|"):
        part = re.split(r"\s[—(]|\(", part)[0].strip()
        if part:
            names.append(part)
    return names


class Gazetteer:
    """Names -> places, and a finder for them in sentences."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[Place]] = {}
        self.script_names: list[tuple[str, Place]] = []   # names in scripts without spaces/capitals
        self.districts: dict[str, Place] = {}
        self.regions: dict[str, Place] = {}
        self._build()
        self.keys = list(self.by_key)

    # ------------------------------------------------------------------ build

    def _add(self, name: str, place: Place) -> None:
        name = unicodedata.normalize("NFC", name.strip())
        if not name:
            return
        if _is_cjk_like(name):
            self.script_names.append((re.sub(r"[\s\u200c·．.\-—]+", "", name).translate(_SCRIPT_FOLD), place))
            return
        keys = {fold(name)}
        if re.search(r"[а-яёқғҳҷӯӣ]", name.lower()):
            keys.add(fold(translit(" ".join(_ru_stem(w) for w in name.split()))))
        for key in keys:
            if len(key) >= 3 and place not in self.by_key.setdefault(key, []):
                self.by_key[key].append(place)

    def _build(self) -> None:
        places = json.loads((GEODATA_DIR / "places.geojson").read_text(encoding="utf-8"))["features"]
        districts = json.loads((GEODATA_DIR / "districts.geojson").read_text(encoding="utf-8"))["features"]
        regions = json.loads((GEODATA_DIR / "regions.geojson").read_text(encoding="utf-8"))["features"]
        key_places = json.loads((GEODATA_SOURCE_DIR / "key_places.geojson").read_text(encoding="utf-8"))["features"]
        centre_ids = {f["properties"].get("geonames_id") for f in key_places}
        by_id: dict[str, Place] = {}
        best_in_district: dict[str, tuple[int, Place]] = {}
        best_in_region: dict[str, tuple[int, Place]] = {}
        for feature in places:
            p = feature["properties"]
            lon, lat = feature["geometry"]["coordinates"][:2]
            place = Place(p["name"], "place", p.get("country"), p.get("region"), p.get("district"),
                          round(lat, 5), round(lon, 5), 1)
            by_id[p["name"]] = place
            for name in [p["name"], *_alts(p.get("name_alt"))]:
                self._add(name, place)
            score = (2 if p.get("geonames_id") in centre_ids else 0, p.get("population") or 0)
            if p.get("district") and score > best_in_district.get(p["district"], ((-1, -1), None))[0]:
                best_in_district[p["district"]] = (score, place)
            if p.get("region") and score > best_in_region.get(p["region"], ((-1, -1), None))[0]:
                best_in_region[p["region"]] = (score, place)
        for feature in districts:
            p = feature["properties"]
            centre = best_in_district.get(p["name"], (None, None))[1]
            if centre:
                lat, lon, loc, note = centre.latitude, centre.longitude, centre.name, f"placed at {centre.name}, the district's main town"
            else:
                point = shape(feature["geometry"]).representative_point()
                lat, lon, loc, note = round(point.y, 5), round(point.x, 5), p["name"], "placed inside the district polygon (no town in the gazetteer)"
            place = Place(loc, "district", p.get("country"), p.get("region"), p["name"], lat, lon, 2, note=note)
            self.districts[p["name"]] = place
            names = [p["name"], p.get("name_source", ""), *_alts(p.get("name_alt"))]
            for name in names:
                self._add(re.sub(r"\s+District$", "", name or ""), place)
        for feature in regions:
            p = feature["properties"]
            centre = best_in_region.get(p["name"], (None, None))[1]
            if centre is None:
                point = shape(feature["geometry"]).representative_point()
                lat, lon, loc = round(point.y, 5), round(point.x, 5), p["name"]
            else:
                lat, lon, loc = centre.latitude, centre.longitude, centre.name
            place = Place(loc, "region", p.get("country"), p["name"], None, lat, lon, 3,
                          note=f"only the region is named: placed at {loc}")
            self.regions[p["name"]] = place
            for name in [p["name"], p.get("short_name", ""), *_alts(p.get("name_alt"))]:
                self._add(name, place)
        self._add_geonames_subdivisions()
        with (GEODATA_SOURCE_DIR / "gazetteer_names.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                target = {"regions": self.regions, "districts": self.districts, "places": by_id}[row["layer"]].get(row["ref"])
                if target is None:
                    raise ValueError(f"gazetteer_names.csv: no {row['layer']} entry named {row['ref']!r}")
                self._add(row["name"], target)
        with (SEEDS_DIR / "sites.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if not row.get("latitude"):
                    continue
                site = Place(row["location"] or row["name"], "site", row["country"] or None, row["admin1"] or None,
                             row["admin2"] or None, float(row["latitude"]), float(row["longitude"]),
                             int(row["geo_precision"] or 2), reported=row["name"],
                             note=f"the record's site {row['site_id']}")
                for name in [row["name"], *_alts(row.get("name_alt"))]:
                    self._add(name, site)
                    self._add(_GENERIC.sub(" ", name), site)
        for country, names in _COUNTRIES.items():
            place = Place(None, "country", country, None, None, None, None, None,
                          note="only the country is named: location left empty")
            for name in names:
                self._add(name, place)

    def _add_geonames_subdivisions(self) -> None:
        """GeoNames names and alternate names of the Tajik and Afghan regions and districts
        (``geonames_subdivisions_tj_af.tsv``), added to the district or region they name."""
        with (GEODATA_SOURCE_DIR / "geonames_subdivisions_tj_af.tsv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                names = [_SUBDIVISION_WORDS.sub("", n).strip() for n in [row["name"], *row["alternate_names"].split("|")]]
                names = [n for n in names if n]
                kind = "region" if row["admin_level"] == "1" else "district"
                country = "Tajikistan" if row["geonames_code"].startswith("TJ") else "Afghanistan"
                target = None
                for name in names:
                    hits = [p for p in self.by_key.get(fold(name), []) if p.kind == kind and p.country == country]
                    if len(hits) == 1:
                        target = hits[0]
                        break
                if target is not None:
                    for name in names:
                        self._add(name, target)

    # ------------------------------------------------------------------ find

    def lookup(self, key: str, fuzzy: bool) -> list[Place]:
        if key in self.by_key:
            return self.by_key[key]
        if fuzzy and len(key) >= 7:
            hit = process.extractOne(key, self.keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if hit:
                return self.by_key[hit[0]]
        return []

    def reported_names(self, sentence: str, lang: Lang) -> list[tuple[int, int, str]]:
        """Villages, localities and posts the text names after a marker ("village of Kavo",
        "селе Шодаки", "post «Bogh»") whatever the gazetteer knows: (start, end, name)."""
        out = []
        for marker in lang.find(sentence, lang.words("places", "named_before")):
            match = re.search(r"([A-ZÄÖÜŞÇÝŇŽ][\w'’\-]+)[”\"»]?\s+(?:border\s+)?$", sentence[max(0, marker.start() - 40):marker.start()])
            if match and not self._lookup_words([match.group(1)]) and match.group(1).lower() not in _NOT_NAMES:
                end = marker.start() - (len(sentence[max(0, marker.start() - 40):marker.start()]) - match.end(1))
                out.append((end - len(match.group(1)), end, match.group(1)))
        for marker in lang.find(sentence, lang.words("places", "village")):
            tail = sentence[marker.end():marker.end() + 40]
            match = re.match(r"\w*\s*(?:of\s+|№\s*\d+\s*|No\.?\s*\d+\s*)?[“\"«']?([A-ZА-ЯЁÄÖÜŞÇÝŇŽ][\w'’\-]+(?:\s+[A-ZА-ЯЁ][\w'’\-]+)?)", tail)
            if match:
                name = match.group(1)
                words = name.split()
                if len(words) == 2 and self._lookup_words(words[1:]):
                    name = words[0]  # "селе Шодак Дарвазского (района)": the district is not part of the name
                start = marker.end() + match.start(1)
                probe = PlaceMention(marker.start(), start + len(name), name, _UNKNOWN)
                if _role(sentence, probe, lang) == "event":   # not the village the attackers came from
                    out.append((start, start + len(name), name))
        return out

    def find(self, sentence: str, lang: Lang) -> list[PlaceMention]:
        """Places named in ``sentence``; longest names first, no overlaps."""
        found: list[PlaceMention] = []
        taken: list[tuple[int, int]] = []
        tokens = [m for m in re.finditer(r"[\w'’\-]+", sentence) if not m.group(0).isdigit()]
        for n in (4, 3, 2, 1):
            for i in range(len(tokens) - n + 1):
                first, last = tokens[i], tokens[i + n - 1]
                start, end = first.start(), last.end()
                if any(not (end <= s or start >= e) for s, e in taken):
                    continue
                if not (first.group(0)[0].isupper() and last.group(0)[0].isupper()):
                    continue  # place names are capitalised in Latin and Cyrillic text
                words = [t.group(0) for t in tokens[i:i + n]]
                places = self._lookup_words(words)
                if places:
                    found.append(PlaceMention(start, end, sentence[start:end], self._choose(places, sentence, end)))
                    taken.append((start, end))
        compact, index = _compact(sentence)
        for name, place in sorted(self.script_names, key=lambda item: -len(item[0])):
            for match in re.finditer(re.escape(name), compact):
                start, end = index[match.start()], index[match.end() - 1] + 1
                if all(end <= s or start >= e for s, e in taken):
                    found.append(PlaceMention(start, end, sentence[start:end], place))
                    taken.append((start, end))
        found = [m for m in found if not _not_a_place(sentence, m, lang)]
        found.sort(key=lambda m: m.start)
        return [replace(m, role=_role(sentence, m, lang)) for m in found]

    def _lookup_words(self, words: list[str]) -> list[Place]:
        joined = " ".join(words)
        if re.search(r"[А-Яа-яЁё]", joined):
            variants = {fold(translit(joined)), fold(translit(" ".join(_ru_stem(w) for w in words)))}
            for key in variants:
                hits = self.lookup(key, fuzzy=len(words) <= 2)
                if hits:
                    return hits
            return []
        return self.lookup(fold(joined), fuzzy=len(words) <= 2)

    def _choose(self, places: list[Place], sentence: str, end: int) -> Place:
        """A name shared by a district and its town: the district if the text says so."""
        if len(places) == 1:
            return places[0]
        district_word = re.match(r"\W*(district|район|ноҳия|nohiya|wuleswali|uluswali|etrap)", sentence[end:end + 14], re.I)
        ranked = sorted(places, key=lambda p: (p.kind != "district") if district_word else RANK[p.kind])
        return ranked[0]


# Urdu and Arabic letter forms read as the Persian ones when matching place names
_SCRIPT_FOLD = str.maketrans("ہۃھےيكىۀ", "ههههیکیه")


def _compact(sentence: str) -> tuple[str, list[int]]:
    chars, index = [], []
    for i, ch in enumerate(sentence):
        if ch.isspace() or ch in "\u200c·．.-—":
            continue
        chars.append(ch.translate(_SCRIPT_FOLD))
        index.append(i)
    return "".join(chars), index


def _not_a_place(sentence: str, mention: PlaceMention, lang: Lang) -> bool:
    """'the Panj River', 'реки Пяндж': a river of the same name, not the district."""
    words = lang.words("places", "not_place_after")
    after = sentence[mention.end:mention.end + 8].lower()
    before = sentence[max(0, mention.start - 8):mention.start].lower()
    return any(w in after or w in before for w in words)


def _role(sentence: str, mention: PlaceMention, lang: Lang) -> str:
    """'origin' when the last marker before the name says 'from' rather than 'in'."""
    before = sentence[max(0, mention.start - 40):mention.start]
    origin = [m.end() for m in lang.find(before, lang.words("places", "origin"), whole=lang.word_boundaries)]
    at = [m.end() for m in lang.find(before, lang.words("places", "at"), whole=lang.word_boundaries)]
    if origin and (not at or max(origin) > max(at)):
        return "origin"
    return "event"


_NOT_NAMES = {"the", "a", "an", "border", "guard", "tajik", "afghan", "taliban", "chinese", "one", "this", "that"}
_UNKNOWN = Place(None, "reported", None, None, None, None, None, None)


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, built once per process."""
    return Gazetteer()
