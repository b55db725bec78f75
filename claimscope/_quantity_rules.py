"""Word lists and tables behind ``claimscope.quantities`` (data only, no logic).

Stop words are in :mod:`claimscope.text` and month names in :mod:`claimscope.dates`,
shared with the modules that use them too.

Multi-word entries are tuples of lowercase tokens as the tokenizer splits them
("approx." is ``("approx", ".")``). The curated unit table is extended at run
time with quantulum3's unit lexicon (see ``_quantity_tokens.quantulum_units``).
"""

from __future__ import annotations

# --- number words --------------------------------------------------------------

UNIT_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
TEN_WORDS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALE_WORDS: dict[str, float] = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}
# Glued to digits ("$3bn", "12k", "1.2m"); "m"/"M" is resolved in code (million or metre).
SCALE_SUFFIXES: dict[str, float] = {
    "k": 1e3, "K": 1e3, "bn": 1e9, "b": 1e9, "B": 1e9, "mn": 1e6, "mln": 1e6,
    "tn": 1e12, "trn": 1e12,
}
ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90, "hundredth": 100, "thousandth": 1000,
}
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
# Denominators of "two-thirds", "a quarter of", "one fifth".
FRACTION_WORDS: dict[str, float] = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8,
    "tenth": 10, "tenths": 10,
}
# "half of", "half the population": what may follow a bare "half".
HALF_FOLLOWERS = frozenset({"of", "the", "its", "their", "his", "her", "our", "all"})

# Vague magnitudes: "<plural> of" = 2x..10x the base minus one ("hundreds" 200..999).
VAGUE_PLURALS: dict[str, float] = {
    "tens": 10, "hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9,
}
# Fixed conventions where the multiplier rule does not fit.
VAGUE_FIXED: dict[str, tuple[float, float]] = {"dozens": (24, 99), "scores": (40, 199)}
# Plurals that only count as magnitudes before "of" ("tens of", "scores of").
VAGUE_NEED_OF = frozenset({"tens", "scores"})
# "several hundred" -> 3..9 x 100; "a few thousand" -> 2..5 x 1000.
FEW_WORDS: dict[tuple[str, ...], tuple[int, int]] = {
    ("several",): (3, 9), ("a", "few"): (2, 5), ("few",): (2, 5),
    ("a", "couple", "of"): (2, 2), ("a", "couple"): (2, 2), ("many",): (2, 9),
}

# --- bounds and hedges -------------------------------------------------------------

# Left of the number: phrase -> (bound or None, approximate).
LEFT_MODIFIERS: dict[tuple[str, ...], tuple[str | None, bool]] = {
    ("more", "than"): ("at_least", False), ("over",): ("at_least", False),
    ("at", "least"): ("at_least", False), ("well", "over"): ("at_least", False),
    ("well", "above"): ("at_least", False), ("upwards", "of"): ("at_least", False),
    ("upward", "of"): ("at_least", False), ("in", "excess", "of"): ("at_least", False),
    ("no", "fewer", "than"): ("at_least", False), ("no", "less", "than"): ("at_least", False),
    ("not", "less", "than"): ("at_least", False), ("greater", "than"): ("at_least", False),
    ("a", "minimum", "of"): ("at_least", False), ("above",): ("at_least", False),
    ("exceeding",): ("at_least", False), ("at", "the", "very", "least"): ("at_least", False),
    ("well", "in", "excess", "of"): ("at_least", False), ("north", "of"): ("at_least", False),
    ("just", "over"): ("at_least", True), ("just", "above"): ("at_least", True),
    ("slightly", "more", "than"): ("at_least", True), ("just", "more", "than"): ("at_least", True),
    ("a", "little", "over"): ("at_least", True),
    ("a", "little", "more", "than"): ("at_least", True),
    ("less", "than"): ("at_most", False), ("fewer", "than"): ("at_most", False),
    ("under",): ("at_most", False), ("up", "to"): ("at_most", False),
    ("at", "most"): ("at_most", False), ("at", "the", "most"): ("at_most", False),
    ("as", "many", "as"): ("at_most", False), ("as", "much", "as"): ("at_most", False),
    ("no", "more", "than"): ("at_most", False), ("not", "more", "than"): ("at_most", False),
    ("a", "maximum", "of"): ("at_most", False), ("below",): ("at_most", False),
    ("just", "under"): ("at_most", True), ("just", "below"): ("at_most", True),
    ("slightly", "less", "than"): ("at_most", True), ("just", "shy", "of"): ("at_most", True),
    ("a", "little", "under"): ("at_most", True), ("just", "less", "than"): ("at_most", True),
    ("within",): ("at_most", False),
    ("around",): (None, True), ("about",): (None, True), ("some",): (None, True),
    ("roughly",): (None, True), ("nearly",): (None, True), ("almost",): (None, True),
    ("approximately",): (None, True), ("an", "estimated"): (None, True),
    ("estimated",): (None, True), ("approx",): (None, True), ("approx", "."): (None, True),
    ("circa",): (None, True), ("close", "to"): (None, True), ("~",): (None, True),
    ("an", "approximate"): (None, True), ("in", "the", "region", "of"): (None, True),
    ("on", "the", "order", "of"): (None, True), ("something", "like"): (None, True),
    ("just", "about"): (None, True), ("somewhere", "around"): (None, True),
    ("an", "approximately"): (None, True), ("a", "roughly"): (None, True),
    ("perhaps",): (None, True), ("maybe",): (None, True), ("some", "estimated"): (None, True),
}
LEFT_MODIFIER_MAX = max(len(k) for k in LEFT_MODIFIERS)
# "ranging from 5 to 20" is a range; "rose from 5 to 20" is a change of two values.
RANGE_FROM_CUES = frozenset({"ranging", "range", "ranges", "ranged", "anywhere", "varying",
                             "vary", "varied", "varies"})

# --- dates, years, identifiers --------------------------------------------------------

# Month names: claimscope.dates.MONTHS.
# Words before a bare 4-digit number that make it a year ("in 2023", "the 1967 borders").
YEAR_CONTEXT = frozenset({
    "in", "since", "of", "by", "until", "till", "from", "during", "before", "after",
    "the", "early", "late", "mid", "summer", "winter", "spring", "autumn", "fall",
    "year", "between", "and", "through", "throughout", "to", "pre", "post", "circa",
    "this", "its", "'s", "around", "ca",
})
YEAR_SUFFIXES = frozenset({"ad", "bc", "bce", "ce"})
# Word glued to a number by a hyphen that does not make it an identifier ("pre-1967").
GLUE_PREFIXES = frozenset({"pre", "post", "mid", "late", "early", "non", "anti", "over",
                           "under", "top", "near", "sub", "ultra", "super", "circa"})
# Capitalised labels that turn the next number into a name ("Resolution 2334").
ID_LABELS = frozenset({
    "resolution", "route", "highway", "road", "article", "unit", "brigade", "division",
    "battalion", "gate", "chapter", "section", "paragraph", "flight", "number", "building",
    "block", "platform", "hall", "regiment", "squadron", "ward", "sector", "zone", "phase",
    "page", "channel", "room", "camp", "tower", "terminal", "crossing", "checkpoint",
    "hill", "corps", "protocol", "annex", "clause", "decree", "directive", "tunnel",
    "apartment", "street", "episode", "season", "grade", "category", "model", "mark",
    "mk", "version", "outpost", "station", "base", "pier", "plot", "kilometre", "operation",
})
# Labels that make an identifier even in lower case ("security council resolution 2728").
LOWER_ID_LABELS = frozenset({"resolution", "article", "route", "highway", "unit", "flight"})
TIME_ZONES = frozenset({"gmt", "utc", "bst", "cet", "cest", "est", "edt", "pst", "idt",
                        "ist", "msk", "eet", "eest", "zulu"})

# --- units -------------------------------------------------------------------------

# Unit words (lowercase token tuples) -> (normalised unit, kind).
UNIT_SURFACES: dict[tuple[str, ...], tuple[str, str]] = {}
# Case-sensitive symbols, glued or spaced ("3 km", "155mm", "50MW") -> (unit, kind).
UNIT_SYMBOLS: dict[str, tuple[str, str]] = {}


def _add(unit: str, kind: str, *surfaces: str) -> None:
    for surface in surfaces:
        UNIT_SURFACES[tuple(surface.split())] = (unit, kind)


def _sym(unit: str, kind: str, *symbols: str) -> None:
    for symbol in symbols:
        UNIT_SYMBOLS[symbol] = (unit, kind)


_add("%", "percent", "percent", "per cent", "pct", "pc")
_add("pp", "percent", "percentage points", "percentage point", "percent points",
     "per cent points", "points percentage")
_add("km", "measure", "km", "kms", "kilometre", "kilometres", "kilometer", "kilometers")
_add("m", "measure", "metre", "metres", "meter", "meters")
_add("cm", "measure", "centimetre", "centimetres", "centimeter", "centimeters", "cm")
_add("mm", "measure", "millimetre", "millimetres", "millimeter", "millimeters", "mm")
_add("mi", "measure", "mile", "miles")
_add("nmi", "measure", "nautical mile", "nautical miles")
_add("ft", "measure", "foot", "feet", "ft")
_add("yd", "measure", "yard", "yards")
_add("km2", "measure", "square kilometre", "square kilometres", "square kilometer",
     "square kilometers", "square km", "sq km", "km2", "sqkm")
_add("m2", "measure", "square metre", "square metres", "square meter", "square meters",
     "sq m", "m2")
_add("mi2", "measure", "square mile", "square miles", "sq miles", "sq mi")
_add("ha", "measure", "hectare", "hectares", "ha")
_add("acre", "measure", "acre", "acres")
_add("dunam", "measure", "dunam", "dunams", "dunum", "dunums", "donum", "donums")
_add("kg", "measure", "kilogram", "kilograms", "kilogramme", "kilogrammes", "kilo",
     "kilos", "kg", "kgs")
_add("g", "measure", "gram", "grams", "gramme", "grammes")
_add("tonnes", "measure", "tonne", "tonnes", "ton", "tons", "metric ton", "metric tons",
     "metric tonnes")
_add("lb", "measure", "lb", "lbs")
_add("kt", "measure", "kiloton", "kilotons", "kilotonne", "kilotonnes")
_add("L", "measure", "litre", "litres", "liter", "liters")
_add("m3", "measure", "cubic metre", "cubic metres", "cubic meter", "cubic meters")
_add("km3", "measure", "cubic kilometre", "cubic kilometres", "cubic kilometer",
     "cubic kilometers", "km3")
_add("bbl", "measure", "barrel of oil", "barrels of oil")
_add("gal", "measure", "gallon", "gallons")
_add("seconds", "measure", "second", "seconds", "sec", "secs")
_add("minutes", "measure", "minute", "minutes", "min", "mins")
_add("hours", "measure", "hour", "hours", "hr", "hrs")
_add("days", "measure", "day", "days")
_add("weeks", "measure", "week", "weeks")
_add("months", "measure", "month", "months")
_add("years", "measure", "year", "years", "yr", "yrs")
_add("decades", "measure", "decade", "decades")
_add("centuries", "measure", "century", "centuries")
_add("km/h", "measure", "kph", "kilometres per hour", "kilometers per hour", "km/h")
_add("mph", "measure", "mph", "miles per hour")
_add("kn", "measure", "knot", "knots")
_add("°C", "measure", "degrees celsius", "degrees centigrade", "degree celsius", "celsius")
_add("°F", "measure", "degrees fahrenheit", "fahrenheit")
_add("°", "measure", "degrees", "degree")
_add("MW", "measure", "megawatt", "megawatts")
_add("GW", "measure", "gigawatt", "gigawatts")
_add("kW", "measure", "kilowatt", "kilowatts")
_add("MWh", "measure", "megawatt hours", "megawatt-hours")
_add("kcal", "measure", "calorie", "calories", "kilocalories", "kcal")
_add("×", "other", "times", "fold")
# Currencies spelled out after the number ("50 million shekels", "2 billion US dollars").
_add("USD", "money", "dollar", "dollars", "us dollars", "u.s. dollars", "american dollars",
     "usd")
_add("EUR", "money", "euro", "euros", "eur")
_add("GBP", "money", "pounds sterling", "sterling", "british pounds", "gbp")
_add("ILS", "money", "shekel", "shekels", "new shekels", "new israeli shekels",
     "israeli shekels", "nis", "ils")
_add("RUB", "money", "rouble", "roubles", "ruble", "rubles", "rub")
_add("UAH", "money", "hryvnia", "hryvnias", "hryvnas", "hryvnya", "uah")
_add("CNY", "money", "yuan", "renminbi", "cny")
_add("INR", "money", "rupee", "rupees", "indian rupees", "inr")
_add("SAR", "money", "riyal", "riyals", "saudi riyals", "sar")
_add("QAR", "money", "qatari riyals", "qar")
_add("IRR", "money", "rial", "rials", "iranian rials", "tomans", "irr")
_add("YER", "money", "yemeni rials", "yemeni riyals", "yer")
_add("SYP", "money", "syrian pounds", "syrian lira", "syp")
_add("LBP", "money", "lebanese pounds", "lebanese lira", "lbp")
_add("EGP", "money", "egyptian pounds", "egp")
_add("SDG", "money", "sudanese pounds", "sdg")
_add("TRY", "money", "lira", "liras", "turkish lira", "turkish liras", "try")
_add("JOD", "money", "jordanian dinars", "jod")
_add("IQD", "money", "iraqi dinars", "iqd")
_add("AED", "money", "dirham", "dirhams", "aed")
_add("AFN", "money", "afghani", "afghanis", "afn")
_add("JPY", "money", "yen", "jpy")
_add("CHF", "money", "swiss francs", "chf")

_sym("km", "measure", "km")
_sym("m", "measure", "m")
_sym("cm", "measure", "cm")
_sym("mm", "measure", "mm")
_sym("kg", "measure", "kg")
_sym("g", "measure", "g")
_sym("t", "measure", "t")
_sym("tonnes", "measure", "t")
_sym("lb", "measure", "lb", "lbs")
_sym("kt", "measure", "kt")
_sym("L", "measure", "l", "L")
_sym("ft", "measure", "ft")
_sym("mi", "measure", "mi")
_sym("km2", "measure", "km2", "km²")
_sym("km3", "measure", "km3", "km³")
_sym("m2", "measure", "m2", "m²")
_sym("ha", "measure", "ha")
_sym("hours", "measure", "h", "hr", "hrs")
_sym("minutes", "measure", "min", "mins")
_sym("seconds", "measure", "s", "sec")
_sym("km/h", "measure", "km/h", "kph", "kmh")
_sym("mph", "measure", "mph")
_sym("°C", "measure", "°C", "C", "ºC")
_sym("°F", "measure", "°F", "F")
_sym("MW", "measure", "MW")
_sym("GW", "measure", "GW")
_sym("kW", "measure", "kW")
_sym("MWh", "measure", "MWh")
_sym("kWh", "measure", "kWh")
_sym("%", "percent", "pc", "pct")
for _code in ("USD", "EUR", "GBP", "ILS", "RUB", "UAH", "CNY", "INR", "SAR", "QAR", "IRR",
              "SYP", "LBP", "EGP", "SDG", "TRY", "JOD", "IQD", "AED", "AFN", "JPY", "CHF",
              "YER"):
    _sym(_code, "money", _code)
_sym("ILS", "money", "NIS")
# The t tonne symbol is only safe glued to the digits; so are these.
GLUED_ONLY_SYMBOLS = frozenset({"m", "g", "t", "l", "L", "s", "h", "C", "F", "ft", "mi",
                                "min", "sec", "hr", "ha"})

# Currency before the number ("$2 billion", "NIS 50 million", "US$3bn").
CURRENCY_PREFIXES: dict[str, str] = {
    "$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP",
    "GBP": "GBP", "₪": "ILS", "NIS": "ILS", "ILS": "ILS", "₽": "RUB", "RUB": "RUB",
    "₴": "UAH", "UAH": "UAH", "¥": "JPY", "JPY": "JPY", "₹": "INR", "INR": "INR",
    "CNY": "CNY", "SAR": "SAR", "QAR": "QAR", "IRR": "IRR", "SYP": "SYP", "LBP": "LBP",
    "EGP": "EGP", "TRY": "TRY", "₺": "TRY", "JOD": "JOD", "IQD": "IQD", "AED": "AED",
    "CHF": "CHF", "C$": "CAD", "A$": "AUD", "Rs": "INR",
}
# quantulum3 entities whose units we accept from its lexicon, and names we refuse
# because they collide with counted nouns or ordinary words.
QUANTULUM_ENTITIES = frozenset({"length", "area", "volume", "mass", "time", "speed",
                                "energy", "power", "temperature", "currency"})
QUANTULUM_REFUSED = frozenset({
    "won", "real", "reais", "rand", "span", "set", "pair", "mill", "mil", "shake", "cup",
    "cups", "league", "leagues", "bar", "bars", "stone", "stones", "hand", "hands", "point",
    "points", "unit", "units", "piece", "pieces", "cell", "cells", "ell", "mark", "marks",
    "franc", "francs", "peso", "pesos", "cent", "cents", "penny", "pence", "dime", "dimes",
    "pound", "pounds", "shot", "shots", "round", "rounds", "line", "lines", "drop", "drops",
    "barrel", "barrels", "gallon", "block", "blocks", "cord", "cords", "chain", "chains",
    "rod", "rods", "pole", "poles", "perch", "link", "links", "lustrum", "twip", "cubit",
    "fortnight", "second", "ton",
})

# --- counted noun phrases ---------------------------------------------------------

# The words that end a counted phrase: claimscope.text.COUNTED_PHRASE_STOP_WORDS.
# Adjective-like words kept before the head noun without being heads themselves.
SKIP_BEFORE_HEAD = frozenset({"more", "other", "additional", "further", "new", "extra"})
IRREGULAR_PLURALS = frozenset({
    "people", "children", "men", "women", "police", "personnel", "staff", "aircraft",
    "cattle", "livestock", "infantry", "youth", "crew", "folk", "sheep", "fish",
    "offspring", "militia", "militiamen", "gunmen", "servicemen", "policemen",
    "firemen", "fishermen", "clergy", "spacecraft", "watercraft", "hovercraft",
    "deer", "poultry", "data", "media", "feet", "teeth", "mice", "geese", "oxen",
    "dead", "wounded", "injured", "missing", "displaced", "detained", "elderly",
    "homeless", "sick", "faithful", "fallen", "unemployed", "hungry",
})
# Nominal uses that may stand alone as the counted thing ("20 wounded").
NOMINAL_HEADS = frozenset({"dead", "wounded", "injured", "missing", "displaced",
                           "detained", "elderly", "homeless", "sick", "fallen"})
# Words ending in -s that are not plurals.
NOT_PLURAL = frozenset({
    "hamas", "yunis", "younis", "news", "gas", "bus", "his", "its", "was", "has", "is",
    "this", "thus", "us", "as", "plus", "across", "always", "perhaps", "towards",
    "afterwards", "nevertheless", "christmas", "texas", "paris", "damascus", "homs",
    "brussels", "wales", "lens", "chaos", "status", "campus", "consensus", "census",
    "focus", "virus", "crisis", "basis", "analysis", "thesis", "axis", "tennis",
    "various", "serious", "previous", "famous", "numerous", "dangerous", "yes",
    "less", "unless", "whereas", "besides", "sometimes", "tunis", "cyprus", "belarus",
    "kiryas", "emmaus", "mathematics", "politics", "economics", "logistics", "ballistics",
})
