"""Language detection (py3langid) on hand-written paragraphs."""

from __future__ import annotations

import pytest

from corroborate.analyze.language import PREFIX_CHARS, detect

ENGLISH = (
    "Police said a fire broke out late on Saturday in a warehouse near the river port. Two workers "
    "were taken to hospital with burns, and the cause of the blaze is still being investigated."
)
GERMAN = (
    "Die Polizei teilte am Sonntag mit, dass in der Nacht ein Lagerhaus am Hafen in Brand geraten sei. "
    "Zwei Arbeiter wurden mit Verbrennungen ins Krankenhaus gebracht; die Ursache ist noch unklar."
)
FRENCH = (
    "Selon la police, un incendie s'est déclaré samedi soir dans un entrepôt près du port. Deux "
    "ouvriers ont été transportés à l'hôpital, et les causes du sinistre restent inconnues."
)
SPANISH = (
    "La policía informó que un incendio se declaró el sábado por la noche en un almacén cerca del "
    "puerto. Dos trabajadores fueron trasladados al hospital con quemaduras."
)


@pytest.mark.parametrize(
    ("text", "code"), [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr"), (SPANISH, "es")]
)
def test_a_paragraph_is_read_in_its_language(text, code):
    assert detect(text) == code


def test_capitals_do_not_hide_english():
    """Broadcast transcripts in capitals read as noise to the model unless lowercased."""
    assert detect("A VIOLENT NIGHT IN THE CITY. WHAT BEGAN AS A QUIET VIGIL FOR A LOST FRIEND ENDED IN GUNFIRE.") == "en"


@pytest.mark.parametrize("text", ["", "   ", "Police said", "12 killed, 30 hurt", "2024-03-22 — 14:05 — №7", None])
def test_too_few_letters_to_judge(text):
    assert detect(text) is None


def test_only_a_bounded_prefix_is_judged():
    """A long report is judged by its start, and stays cheap whatever its length."""
    long_text = GERMAN + " " + ENGLISH * 200
    assert len(long_text) > 10 * PREFIX_CHARS
    assert detect(GERMAN + " " + ENGLISH * 200) == "en"  # the prefix is mostly English
    assert detect(GERMAN * 20 + ENGLISH * 200) == "de"  # mostly English, but its first 2,000 characters are German
