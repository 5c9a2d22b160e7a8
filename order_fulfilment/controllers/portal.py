from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class FulfilmentTicketPortal(CustomerPortal):
    """Customers follow and open after-sales tickets under /my/tickets."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "fulfilment_ticket_count" in counters:
            Ticket = request.env["fulfilment.ticket"]
            values["fulfilment_ticket_count"] = (
                Ticket.search_count(self._fulfilment_ticket_domain()) if Ticket.has_access("read") else 0
            )
        return values

    def _fulfilment_ticket_domain(self):
        # The record rules already restrict portal users; the domain keeps internal users to their own too.
        return [("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id)]

    def _fulfilment_customer_orders(self):
        commercial = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["sale.order"]
            .sudo()
            .search(
                [("partner_id", "child_of", commercial.id), ("state", "=", "sale")],
                order="date_order desc, id desc",
            )
        )

    def _fulfilment_customer_deliveries(self, orders):
        return (
            request.env["stock.picking"]
            .sudo()
            .search(
                [("sale_id", "in", orders.ids), ("picking_type_code", "=", "outgoing")],
                order="id desc",
            )
        )

    @http.route(["/my/tickets", "/my/tickets/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_fulfilment_tickets(self, page=1, sortby=None, **kw):
        values = self._prepare_portal_layout_values()
        Ticket = request.env["fulfilment.ticket"]
        domain = self._fulfilment_ticket_domain()
        sortings = {
            "date": {"label": request.env._("Newest"), "order": "id desc"},
            "state": {"label": request.env._("Status"), "order": "state, id desc"},
        }
        sortby = sortby if sortby in sortings else "date"
        count = Ticket.search_count(domain)
        pager = portal_pager(
            url="/my/tickets", url_args={"sortby": sortby}, total=count, page=page, step=self._items_per_page
        )
        tickets = Ticket.search(
            domain, order=sortings[sortby]["order"], limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_fulfilment_tickets_history"] = tickets.ids[:100]
        values.update(
            {
                "tickets": tickets,
                "page_name": "fulfilment_ticket",
                "pager": pager,
                "default_url": "/my/tickets",
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render("order_fulfilment.portal_my_fulfilment_tickets", values)

    @http.route(["/my/tickets/<int:ticket_id>"], type="http", auth="public", website=True)
    def portal_my_fulfilment_ticket(self, ticket_id, access_token=None, **kw):
        try:
            ticket_sudo = self._document_check_access(
                "fulfilment.ticket", ticket_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        report_type = kw.get("report_type")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=ticket_sudo,
                report_type=report_type,
                report_ref="order_fulfilment.fulfilment_ticket_report_action",
                download=kw.get("download"),
            )
        values = self._get_page_view_values(
            ticket_sudo,
            access_token,
            {"ticket": ticket_sudo, "page_name": "fulfilment_ticket"},
            "my_fulfilment_tickets_history",
            False,
            **kw,
        )
        return request.render("order_fulfilment.portal_my_fulfilment_ticket", values)

    @http.route(["/my/tickets/new"], type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_new_fulfilment_ticket(self, **post):
        orders = self._fulfilment_customer_orders()
        deliveries = self._fulfilment_customer_deliveries(orders)
        ticket_types = (
            request.env["fulfilment.ticket"]._fields["ticket_type"]._description_selection(request.env)
        )
        errors = []
        if request.httprequest.method == "POST":
            vals, errors = self._fulfilment_ticket_vals_from_post(post, orders, deliveries)
            if not errors:
                ticket = request.env["fulfilment.ticket"].sudo().create(vals)
                ticket.message_subscribe(partner_ids=request.env.user.partner_id.ids)
                return request.redirect(ticket.get_portal_url())
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "fulfilment_ticket_new",
                "orders": orders,
                "deliveries": deliveries,
                "ticket_types": ticket_types,
                "errors": errors,
                "post": post,
            }
        )
        return request.render("order_fulfilment.portal_new_fulfilment_ticket", values)

    def _fulfilment_ticket_vals_from_post(self, post, orders, deliveries):
        """Validate the portal form on the server: orders and deliveries must be the customer's."""
        errors = []
        partner = request.env.user.partner_id
        valid_types = dict(request.env["fulfilment.ticket"]._fields["ticket_type"].selection)
        ticket_type = post.get("ticket_type") or "complaint"
        if ticket_type not in valid_types:
            errors.append(request.env._("Choose a type of request."))
        description = (post.get("description") or "").strip()
        if not description:
            errors.append(request.env._("Describe the problem."))
        order = picking = request.env["sale.order"].sudo().browse()
        picking = request.env["stock.picking"].sudo().browse()
        try:
            order_id = int(post.get("order_id") or 0)
            picking_id = int(post.get("picking_id") or 0)
            product_id = int(post.get("product_id") or 0)
        except ValueError:
            return {}, [request.env._("The order, delivery or product is not valid.")]
        if order_id:
            order = orders.filtered(lambda o: o.id == order_id)
            if not order:
                errors.append(request.env._("This order is not one of your orders."))
        if picking_id:
            picking = deliveries.filtered(lambda p: p.id == picking_id)
            if not picking:
                errors.append(request.env._("This delivery is not one of your deliveries."))
            elif order and picking.sale_id != order:
                errors.append(request.env._("This delivery does not belong to the chosen order."))
            else:
                order = order or picking.sale_id
        if not order:
            errors.append(request.env._("Choose the order or the delivery the request is about."))
        product = request.env["product.product"].sudo().browse()
        if product_id and order:
            product = (order.order_line.product_id | picking.move_ids.product_id).filtered(
                lambda p: p.id == product_id
            )
            if not product:
                errors.append(request.env._("This product is not on the chosen order."))
        if errors:
            return {}, errors
        vals = {
            "partner_id": partner.id,
            "order_id": order.id,
            "picking_id": picking.id or False,
            "product_id": product.id or False,
            "ticket_type": ticket_type,
            "description": description,
            "company_id": order.company_id.id,
        }
        return vals, errors
