"""Which time zone a state, province or large city keeps, for countries with several zones (ISO 3166-2 codes and names).

Where a state is split, the zone of most of its people (tzdata's "most areas").
"""

from __future__ import annotations

import unicodedata


def plain(text: str) -> str:
    """Case-, accent- and space-insensitive form of a place name ("São Paulo" == "sao paulo")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _table(rows: str) -> dict[str, str]:
    table = {}
    for row in rows.strip().splitlines():
        zone, *names = (part.strip() for part in row.split("|"))
        for name in names:
            table[plain(name)] = zone
    return table


_US = """
America/New_York|CT|Connecticut|DE|Delaware|DC|District of Columbia|FL|Florida|GA|Georgia|ME|Maine|MD|Maryland
America/New_York|MA|Massachusetts|NH|New Hampshire|NJ|New Jersey|NY|New York|NC|North Carolina|OH|Ohio
America/New_York|PA|Pennsylvania|RI|Rhode Island|SC|South Carolina|VT|Vermont|VA|Virginia|WV|West Virginia
America/Detroit|MI|Michigan
America/Indiana/Indianapolis|IN|Indiana
America/Kentucky/Louisville|KY|Kentucky
America/Chicago|AL|Alabama|AR|Arkansas|IL|Illinois|IA|Iowa|KS|Kansas|LA|Louisiana|MN|Minnesota|MS|Mississippi
America/Chicago|MO|Missouri|NE|Nebraska|ND|North Dakota|OK|Oklahoma|SD|South Dakota|TN|Tennessee|TX|Texas
America/Chicago|WI|Wisconsin
America/Denver|CO|Colorado|MT|Montana|NM|New Mexico|UT|Utah|WY|Wyoming
America/Boise|ID|Idaho
America/Phoenix|AZ|Arizona
America/Los_Angeles|CA|California|NV|Nevada|OR|Oregon|WA|Washington
America/Anchorage|AK|Alaska
Pacific/Honolulu|HI|Hawaii
America/New_York|Boston|Atlanta|Miami|Washington|Philadelphia|Pittsburgh|Charlotte|Raleigh|Orlando|Baltimore
America/Chicago|Austin|Dallas|Houston|San Antonio|Minneapolis|St. Louis|Kansas City|Nashville|New Orleans
America/Chicago|Milwaukee|Omaha
America/Denver|Salt Lake City|Albuquerque
America/Los_Angeles|San Francisco|Seattle|San Diego|San Jose|Portland|Palo Alto|Mountain View|Sacramento
America/Los_Angeles|Las Vegas|Oakland|Irvine
"""
_CA = """
America/Toronto|ON|Ontario|QC|Quebec|Québec
America/Halifax|NS|Nova Scotia|PE|Prince Edward Island
America/Moncton|NB|New Brunswick
America/St_Johns|NL|Newfoundland and Labrador|Newfoundland
America/Winnipeg|MB|Manitoba
America/Regina|SK|Saskatchewan
America/Edmonton|AB|Alberta|NT|Northwest Territories
America/Vancouver|BC|British Columbia
America/Whitehorse|YT|Yukon
America/Iqaluit|NU|Nunavut
America/Toronto|Montreal|Montréal|Ottawa|Quebec City
America/Edmonton|Calgary
"""
_AU = """
Australia/Sydney|NSW|New South Wales|ACT|Australian Capital Territory
Australia/Melbourne|VIC|Victoria
Australia/Brisbane|QLD|Queensland
Australia/Adelaide|SA|South Australia
Australia/Perth|WA|Western Australia
Australia/Hobart|TAS|Tasmania
Australia/Darwin|NT|Northern Territory
Australia/Sydney|Canberra
"""
_BR = """
America/Sao_Paulo|SP|São Paulo|RJ|Rio de Janeiro|MG|Minas Gerais|ES|Espírito Santo|PR|Paraná|SC|Santa Catarina
America/Sao_Paulo|RS|Rio Grande do Sul|GO|Goiás|DF|Distrito Federal
America/Bahia|BA|Bahia
America/Recife|PE|Pernambuco|PB|Paraíba|RN|Rio Grande do Norte
America/Fortaleza|CE|Ceará|PI|Piauí|MA|Maranhão
America/Maceio|AL|Alagoas|SE|Sergipe
America/Belem|PA|Pará|AP|Amapá
America/Araguaina|TO|Tocantins
America/Cuiaba|MT|Mato Grosso
America/Campo_Grande|MS|Mato Grosso do Sul
America/Manaus|AM|Amazonas
America/Porto_Velho|RO|Rondônia
America/Boa_Vista|RR|Roraima
America/Rio_Branco|AC|Acre
"""
_MX = """
America/Mexico_City|CDMX|Ciudad de México|Mexico City|JAL|Jalisco|MEX|Estado de México|PUE|Puebla|GTO|Guanajuato
America/Monterrey|NLE|Nuevo León|COA|Coahuila|TAM|Tamaulipas
America/Cancun|ROO|Quintana Roo
America/Hermosillo|SON|Sonora
America/Mazatlan|SIN|Sinaloa|BCS|Baja California Sur|NAY|Nayarit
America/Chihuahua|CHH|Chihuahua
America/Tijuana|BCN|Baja California
"""
SUBDIVISION_ZONES: dict[str, dict[str, str]] = {
    "US": _table(_US),
    "CA": _table(_CA),
    "AU": _table(_AU),
    "BR": _table(_BR),
    "MX": _table(_MX),
}
