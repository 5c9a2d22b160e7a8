"""After-sales satisfaction on the portal: the ticket page offers the pending rating request, and
only the ticket's customer (or whoever holds the link, when not logged in) rates a ticket."""

from odoo import http
from odoo.http import request

from odoo.addons.rating.controllers.main import Rating

from .portal import FulfilmentTicketPortal


class FulfilmentTicketRatingPortal(FulfilmentTicketPortal):
    def _get_page_view_values(
        self, document, access_token, values, session_history, no_breadcrumbs, **kwargs
    ):
        if document._name == "fulfilment.ticket" and document.state == "closed":
            values["fulfilment_rating"] = document._fulfilment_pending_rating()
        return super()._get_page_view_values(
            document, access_token, values, session_history, no_breadcrumbs, **kwargs
        )


class FulfilmentTicketRating(Rating):
    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        # Stock Odoo checks the customer only when the rating page opens; a ticket's rating is also
        # refused when it is submitted by a logged-in user of another customer.
        rating, record_sudo = self._get_rating_and_record(token)
        user = request.env.user
        if (
            rating.res_model == "fulfilment.ticket"
            and not user._is_public()
            and user.partner_id.commercial_partner_id != rating.partner_id.commercial_partner_id
        ):
            return request.render(
                "rating.rating_external_page_invalid_partner",
                {
                    "model_name": request.env["ir.model"]._get(rating.res_model).display_name,
                    "name": record_sudo.display_name,
                    "web_base_url": rating.get_base_url(),
                },
            )
        return super().action_submit_rating(token, rate=rate, **kwargs)
