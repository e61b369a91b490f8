"""Generate fra-eng.txt.gz: English-French sentence pairs from a small rule-based grammar.

No package on the reachable registries ships a redistributable English-French pair file
(Tatoeba-derived), so ember ships pairs made by this grammar. It is deterministic:
``python ember/text/_data/make_fra_eng.py`` rewrites the same file. Format as d2l's fra.txt:
``English<TAB>French`` per line, cased, with French spacing (narrow no-break space before
'!' and '?') so that ``preprocess_nmt`` has its real work to do.
"""
import gzip
import os
import random

NBSP = "\u202f"
# subject: (english, french, person index 0..5, gender 'm'/'f', plural)
SUBJECTS = [("I", "je", 0, "m", False), ("you", "tu", 1, "m", False), ("he", "il", 2, "m", False),
            ("she", "elle", 3, "f", False), ("we", "nous", 4, "m", True),
            ("they", "ils", 5, "m", True)]
# verb: english base, english 3rd sg, french forms for je/tu/il/elle/nous/ils
VERBS = [("see", "sees", ["vois", "vois", "voit", "voit", "voyons", "voient"]),
         ("like", "likes", ["aime", "aimes", "aime", "aime", "aimons", "aiment"]),
         ("want", "wants", ["veux", "veux", "veut", "veut", "voulons", "veulent"]),
         ("have", "has", ["ai", "as", "a", "a", "avons", "ont"]),
         ("need", "needs", ["ai besoin de", "as besoin de", "a besoin de", "a besoin de",
                            "avons besoin de", "ont besoin de"]),
         ("find", "finds", ["trouve", "trouves", "trouve", "trouve", "trouvons", "trouvent"]),
         ("buy", "buys", ["achète", "achètes", "achète", "achète", "achetons", "achètent"]),
         ("know", "knows", ["connais", "connais", "connaît", "connaît", "connaissons",
                            "connaissent"])]
# noun: english, french, gender
NOUNS = [("cat", "chat", "m"), ("dog", "chien", "m"), ("book", "livre", "m"),
         ("car", "voiture", "f"), ("house", "maison", "f"), ("apple", "pomme", "f"),
         ("bike", "vélo", "m"), ("table", "table", "f"), ("chair", "chaise", "f"),
         ("horse", "cheval", "m"), ("letter", "lettre", "f"), ("key", "clé", "f"),
         ("phone", "téléphone", "m"), ("bird", "oiseau", "m"), ("door", "porte", "f"),
         ("boat", "bateau", "m")]
# adjective: english, french m, french f, placed before the noun in French
ADJS = [("big", "grand", "grande", True), ("small", "petit", "petite", True),
        ("red", "rouge", "rouge", False), ("black", "noir", "noire", False),
        ("green", "vert", "verte", False), ("old", "vieux", "vieille", True)]
# predicate adjective: english, french m sg, f sg, m pl
STATES = [("tired", "fatigué", "fatiguée", "fatigués"), ("ready", "prêt", "prête", "prêts"),
          ("sick", "malade", "malade", "malades"), ("calm", "calme", "calme", "calmes"),
          ("late", "en retard", "en retard", "en retard"),
          ("happy", "heureux", "heureuse", "heureux"), ("busy", "occupé", "occupée", "occupés")]
BE = ["am", "are", "is", "is", "are", "are"]
ETRE = ["suis", "es", "est", "est", "sommes", "sont"]
PREPS = [("on", "sur"), ("under", "sous"), ("in", "dans"), ("behind", "derrière")]
IMPERATIVES = [("Go!", "Va !"), ("Run!", "Cours !"), ("Stop!", "Arrête !"), ("Wait!", "Attends !"),
               ("Help!", "À l'aide !"), ("Hello!", "Bonjour !"), ("Thanks!", "Merci !"),
               ("Listen!", "Écoute !"), ("Come in!", "Entre !"), ("Sit down!", "Assieds-toi !")]
VOWELS = "aeiouéèêâàhAEIOUÉ"


def elide(word, nxt):
    """je/ne/le/la/de + vowel -> j'/n'/l'/d'."""
    return word[:-1] + "'" if nxt[:1] in VOWELS else word + " "


def subject(s_fr, nxt):
    """Only 'je' elides before a vowel (j'ai); il, elle, nous, tu do not."""
    return elide(s_fr, nxt) if s_fr == "je" else s_fr + " "


def noun_phrase(rng):
    en, fr, g = rng.choice(NOUNS)
    definite = rng.random() < 0.7
    adj = rng.choice(ADJS) if rng.random() < 0.5 else None
    en_art = "the" if definite else ("an" if (adj[0] if adj else en)[0] in "aeiou" else "a")
    fr_art = ("le" if g == "m" else "la") if definite else ("un" if g == "m" else "une")
    if adj is None:
        fr_np = (elide(fr_art, fr) if definite else fr_art + " ") + fr
        return f"{en_art} {en}", fr_np
    fr_adj = adj[1] if g == "m" else adj[2]
    if adj[3]:
        first = fr_adj
        rest = f"{fr_adj} {fr}"
    else:
        first = fr
        rest = f"{fr} {fr_adj}"
    fr_np = (elide(fr_art, first) if definite else fr_art + " ") + rest
    return f"{en_art} {adj[0]} {en}", fr_np


def object_after(verb_fr, np_fr):
    """'besoin de' + article: de le -> du, de la stays, de un -> d'un."""
    if not verb_fr.endswith(" de"):
        return f"{verb_fr} {np_fr}"
    head = verb_fr[:-3]
    if np_fr.startswith("le "):
        return f"{head} du {np_fr[3:]}"
    return f"{head} {elide('de', np_fr)}{np_fr}"


def transitive(rng, negate):
    s_en, s_fr, p, _, _ = rng.choice(SUBJECTS)
    v_base, v_3sg, v_fr = rng.choice(VERBS)
    np_en, np_fr = noun_phrase(rng)
    verb_fr = v_fr[p]
    if negate:
        aux = "does not" if p in (2, 3) else "do not"
        en = f"{s_en} {aux} {v_base} {np_en}."
        # negation: the indefinite article becomes de after pas
        if np_fr.startswith(("un ", "une ")) and not verb_fr.endswith(" de"):
            noun = np_fr.split(" ", 1)[1]
            np_fr = elide("de", noun) + noun
        words = verb_fr.split(" ", 1)
        tail = (" " + words[1]) if len(words) > 1 else ""
        fr_core = f"{elide('ne', words[0])}{words[0]} pas{tail}"
        fr = f"{subject(s_fr, 'n')}{object_after(fr_core, np_fr)}."
    else:
        en = f"{s_en} {v_3sg if p in (2, 3) else v_base} {np_en}."
        fr = f"{subject(s_fr, verb_fr)}{object_after(verb_fr, np_fr)}."
    return en, fr


def state(rng, negate):
    s_en, s_fr, p, g, pl = rng.choice(SUBJECTS)
    a_en, m, f, mpl = rng.choice(STATES)
    adj = mpl if pl else (f if g == "f" else m)
    if negate:
        return (f"{s_en} {BE[p]} not {a_en}.",
                f"{subject(s_fr, 'n')}{elide('ne', ETRE[p])}{ETRE[p]} pas {adj}.")
    return f"{s_en} {BE[p]} {a_en}.", f"{subject(s_fr, ETRE[p])}{ETRE[p]} {adj}."


def location(rng):
    a_en, a_fr = noun_phrase(rng)
    b_en, b_fr = noun_phrase(rng)
    p_en, p_fr = rng.choice(PREPS)
    return f"{a_en} is {p_en} {b_en}.", f"{a_fr} est {p_fr} {b_fr}."


def question(rng):
    s_en, s_fr, p, _, _ = rng.choice(SUBJECTS[:2] + SUBJECTS[4:])
    v_base, _, v_fr = rng.choice(VERBS)
    np_en, np_fr = noun_phrase(rng)
    return (f"do {s_en} {v_base} {np_en}?",
            f"est-ce {elide('que', s_fr)}{subject(s_fr, v_fr[p])}{object_after(v_fr[p], np_fr)}{NBSP}?")


def capitalize(s):
    return s[0].upper() + s[1:]


def generate(n_pairs=4000, seed=0):
    rng = random.Random(seed)
    pairs = {(en, fr.replace(" !", NBSP + "!")) for en, fr in IMPERATIVES}
    makers = [lambda: transitive(rng, False), lambda: transitive(rng, True),
              lambda: state(rng, False), lambda: state(rng, True), lambda: location(rng),
              lambda: question(rng)]
    weights = [4, 2, 2, 1, 2, 1]
    while len(pairs) < n_pairs:
        en, fr = rng.choices(makers, weights)[0]()
        pairs.add((capitalize(en), capitalize(fr)))
    pairs = sorted(pairs)
    rng.shuffle(pairs)
    pairs.sort(key=lambda p: len(p[0].split()))  # short pairs first, as the Tatoeba file
    return pairs


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fra-eng.txt.gz")
    text = "".join(f"{en}\t{fr}\n" for en, fr in generate())
    with open(out, "wb") as fh:
        with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
            gz.write(text.encode("utf-8"))
    print(out, len(text))
