from odoo import http
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools import email_split

from .common import FulfilmentCase, delivered_goods, staff_user, users_of


@tagged("post_install", "-at_install")
class TestNoEmailWorkflow(FulfilmentCase):
    """Every workflow action works for internal users without an e-mail address (factory staff log in
    with a short name), each holding only the groups of their job. The notifications still reach the
    people who have an address, sent from the company's address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.email = "service@harbin-pumps.example.com"
        (
            cls.sales,
            cls.sales_manager,
            cls.director,
            cls.producer,
            cls.engineer,
            cls.finance,
            cls.agent,
            cls.storekeeper,
            cls.planner,
        ) = users_of(
            cls.env,
            ("ne_sales", "sales_team.group_sale_salesman", "Sun Sales"),
            ("ne_sales_manager", "sales_team.group_sale_manager", "Ma Manager"),
            ("ne_director", "order_fulfilment.group_sales_director", "Du Director"),
            ("ne_producer", "order_fulfilment.group_review_production", "Pan Production"),
            ("ne_engineer", "order_fulfilment.group_review_technical", "Tang Technical"),
            (
                "ne_finance",
                "sales_team.group_sale_salesman_all_leads,order_fulfilment.group_review_finance",
                "Fu Finance",
            ),
            ("ne_agent", "order_fulfilment.group_aftersales_user", "An Agent"),
            ("ne_stock", "stock.group_stock_user", "Shi Stock"),
            ("ne_planner", "mrp.group_mrp_user,stock.group_stock_user", "Pu Planner"),
            factory=staff_user,
        )
        Rule = cls.env["fulfilment.review.rule"]
        cls.group_production = cls.env.ref("order_fulfilment.group_review_production")
        cls.group_technical = cls.env.ref("order_fulfilment.group_review_technical")
        cls.production_rule = Rule.create(
            {"name": "Capacity", "group_id": cls.group_production.id, "sequence": 10}
        )
        cls.technical_rule = Rule.create(
            {"name": "Design", "group_id": cls.group_technical.id, "sequence": 20}
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _decide(self, record, user, decision="approve", comment=None):
        reviews = record._review_current().filtered(
            lambda r: r.state == "pending" and r.group_id in user.groups_id
        )
        self.assertTrue(reviews, f"{user.name} has a review to decide on {record.display_name}")
        if decision == "approve":
            reviews.with_user(user).action_approve()
        else:
            reviews.with_user(user).action_reject(comment=comment)
        return reviews

    def _confirmed(self, lines, partner=None):
        """A quotation without review rules, confirmed by the salesperson without an address."""
        self.production_rule.active = self.technical_rule.active = False
        order = self._create_order(lines, partner=partner, user=self.sales)
        order.with_user(self.sales).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _delivered(self, qty=4):
        order = self._confirmed([(self.stocked, qty, 50.0)])
        picking = self._pick(order.picking_ids.with_user(self.storekeeper))
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return order, picking

    def _company_address(self):
        return email_split(self.company.partner_id.email)[0]

    # ------------------------------------------------------------------
    # Quotation reviews and the confirmation gate
    # ------------------------------------------------------------------
    def test_quotation_review_request_decisions_and_confirm(self):
        order = self._create_order([(self.stocked, 2, 50.0)], user=self.sales)
        order.with_user(self.sales).action_request_review()
        self.assertEqual(order.review_state, "pending")
        self.assertTrue(order.message_ids.filtered(lambda m: m.author_id == self.sales.partner_id))
        self._decide(order, self.producer)
        self._decide(order, self.engineer, "reject", comment="No drawing of the flange yet")
        self.assertEqual(order.review_state, "rejected")
        with self.assertRaisesRegex(UserError, "rejected"):
            order.with_user(self.sales).action_confirm()
        # The salesperson changes the quotation and asks again.
        order.order_line.with_user(self.sales).write({"product_uom_qty": 3})
        order.with_user(self.sales).action_request_review()
        self.assertEqual(order.review_state, "pending")
        self._decide(order, self.producer)
        self._decide(order, self.engineer)
        self.assertEqual(order.review_state, "approved")
        order.with_user(self.sales).action_confirm()
        self.assertEqual(order.state, "sale")
        authors = order.message_ids.author_id
        self.assertLessEqual(
            self.sales.partner_id | self.producer.partner_id | self.engineer.partner_id, authors
        )

    def test_decision_still_notifies_salesperson_with_address(self):
        """The salesperson has an address: told of the approval, from the company's address."""
        self.technical_rule.active = False
        order = self._create_order([(self.stocked, 2, 50.0)])  # the salesperson of the case has an address
        order.with_user(self.salesman).action_request_review()
        self._decide(order, self.producer)
        self.assertEqual(order.review_state, "approved")
        todo = order.activity_ids.filtered(lambda a: a.user_id == self.salesman)
        self.assertTrue(todo)
        notice = self.env["mail.message"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("message_type", "=", "user_notification"),
                ("partner_ids", "in", self.salesman.partner_id.ids),
            ]
        )
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.author_id, self.producer.partner_id)
        self.assertIn(self._company_address(), notice.email_from or "")
        self.assertIn(self.producer.name, notice.email_from)
        self.assertIn(self.salesman.partner_id, notice.notification_ids.res_partner_id)

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    def test_change_request_submit_decide_apply_cancel(self):
        order = self._confirmed([(self.stocked, 4, 50.0)])
        Request = self.env["fulfilment.change.request"].with_user(self.sales)
        request = Request.create({"order_id": order.id, "change_type": "quantity", "reason": "One more kit"})
        request.line_ids.with_user(self.sales).write({"new_qty": 5})
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        self._decide(request, self.sales_manager)
        self._decide(request, self.director)
        self.assertEqual(request.state, "approved")
        request.action_apply()
        self.assertEqual(request.state, "applied")
        self.assertEqual(order.order_line.product_uom_qty, 5)

        rejected = Request.create({"order_id": order.id, "change_type": "price", "reason": "Discount asked"})
        rejected.line_ids.with_user(self.sales).write({"new_price_unit": 40.0})
        rejected.action_submit()
        self._decide(rejected, self.sales_manager, "reject", comment="The price is the contract price")
        self.assertEqual(rejected.state, "rejected")

        cancelled = Request.create({"order_id": order.id, "change_type": "quantity", "reason": "Two more"})
        cancelled.line_ids.with_user(self.sales).write({"new_qty": 7})
        cancelled.action_submit()
        cancelled.action_cancel()
        self.assertEqual(cancelled.state, "cancelled")

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
    def test_ticket_actions(self):
        order, picking = self._delivered()
        goods = delivered_goods(order, picking, self.stocked, ticket_type="return", quantity=1)
        ticket = (
            self.env["fulfilment.ticket"]
            .with_user(self.agent)
            .create({"partner_id": self.customer.id, **goods, "description": "One kit arrived bent"})
        )
        ticket.action_assign()
        self.assertEqual(ticket.state, "assigned")
        ticket.action_contact()
        self.assertTrue(ticket.first_contact_date)
        self.env["fulfilment.ticket.contact"].with_user(self.agent).create(
            {"ticket_id": ticket.id, "note": "Called back: a new kit is on its way"}
        ).action_confirm()
        ticket.action_start()
        self.assertEqual(ticket.state, "in_progress")
        ticket.action_create_return()
        self.assertEqual(len(ticket.return_picking_ids), 1)
        # The kit has no warranty (no warranty months): the replacement at zero price is signed
        # off first.
        self.assertFalse(ticket.in_warranty)
        ticket.action_request_review()
        approver = staff_user(self.env, "ne_as_manager", "order_fulfilment.group_aftersales_manager")
        self._decide(ticket, approver)
        ticket.action_create_replacement()
        self.assertTrue(ticket.replacement_order_id)
        ticket.write({"resolution": "replacement"})
        ticket.action_resolve()
        ticket.action_close(satisfaction=4)
        self.assertEqual(ticket.state, "closed")
        self.assertTrue(ticket.message_ids.filtered(lambda m: m.author_id == self.agent.partner_id))

    # ------------------------------------------------------------------
    # Release, delivery, proof of delivery, production
    # ------------------------------------------------------------------
    def test_release_validate_short_and_pod(self):
        customer_c = self.env["res.partner"].create(
            {"name": "Changchun Building", "is_company": True, "fulfilment_customer_class": "C"}
        )
        order = self._confirmed([(self.stocked, 10, 50.0)], partner=customer_c)
        picking = self._pick(order.picking_ids.with_user(self.storekeeper), 8)
        with self.assertRaisesRegex(UserError, "waiting for payment"):
            picking.button_validate()
        order.with_user(self.finance).action_release_delivery()
        self.assertTrue(order.delivery_released)
        picking.short_shipment_consent = "Mr Li agreed by phone to receive 8 now"
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            Form(
                self.env["stock.backorder.confirmation"]
                .with_user(self.storekeeper)
                .with_context(**result["context"])
            ).save().process()
        self.assertEqual(picking.state, "done")
        picking.action_confirm_pod()
        self.assertTrue(picking.fulfilment_pod_date)

    def test_production_cannot_meet_the_date(self):
        order = self._confirmed([(self.pump, 1, 1000.0)])
        production = order.fulfilment_production_ids.filtered(lambda p: p.product_id == self.pump)
        production.with_user(self.planner).action_fulfilment_cannot_meet("The motor supplier is late")
        message = order.message_ids.filtered(lambda m: "motor supplier is late" in (m.body or ""))
        self.assertEqual(message.author_id, self.planner.partner_id)
        self.assertTrue(order.activity_ids.filtered(lambda a: a.user_id == self.sales))


@tagged("post_install", "-at_install")
class TestNoEmailPortal(HttpCase):
    """A customer without an e-mail address opens a ticket on the portal and writes in its thread."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.email = "service@harbin-pumps.example.com"
        cls.agent = staff_user(cls.env, "ne_portal_agent", "order_fulfilment.group_aftersales_user")
        cls.agent.partner_id.email = "agent@harbin-pumps.example.com"  # told of the customer's replies
        company = cls.env["res.partner"].create({"name": "Harbin Water Works", "is_company": True})
        cls.portal_user = staff_user(cls.env, "ne_portal", "base.group_portal", name="Wang Buyer")
        cls.portal_user.partner_id.parent_id = company
        cls.product = cls.env["product.product"].create({"name": "Flange kit", "list_price": 50.0})
        cls.order = cls.env["sale.order"].create(
            {"partner_id": company.id, "order_line": [(0, 0, {"product_id": cls.product.id})]}
        )
        cls.order.action_confirm()

    def test_portal_ticket_and_reply(self):
        self.assertFalse(self.portal_user.email)
        self.authenticate("ne_portal", "ne_portal")
        response = self.url_open(
            "/my/tickets/new",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "ticket_type": "damage",
                "order_id": self.order.id,
                "product_id": self.product.id,
                "description": "The crate arrived crushed",
            },
        )
        self.assertEqual(response.status_code, 200)
        ticket = self.env["fulfilment.ticket"].search([("description", "=", "The crate arrived crushed")])
        self.assertEqual(len(ticket), 1)
        ticket.message_subscribe(partner_ids=self.agent.partner_id.ids)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "fulfilment.ticket",
                "thread_id": ticket.id,
                "post_data": {
                    "body": "Photos of the crate follow",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",  # as the portal's composer sends it
                },
            },
        )
        reply = ticket.message_ids.filtered(lambda m: "Photos of the crate" in (m.body or ""))
        self.assertEqual(reply.author_id, self.portal_user.partner_id)
        # The agent is told by e-mail, from the company's address.
        self.assertIn("service@harbin-pumps.example.com", reply.email_from or "")
        self.assertIn(self.agent.partner_id, reply.notification_ids.res_partner_id)
