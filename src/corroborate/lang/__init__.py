"""Language data, a subpackage per language (in the manner of spaCy's ``spacy/lang``).

:mod:`corroborate.lang.en` holds the English data: the lexicons the rules match, the stop
words, and the word lists the modules used to hold as literals. Code reads it only through
that package's :func:`~corroborate.lang.en.load`. Only English is analysed today
(:data:`corroborate.analyze.ANALYZED_LANGUAGES`); another language would be a sibling package
with files of the same names and keys.
"""
