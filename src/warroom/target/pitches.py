"""The data the target serves: a fixed catalogue of pitches, ranked by a trending score."""

from __future__ import annotations

from typing import Any

_CATALOGUE: tuple[tuple[str, str, str, int], ...] = (
    ("The Last Lighthouse", "drama", "A keeper refuses to leave the last manned light.", 982),
    ("Orbit of Two", "sci-fi", "Two rival engineers share a failing station.", 941),
    ("Kitchen Brigade", "comedy", "A chef inherits a restaurant and its ghosts.", 903),
    ("Cold Case Radio", "thriller", "A podcast host reopens her father's case.", 877),
    ("Paper Mountains", "documentary", "The origami artists of Kyoto.", 845),
    ("Night Shift", "drama", "Twelve hours in a city emergency room.", 812),
    ("Small Gods of Brixton", "fantasy", "Household spirits fight gentrification.", 790),
    ("The Long Audit", "comedy", "An accountant finds a company that does not exist.", 761),
    ("Saltwater", "romance", "Two lifeguards, one summer, one storm.", 734),
    ("Signal Lost", "thriller", "A deep-sea crew loses contact with the surface.", 702),
)


def trending(limit: int) -> list[dict[str, Any]]:
    """The ``limit`` highest-scoring pitches, best first."""
    return [
        {"id": index + 1, "title": title, "genre": genre, "logline": logline, "score": score}
        for index, (title, genre, logline, score) in enumerate(_CATALOGUE[:limit])
    ]
