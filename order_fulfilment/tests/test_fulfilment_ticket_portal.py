from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTicketPortal(HttpCase):
    """Two customers on the portal: each sees and opens only their own tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.product = cls.env["product.product"].create({"name": "Flange kit", "list_price": 50.0})
        cls.tickets = {}
        cls.orders = {}
        for key, company_name in (("a", "Harbin Water Works"), ("b", "Dalian Pipe Co")):
            company = Partner.create({"name": company_name, "is_company": True})
            user = new_test_user(
                cls.env, login=f"of_portal_{key}", groups="base.group_portal", name=f"Buyer {key.upper()}"
            )
            user.partner_id.parent_id = company
            order = cls.env["sale.order"].create(
                {
                    "partner_id": company.id,
                    "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 1})],
                }
            )
            order.action_confirm()
            cls.orders[key] = order
            cls.tickets[key] = cls.env["fulfilment.ticket"].create(
                {
                    "partner_id": company.id,
                    "order_id": order.id,
                    "ticket_type": "complaint",
                    "description": f"Complaint of {company_name}",
                }
            )

    def test_each_customer_sees_only_own_tickets(self):
        for own, other in (("a", "b"), ("b", "a")):
            self.authenticate(f"of_portal_{own}", f"of_portal_{own}")
            own_ticket, other_ticket = self.tickets[own], self.tickets[other]
            response = self.url_open(f"/my/tickets/{own_ticket.id}")
            self.assertEqual(response.status_code, 200)
            self.assertIn(own_ticket.name, response.text)
            self.assertIn(own_ticket.description, response.text)
            self.assertIn("o_portal_chatter", response.text)
            response = self.url_open(f"/my/tickets/{other_ticket.id}", allow_redirects=False)
            self.assertIn(response.status_code, (303, 302, 403))
            self.assertNotIn(other_ticket.description, response.text)
            listing = self.url_open("/my/tickets")
            self.assertEqual(listing.status_code, 200)
            self.assertIn(own_ticket.name, listing.text)
            self.assertNotIn(other_ticket.name, listing.text)
            # The record rules hold for RPC as well.
            portal_user = self.env["res.users"].search([("login", "=", f"of_portal_{own}")])
            visible = self.env["fulfilment.ticket"].with_user(portal_user).search([])
            self.assertEqual(visible, own_ticket)

    def test_portal_user_opens_ticket_for_own_order_only(self):
        self.authenticate("of_portal_a", "of_portal_a")
        Ticket = self.env["fulfilment.ticket"]
        before = Ticket.search_count([])
        response = self.url_open(
            "/my/tickets/new",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "ticket_type": "return",
                "order_id": self.orders["b"].id,
                "description": "Please take back the flange kit",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("not one of your orders", response.text)
        self.assertEqual(Ticket.search_count([]), before)
        response = self.url_open(
            "/my/tickets/new",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "ticket_type": "return",
                "order_id": self.orders["a"].id,
                "product_id": self.product.id,
                "description": "Please take back the flange kit",
            },
        )
        self.assertEqual(response.status_code, 200)
        ticket = Ticket.search([("description", "=", "Please take back the flange kit")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.order_id, self.orders["a"])
        self.assertEqual(ticket.ticket_type, "return")
        self.assertEqual(ticket.state, "new")
        self.assertTrue(ticket.contact_deadline)
        self.assertIn(f"/my/tickets/{ticket.id}", response.url)
        self.assertIn(ticket.name, response.text)
        # The customer follows the ticket and can reply in its thread.
        portal_partner = self.env["res.users"].search([("login", "=", "of_portal_a")]).partner_id
        self.assertIn(portal_partner, ticket.message_partner_ids)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "fulfilment.ticket",
                "thread_id": ticket.id,
                "post_data": {"body": "The crate is ready for pick-up", "message_type": "comment"},
            },
        )
        self.assertTrue(ticket.message_ids.filtered(lambda m: "ready for pick-up" in (m.body or "")))
        # Not on another customer's ticket.
        self.assertEqual(
            self.url_open("/my/tickets").text.count("o_fulfilment_ticket_link"),
            2,
        )
