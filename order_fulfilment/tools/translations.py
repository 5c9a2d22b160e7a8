"""Translated values that are computed from other translated values."""


def set_translations(records, field_name, value):
    """Assign the translated field ``field_name`` of ``records`` in every installed language.

    A compute method assigns the value of one language only, and a new value is stored as
    the English text too: a label computed for a Chinese user would then read in Chinese
    for everybody. ``value(record)`` is evaluated on the record in each language instead.
    """
    if not records:
        return
    env = records.env
    current = env.lang or "en_US"
    langs = {"en_US", *(code for code, _name in env["res.lang"].get_installed())} - {current}
    # The current language last: the value the compute leaves for its own environment.
    for lang in [*sorted(langs), current]:
        for record in records.with_context(lang=lang):
            record[field_name] = value(record) or False
