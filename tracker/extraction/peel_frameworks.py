"""The areas PEEL has assessed since 2021, per framework: data, not rules.

From 2021/22 HMICFRS grades a force's areas of policing on a five-point scale (Outstanding,
Good, Adequate, Requires improvement, Inadequate) rather than the three questions of
2014 to 2019. The names below are the area headings as the frameworks word them. The rules
do not depend on them to find a graded area (a heading with a grade line under it is an
area whatever its name); the names let the rules also recognise an area heading that has
no grade under it (the ungraded victims' area, or a grade given only in the summary table)
and tie a sentence such as "We graded the force as adequate at investigating crime" to
its area.
"""

from __future__ import annotations

import re

# 2021/22: ten areas, nine graded; the service to victims of crime is assessed, not graded.
PEEL_2021_22 = (
    "Providing a service to the victims of crime",
    "Engaging with and treating the public with fairness and respect",
    "Preventing crime and anti-social behaviour",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders and suspects",
    "Disrupting serious organised crime",
    "Building, supporting and protecting the workforce",
    "Strategic planning, organisational management and value for money",
)

# 2023-25: nine areas, eight graded (the service to victims of crime is not graded).
PEEL_2023_25 = (
    "Providing a service to victims of crime",
    "Police powers and public treatment",
    "Preventing crime",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders",
    "Developing a positive workplace",
    "Leadership and force management",
)

# 2025-27 (framework published in April 2025). Written from memory, not from the framework
# itself: check these names against it. Nothing depends on them beyond recognising an
# ungraded heading or a grade stated in a sentence.
PEEL_2025_27 = (
    "Providing a service to victims of crime",
    "Police powers and public treatment",
    "Neighbourhood policing and preventing crime",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders",
    "Developing a positive workplace",
    "Leadership and force management",
    "Good use of resources",
)

FRAMEWORKS = {"2021/22": PEEL_2021_22, "2023-25": PEEL_2023_25, "2025-27": PEEL_2025_27}

# Areas assessed but never graded: a judgement for them is "Not graded" when stated.
UNGRADED = frozenset(
    {"Providing a service to the victims of crime", "Providing a service to victims of crime"}
)


def words(text: str) -> str:
    """Compare names by their words: "Preventing crime & anti-social behaviour" and
    "preventing crime and anti social behaviour" are the same."""
    text = text.lower().replace("&", " and ").replace("-", " ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


_BY_WORDS = {words(name): name for names in FRAMEWORKS.values() for name in names}


def known_area(text: str, names: dict[str, str] | None = None) -> str | None:
    """The framework's name for a heading that names an area ("3. Investigating crime",
    "INVESTIGATING CRIME"), or None."""
    text = re.sub(r"^(?:\d{1,2}[.)]?|[A-Z]\.)\s+", "", text.strip())
    return (names or _BY_WORDS).get(words(text))


def area_for_activity(activity: str, names: dict[str, str] | None = None) -> str | None:
    """The area a sentence's activity names: "investigating crime" in "... adequate at
    investigating crime." is "Investigating crime"; "preventing crime and anti-social
    behaviour" the 2021/22 area. The longest name the activity starts with wins."""
    said = words(activity)
    best: str | None = None
    for key, name in (names or _BY_WORDS).items():
        if (said == key or said.startswith(key + " ")) and (
            best is None or len(key) > len(words(best))
        ):
            best = name
    return best
