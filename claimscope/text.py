"""Text utilities shared by the rule engines: stop lists, word and stem tokenisers,
sentence ends.

Each distinct stop list or word pattern is one named constant here, even where two are
close: every module's outputs depend on exactly its own list, so two lists whose contents
differ are never merged. A new list joins them as one more named constant, built with
:func:`word_set`.

    >>> stem4("Palestinians"), ascii_words("Five İDF-run posts")
    ('pale', ['five', 'df', 'run', 'posts'])
    >>> [m.start() for m in SENTENCE_END_RE.finditer("On Nov. 3 it fell. The army left.")]
    [17]
"""

from __future__ import annotations

import re

__all__ = ["word_set", "COUNTED_PHRASE_STOP_WORDS", "CONTENT_STOP_WORDS",
           "FIGURE_CONTEXT_STOP_WORDS", "FIGURE_SCOPE_STOP_WORDS", "SEARCH_STOP_WORDS", "WORD",
           "WORD_RE", "WORD_ONE_APOSTROPHE_RE", "CONTENT_WORD_RE", "ASCII_WORD_RE",
           "ascii_words", "stem4", "SENTENCE_END_RE", "ends_sentence", "last_sentence_break"]


def word_set(words: str) -> frozenset[str]:
    """A stop list from its words, separated by white space."""
    return frozenset(words.split())


# --- stop lists --------------------------------------------------------------------------

#: Function words and frequent verbs that end a counted noun phrase ("240 Israeli
#: captives *were* taken"): :mod:`claimscope.quantities`.
COUNTED_PHRASE_STOP_WORDS = word_set("""
a an the and or but nor of in on at to from by with without for into onto over under
near across during since after before including among amongst between against per as
than that which who whom whose this these those there here it its they them their
theirs he him his she her we us our you your i me my is are was were be been being
have has had do does did will would can could should may might must shall not no nor
also more most still now then only just already reportedly allegedly ago later earlier
each every all some many several such so if when where while because according said
says say told tell reported remain remains remained died die dies fired fire fires
entered enter crossed arrived left fell hit hits struck launched took taken held
being away back out up down off apiece respectively alone total overall combined
inside outside around about near nearly almost toward towards via amid amidst despite
through throughout within upon into like unlike whereas whether though although yet
again once twice very too much less least few fewer other another same own what how
why today yesterday tomorrow tonight now last next s t ones others
""")

#: Words of four letters or more that say nothing about what a claim is about, left out
#: of its content stems: :mod:`claimscope.relevance`.
CONTENT_STOP_WORDS = word_set("""that this these those with from have has had been were
was their there about over under more than less some most many into after before since
while also which who whom what when where would could should said says according
including among other them they said reported reportedly being does doing done just only
very even still such each every both either neither your yours ours mine his hers its
it's will shall might must upon onto across against during within without between
through until unless whether here then than nor not yet""")

#: Words of four letters or more that say nothing about what a figure counts, left out of
#: the words around it that :mod:`claimscope.numcompare` compares ("people" and "total" too:
#: every tally has them).
FIGURE_CONTEXT_STOP_WORDS = word_set("""that this these those with from have has had been were was their there
about over under more than less some most many into after before since while also which who
whom what when where would could should said says according including among other them they
said reported reportedly total people""")

#: Words that never name a figure's scope ("the *first* week", "*daily*"), on top of
#: :data:`FIGURE_CONTEXT_STOP_WORDS`: :mod:`claimscope.numcompare`.
FIGURE_SCOPE_STOP_WORDS = FIGURE_CONTEXT_STOP_WORDS | word_set("""first last time times same next past rest whole entire
least most once date today daily hour hours week weeks month months year years days
hold keep make take give allow enter reach""")

#: Function words left out of a corpus full-text query: :mod:`claimscope.corpus.store`.
SEARCH_STOP_WORDS = word_set("""a an and are as at be been by for from had has have he her his in is it
its of on or that the their them they this to was were which who will with said says say
not no but than then there these those also into after before over under more less about
some all any been being do does did can could would should may might""")


# --- words and stems ---------------------------------------------------------------------

#: A word: letters joined by apostrophes ("don't", "Ma’an"); a digit or "_" ends it.
WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)*"
WORD_RE = re.compile(WORD)
#: A word with at most one apostrophe ("couldn't've" is "couldn't" and "ve"): the ledger's
#: cue triggers are matched against these, and some of them are contractions.
WORD_ONE_APOSTROPHE_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
#: A content word: a letter, then letters or digits, parts joined by hyphens or
#: apostrophes ("al-Shifa", "F16s", "Ma’an").
CONTENT_WORD_RE = re.compile(r"[^\W\d_][^\W_]*(?:[-'’][^\W\d_]+)*")
#: A run of ASCII letters ("İDF" holds "DF"; the dotted capital is not ASCII).
ASCII_WORD_RE = re.compile(r"[A-Za-z]+")
_ASCII_LOWER_RE = re.compile(r"[a-z]+")


def ascii_words(text: str) -> list[str]:
    """The runs of ASCII letters in ``text``, lower-cased, in order."""
    # The only characters besides ASCII letters whose lower case holds one: the Kelvin
    # sign and the dotted capital I ("İ" -> "i̇").
    if "\u212a" in text or "\u0130" in text:
        return [w.lower() for w in ASCII_WORD_RE.findall(text)]
    # The same words, found faster (this runs on every sentence): without those two
    # characters, lower-casing the text first neither adds nor joins ASCII letters.
    return _ASCII_LOWER_RE.findall(text.lower())


def stem4(word: str) -> str:
    """A word's 4-letter stem: its first four letters, lower-cased ("Killed" -> "kill")."""
    return word.lower()[:4]


# --- sentence ends -----------------------------------------------------------------------

#: A space that groups thousands, as French and many machine translations write them
#: ("25 000"): a plain, no-break or narrow no-break space (a regex class).
GROUP_SPACE = "[ \u00a0\u202f]"
#: A link: with its scheme, or a host name with a path ("bit.ly/3Rl0T7p"); a host needs a
#: letter, so "1.5/2" is not one.
LINK_RE = re.compile(r"https?://\S+|\b[\w-]*[^\W\d_][\w-]*(?:\.[\w-]+)+/\S+")
#: The end of a sentence in running text: ".", "!" or "?" before white space and a capital,
#: a quote or a bracket; or a line break.
SENTENCE_END_RE = re.compile(r"[.!?](?=\s+[A-Z\"'“(])|\n")
_FINAL = (".", "!", "?", ":", '"', "”")
_LONE_DASHES = ("-", "–", "—")


def ends_sentence(token: str) -> bool:
    """Whether the word after this white-space token starts a sentence: the token ends in
    a full stop, "!", "?", ":" or a closing quote, or is a lone dash (a dateline's)."""
    return token.endswith(_FINAL) or token in _LONE_DASHES


def last_sentence_break(text: str) -> int:
    """Where the last ". ", "? " or "! " of ``text`` starts (-1: none)."""
    return max(text.rfind(". "), text.rfind("? "), text.rfind("! "))
