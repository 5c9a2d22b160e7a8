"""After-sales satisfaction (满意度, R4.3): Odoo's ratings on tickets.

On closing, the customer gets a rating request (the closing e-mail, and the ticket's portal page)
with Odoo's rating links (``/rate/<token>/<score>``) and a comment. The rating fills
``satisfaction``:

- Odoo 18 rates with three smileys worth 1 (dissatisfied), 3 (okay) and 5 (satisfied): they give
  the satisfaction scores 1, 3 and 5;
- any other rating value (0..5, e.g. given through ``rating_apply`` by code) is rounded to the
  nearest score from 1 to 5; 0 ("no rating") leaves the satisfaction as it was.

Agents may still record a score from 1 to 5 said on the phone (``action_close(satisfaction=...)``);
the customer's own rating, when it comes, replaces it.
"""

from odoo import models
from odoo.exceptions import AccessError


def satisfaction_from_rating(value):
    """The ``satisfaction`` score ('1'..'5') of a rating value (0..5), or None for no rating."""
    if not value or value < 1:
        return None
    return str(min(5, max(1, int(value + 0.5))))


class FulfilmentTicket(models.Model):
    _name = "fulfilment.ticket"
    # rating.mixin first: it comes before mail.thread, which the ticket already inherits.
    _inherit = ["rating.mixin", "fulfilment.ticket"]

    def rating_apply(
        self, rate, token=None, rating=None, feedback=None, subtype_xmlid=None, notify_delay_send=False
    ):
        # The customer rates through the rating link (the controller acts as superuser after checking
        # the token); anyone else must be able to work on the ticket.
        if not self.env.su and not self.env.user.has_group("order_fulfilment.group_aftersales_user"):
            raise AccessError(self.env._("Only the customer, through the rating link, rates a ticket."))
        rating = super().rating_apply(
            rate,
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        score = satisfaction_from_rating(rating.rating)
        if score:
            self.sudo().write({"satisfaction": score})
        return rating

    def _fulfilment_pending_rating(self):
        """The customer's rating request still to answer, if any."""
        self.ensure_one()
        customer = self.partner_id
        return self.sudo().rating_ids.filtered(lambda r: not r.consumed and r.partner_id == customer)[:1]
