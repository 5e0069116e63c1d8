"""Where things are: W3C Basic Geo (geo:lat, geo:long, geo:lat_long, geo:Point), ICBM
(icbm:latitude, icbm:longitude) and GeoRSS Simple (point, line, polygon, box, and
elev, floor, radius, featuretypetag, relationshiptag, featurename)."""

from __future__ import annotations

from typing import Any

from .base import Checker, integer, number, text, undefined

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
ICBM = "http://postneo.com/icbm"
GEORSS = "http://www.georss.org/georss"
NAMESPACES = (GEO, ICBM, GEORSS)
LIMITS = {"lat": ("latitude", 90.0), "latitude": ("latitude", 90.0),
          "long": ("longitude", 180.0), "longitude": ("longitude", 180.0)}
# GeoRSS shapes: how many coordinates (a minimum, and whether the count is exact).
SHAPES = {"point": (2, True), "line": (4, False), "polygon": (8, False), "box": (4, True)}
TEXTS = ("featuretypetag", "relationshiptag", "featurename")


def coordinate(checker: Checker, elem: Any, value: str, what: str, limit: float) -> None:
    try:
        found = float(value)
    except ValueError:
        found = float("nan")
    if not -limit <= found <= limit:
        checker.add("geo-coordinate", elem, f"<{elem.prefix or 'geo'}:"
                    f"{elem.tag.rsplit('}', 1)[-1]}> {what} '{value}' must be a decimal "
                    f"number from {-limit:g} to {limit:g}")


def element(checker: Checker, elem: Any, local: str, level: str) -> None:
    ns = elem.tag[1:].split("}")[0]
    if ns == GEORSS:
        georss(checker, elem, local)
    elif local in LIMITS and (ns == GEO) == (local in ("lat", "long")):
        coordinate(checker, elem, text(elem), *LIMITS[local])
    elif ns == GEO and local == "lat_long":
        parts = text(elem).split(",")
        if len(parts) != 2:
            checker.add("geo-coordinate", elem, "<geo:lat_long> must be 'latitude,"
                        "longitude'")
        else:
            coordinate(checker, elem, parts[0].strip(), "latitude", 90.0)
            coordinate(checker, elem, parts[1].strip(), "longitude", 180.0)
    elif ns == GEO and local == "Point":
        found = set()
        for kid in elem:
            name = kid.tag.rsplit("}", 1)[-1] if isinstance(kid.tag, str) else ""
            if name in ("lat", "long"):
                found.add(name)
                coordinate(checker, kid, text(kid), *LIMITS[name])
        if len(found) < 2:
            missing = " and ".join(f"<geo:{n}>" for n in ("lat", "long") if n not in found)
            checker.add("ext-missing-element", elem, f"<geo:Point> has no {missing}; a "
                        "point is a latitude and a longitude")
    elif not (ns == GEO and local in ("alt", "location", "SpatialThing")):
        undefined(checker, elem, "geo")


def georss(checker: Checker, elem: Any, local: str) -> None:
    if local in SHAPES:
        values = text(elem).replace(",", " ").split()
        least, exact = SHAPES[local]
        if (len(values) != least if exact else len(values) < least or len(values) % 2):
            checker.add("geo-coordinate", elem, f"<georss:{local}> needs "
                        f"{'exactly' if exact else 'at least'} {least} numbers (latitude "
                        "longitude pairs, separated by spaces)")
            return
        for n, value in enumerate(values):
            coordinate(checker, elem, value, ("latitude", "longitude")[n % 2],
                       (90.0, 180.0)[n % 2])
        if local == "polygon" and values[:2] != values[-2:]:
            checker.add("geo-coordinate", elem, "<georss:polygon> must end where it starts "
                        "(the last pair repeats the first)")
    elif local in ("elev", "radius"):
        number(checker, elem, text(elem), f"<georss:{local}>")
    elif local == "floor":
        value = text(elem)
        integer(checker, elem, value.removeprefix("-"), "<georss:floor>")
    elif local not in TEXTS and local != "where":
        undefined(checker, elem, "GeoRSS")
