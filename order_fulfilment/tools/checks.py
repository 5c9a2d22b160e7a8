"""Refusals that name the records at fault."""

from odoo.exceptions import UserError


def raise_if_any(records, message, field="display_name"):
    """Refuse with a UserError when ``records``, the ones at fault (e.g. ``self.filtered(...)``),
    is not empty; nothing happens otherwise.

    :param message: function(names) returning the message, written with ``env._``, given the
        names of the records at fault (their ``field``) joined by commas
    """
    if records:
        raise UserError(message(", ".join(records.mapped(field))))
