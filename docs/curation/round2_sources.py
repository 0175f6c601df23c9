"""Metadata of the 41 development articles (../shared/articles/) added in curation round 2.

prefix -> (publisher, label used in incidents.source, source scale, author). Publisher is the
outlet as the URL and text name it; for reposts the original outlet is named too.
"""

SOURCES: dict[str, tuple[str, str, str, str]] = {
    "13": ("ARY News", "ARY News", "International", ""),
    "14": ("The EurAsian Times", "EurAsian Times", "International", ""),
    "15": ("TRT World", "TRT World", "International", ""),
    "16": ("Global Times", "Global Times", "International", ""),
    "17": ("RFE/RL (staging.rferl.org)", "RFE/RL", "International", ""),
    "18": ("Haqqin.az", "Haqqin.az", "Regional", ""),
    "19": ("United Daily News (udn.com)", "United Daily News", "International", "廖士鋒"),
    "20": ("Moneycontrol", "Moneycontrol", "International", ""),
    "21": ("Exclusive.kz, citing Radio Azattyk / Radio Ozodi", "Exclusive.kz", "Regional", ""),
    "22": ("Gazeta.ru, citing Interfax", "Gazeta.ru", "Regional", ""),
    "23": ("Vecherka.tj", "Vecherka.tj", "Regional", ""),
    "24": ("World Today News", "World Today News", "International", "Lucas Fernandez"),
    "25": ("Pulse Wave Global", "Pulse Wave Global", "International", ""),
    "26": ("bne IntelliNews", "bne IntelliNews", "International", ""),
    "27": ("GMTEight", "GMTEight", "International", ""),
    "28": ("DW Chinese via Yahoo News Taiwan", "DW Chinese", "International", ""),
    "29": ("Central News Agency (CNA) via Yahoo News Taiwan", "CNA (Taiwan)", "International", ""),
    "30": ("NetEase (163.com) user account, unnamed", "163.com account", "International", ""),
    "31": ("Radio Svoboda (svoboda.org)", "Radio Svoboda", "International", ""),
    "32": ("Current Time (currenttime.tv)", "Current Time", "International", ""),
    "33": ("RTVI", "RTVI", "Regional", ""),
    "34": ("Afghanistan International (English)", "Afghanistan International", "International", ""),
    "35": ("Dunya News", "Dunya News", "International", ""),
    "36": ("crbcnews.com", "crbcnews.com", "International", ""),
    "37": ("Asia-Plus", "Asia-Plus", "Regional", ""),
    "38": ("ILNA", "ILNA", "International", ""),
    "39": ("Vesti.ru", "Vesti.ru", "Regional", ""),
    "40": ("Bangladesh Patch", "Bangladesh Patch", "International", ""),
    "41": ("RFE/RL", "RFE/RL analysis", "International", ""),
    "42": ("bne IntelliNews (Pannier column)", "bne IntelliNews (Pannier)", "International", ""),
    "43": ("Asia24.media", "Asia24.media", "Regional", ""),
    "57": ("24.kg", "24.kg", "Regional", ""),
    "58": ("Vedomosti", "Vedomosti", "Regional", ""),
    "59": ("CentralAsia.media", "CentralAsia.media", "Regional", ""),
    "75": ("Azathabar (RFE/RL Turkmen service)", "Azathabar", "International", ""),
    "79": ("Al Mayadeen English", "Al Mayadeen", "International", ""),
    "80": ("Geo News (geo.tv)", "Geo News", "International", ""),
    "84": ("CentralAsia.media", "CentralAsia.media", "Regional", ""),
    "85": ("Topwar.ru", "Topwar.ru", "Regional", ""),
    "88": ("News.mail.ru", "News.mail.ru", "Regional", ""),
    "90": ("Vecherniy Bishkek (vb.kg)", "Vecherniy Bishkek", "Regional", ""),
}
# Languages from the file names' suffix; the rest are English.
LANGUAGE_SUFFIX = {"-ru": "ru", "-zh": "zh", "-fa": "fa", "-bn": "bn", "-tk": "tk"}
# The founding articles' labels (seeds/README.md).
FOUNDING = {"000": ("AFP via ET Online", "International"), "003": ("Unattributed analysis (file 003)", "International"),
            "004": ("Caliber.az", "Regional")}
