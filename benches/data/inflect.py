"""Real inflected forms of the sample package's terms, for `--bench evasion`'s
inflection class (issue #16). Writes `inflections.tsv` (term, form) beside it.

Forms come from morphological analyzers, not from swapping endings by hand, so every
form is a word a Russian or English writer would put down: pymorphy3 (OpenCorpora's
dictionary) for Russian, lemminflect for English.

Russian: the nouns, adjectives and participles of the phrase that no preposition
governs are put together into another case (not the accusative) and number, agreeing
with each other (`гарантированный доход` -> `гарантированного дохода`); in a phrase with
a verb, nouns change their number only (`купить медицинскую справку` -> `купить
медицинские справки`, `врачи скрывают` -> `врач скрывают`); words
after a preposition and words the dictionary does not know are kept. English: the
last word takes the other number of its noun, or another form of its verb when it is
not a noun (`slot machine` -> `slot machines`, `sports betting` -> `sports bets`).

Run from the repository root (as generated: pymorphy3 2.0.6 with pymorphy3-dicts-ru
2.4.417150.4580142, lemminflect 0.2.3):
    python3 -m venv /tmp/inflect && /tmp/inflect/bin/pip install pymorphy3 lemminflect
    /tmp/inflect/bin/python benches/data/inflect.py
"""

import csv
import itertools
import pathlib

import pymorphy3
from lemminflect import getAllInflections, getAllLemmas

ROOT = pathlib.Path(__file__).resolve().parents[2]
MATERIALS = ROOT / "packages/ad-policy/materials.tsv"
OUT = pathlib.Path(__file__).with_name("inflections.tsv")

# The accusative is left out: its inanimate plural is the nominative's, and the
# analyzer gives adjectives the animate one (`рабочих зеркала`).
CASES = ["nomn", "gent", "datv", "ablt", "loct"]
NUMBERS = ["sing", "plur"]
DECLINED = {"NOUN", "ADJF", "PRTF"}
VERBS = {"VERB", "INFN"}

morph = pymorphy3.MorphAnalyzer()


def is_cyrillic(text):
    return sum("\u0400" <= c <= "\u04ff" for c in text) > sum(c.isascii() and c.isalpha() for c in text)


def parse(word):
    """The dictionary's likeliest reading of a word, or None for an unknown word."""
    if not word.isalpha() or not morph.word_is_known(word):
        return None
    return morph.parse(word)[0]


def russian_forms(term):
    words = term.split(" ")
    parses = [parse(w) for w in words]
    # role: "free" (may take any case), "object" (number only), "kept"
    # A phrase with a verb keeps its nouns' case (subject or object) and changes their
    # number only: `врачи скрывают` -> `врач скрывают` reads, `врачу скрывают` does not.
    after_verb = any(p is not None and p.tag.POS in VERBS for p in parses)
    roles, governed = [], False
    for p in parses:
        if p is None or p.tag.POS not in DECLINED:
            if p is not None and p.tag.POS == "PREP":
                governed = True
            roles.append("kept")
        elif governed:
            roles.append("kept")
        else:
            roles.append("object" if after_verb else "free")
    if all(r == "kept" for r in roles):
        return []
    # an adjective takes the gender of the noun after it, which a plural adjective
    # does not show (`водительские права` -> `водительское право`)
    genders = [None] * len(words)
    for i, p in enumerate(parses):
        if p is not None and p.tag.POS in {"ADJF", "PRTF"}:
            noun = next((q for q in parses[i + 1 :] if q is not None and q.tag.POS == "NOUN"), None)
            if noun is not None:
                genders[i] = noun.tag.gender
    forms = set()
    for case, number in itertools.product(CASES, NUMBERS):
        out = []
        for w, p, role, gender in zip(words, parses, roles, genders):
            if role == "kept":
                out.append(w)
                continue
            if role == "object":
                # a subject is nominative; an object of these verbs inanimate, so its
                # plural accusative is the nominative too
                subject_or_plural = number == "plur" or p.tag.case == "nomn"
                want = {number, "nomn" if subject_or_plural else "accs"}
            else:
                want = {case, number}
            if number == "sing" and p.tag.POS == "NOUN" and "Pltm" in p.tag:
                want.discard("sing")  # plurale tantum: no singular
            if gender and number == "sing":
                want.add(gender)
            f = p.inflect(want)
            if f is None:
                break
            out.append(f.word)
        else:
            phrase = " ".join(out)
            if phrase != term:
                forms.add(phrase)
    return sorted(forms)


PREPOSITIONS = {"for", "with", "without", "in", "on", "of", "to", "from", "by", "at"}


def english_forms(term):
    words = term.split(" ")
    # the head noun: the last word before the first preposition
    end = next((i for i, w in enumerate(words) if w in PREPOSITIONS and i > 0), len(words))
    at = end - 1
    last = words[at]
    if not last.isalpha() or (at > 0 and words[at - 1] in {"a", "an"}):
        return []
    lemmas = getAllLemmas(last)
    if "ADJ" in lemmas or "ADV" in lemmas:
        return []  # `fast`, `lower`: a noun or verb reading would be no ad's wording
    forms = set()
    for upos in (["NOUN"] if "NOUN" in lemmas else ["VERB"] if "VERB" in lemmas else []):
        for lemma in lemmas[upos]:
            # the first spelling of each form: the analyzer's rarer ones (`diplomata`) are no ad's
            for spellings in getAllInflections(lemma, upos=upos).values():
                forms.add(spellings[0])
    forms.discard(last)
    return sorted(" ".join(words[:at] + [f] + words[at + 1 :]) for f in forms)


def main():
    terms = []
    with open(MATERIALS, encoding="utf-8") as f:
        for row in csv.reader((l for l in f if not l.startswith("#")), delimiter="\t"):
            if len(row) > 3 and row[0] != "id" and row[3] in {"word", "prefix", "substring", "stem"}:
                terms.append(row[2].lower())
    with open(OUT, "w", encoding="utf-8", newline="\n") as out:
        out.write("# generated by inflect.py from packages/ad-policy/materials.tsv: term, inflected form\n")
        for term in dict.fromkeys(terms):
            forms = russian_forms(term) if is_cyrillic(term) else english_forms(term)
            for form in forms:
                out.write(f"{term}\t{form}\n")


if __name__ == "__main__":
    main()
