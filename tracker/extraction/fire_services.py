"""England's fire and rescue services and what HMICFRS grades them on: data, and the search
for a service's name in a document.

HMICFRS has inspected the fire and rescue services of England since 2018 (Wales and
Scotland have their own inspectorates). A Police, Fire and Crime Commissioner governs some
of them (Essex, Staffordshire, Northamptonshire, North Yorkshire, Cumbria), so one office
tracks a force's and a service's findings. The services are named here, not in
fixtures/organisations.json, because the tracker's organisations are police bodies; the
extraction records the name as published.
"""

from __future__ import annotations

import re

# The 44 services as they are named today (Hampshire and Isle of Wight merged in April 2021).
FIRE_AND_RESCUE_SERVICES = (
    "Avon Fire and Rescue Service",
    "Bedfordshire Fire and Rescue Service",
    "Buckinghamshire Fire and Rescue Service",
    "Cambridgeshire Fire and Rescue Service",
    "Cheshire Fire and Rescue Service",
    "Cleveland Fire Brigade",
    "Cornwall Fire and Rescue Service",
    "County Durham and Darlington Fire and Rescue Service",
    "Cumbria Fire and Rescue Service",
    "Derbyshire Fire and Rescue Service",
    "Devon and Somerset Fire and Rescue Service",
    "Dorset and Wiltshire Fire and Rescue Service",
    "East Sussex Fire and Rescue Service",
    "Essex County Fire and Rescue Service",
    "Gloucestershire Fire and Rescue Service",
    "Greater Manchester Fire and Rescue Service",
    "Hampshire and Isle of Wight Fire and Rescue Service",
    "Hereford and Worcester Fire and Rescue Service",
    "Hertfordshire Fire and Rescue Service",
    "Humberside Fire and Rescue Service",
    "Isles of Scilly Fire and Rescue Service",
    "Kent Fire and Rescue Service",
    "Lancashire Fire and Rescue Service",
    "Leicestershire Fire and Rescue Service",
    "Lincolnshire Fire and Rescue",
    "London Fire Brigade",
    "Merseyside Fire and Rescue Service",
    "Norfolk Fire and Rescue Service",
    "North Yorkshire Fire and Rescue Service",
    "Northamptonshire Fire and Rescue Service",
    "Northumberland Fire and Rescue Service",
    "Nottinghamshire Fire and Rescue Service",
    "Oxfordshire Fire and Rescue Service",
    "Royal Berkshire Fire and Rescue Service",
    "Shropshire Fire and Rescue Service",
    "South Yorkshire Fire and Rescue",
    "Staffordshire Fire and Rescue Service",
    "Suffolk Fire and Rescue Service",
    "Surrey Fire and Rescue Service",
    "Tyne and Wear Fire and Rescue Service",
    "Warwickshire Fire and Rescue Service",
    "West Midlands Fire Service",
    "West Sussex Fire and Rescue Service",
    "West Yorkshire Fire and Rescue Service",
)
# Inspected separately in the first round (2018/19), before their merger.
FORMER_SERVICES = (
    "Hampshire Fire and Rescue Service",
    "Isle of Wight Fire and Rescue Service",
)

# What a fire and rescue inspection grades. Rounds 1 and 2 (2018/19, 2021/22): three pillars,
# each a question with its own grade, and the questions' parts ("diagnostics"), graded too.
# Round 3 (2023-25): the eleven parts alone, on the five-point scale with "Adequate".
PILLARS = ("Effectiveness", "Efficiency", "People")
PILLAR_QUESTIONS = (
    "How effective is the service at keeping people safe and secure from fires and other risks?",
    "How effective is the service at keeping people safe and secure?",
    "How efficient is the service at keeping people safe and secure?",
    "How well does the service look after its people?",
)
GRADED_AREAS = (
    "Understanding the risk of fire and other emergencies",
    "Understanding fires and other risks",
    "Preventing fires and other risks",
    "Protecting the public through fire regulation",
    "Responding to fires and other emergencies",
    "Responding to major and multi-agency incidents",
    "Responding to national risks",
    "Making best use of resources",
    "Making the fire and rescue service affordable now and in the future",
    "Future affordability",
    "Promoting the right values and culture",
    "Getting the right people with the right skills",
    "Ensuring fairness and promoting diversity",
    "Managing performance and developing leaders",
    "Good use of resources",
    "Best use of resources",
)


def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every name: "and" also matches "&", "Fire and Rescue Service" also
    matches the name without "Service" ("Essex County Fire & Rescue")."""
    bodies = []
    for name in sorted(names, key=len, reverse=True):
        words = [r"(?:and|&)" if word == "and" else re.escape(word) for word in name.split()]
        if name.endswith("Rescue Service"):
            bodies.append(r"\s+".join(words[:-1]) + r"(?:\s+Service)?")
        else:
            bodies.append(r"\s+".join(words))
    return re.compile(rf"(?<![\w-])(?:{'|'.join(bodies)})(?![\w-])", re.IGNORECASE)


_ALL = FIRE_AND_RESCUE_SERVICES + FORMER_SERVICES
SERVICE_NAMES = _pattern(_ALL)
_CANONICAL = {
    " ".join(name.lower().replace(" service", "").split()): name
    for name in sorted(_ALL, key=len)  # the full name wins over its shorter neighbour
}


def _canonical(found: str) -> str | None:
    key = " ".join(found.lower().replace("&", "and").split())
    return _CANONICAL.get(key.replace(" service", ""))


def services_named(text: str) -> list[str]:
    """Services named in the text, in order of first mention, by their names today."""
    out: list[str] = []
    for match in SERVICE_NAMES.finditer(text):
        name = _canonical(match.group(0))
        if name and name not in out:
            out.append(name)
    return out


def service_mentions(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for match in SERVICE_NAMES.finditer(text):
        name = _canonical(match.group(0))
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts
