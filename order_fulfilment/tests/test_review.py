from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import FulfilmentCase, roster


class ReviewCase(FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.group_production = ref("order_fulfilment.group_review_production")
        cls.group_technical = ref("order_fulfilment.group_review_technical")
        cls.group_finance = ref("order_fulfilment.group_review_finance")
        cls.group_director = ref("order_fulfilment.group_sales_director")
        cls.group_gm = ref("order_fulfilment.group_general_manager")
        cls.group_purchasing = ref("order_fulfilment.group_review_purchasing")
        roles = ("producer", "producer2", "engineer", "buyer", "finance", "director", "salesman2")
        (
            cls.producer,
            cls.producer2,
            cls.engineer,
            cls.buyer,
            cls.accountant,
            cls.director,
            cls.other_salesman,
        ) = roster(cls.env, "of", *roles)
        cls.Rule = cls.env["fulfilment.review.rule"]
        cls.review_type = cls.env.ref("order_fulfilment.mail_activity_type_review")

    @classmethod
    def _rule(cls, group, **values):
        return cls.Rule.create({"name": f"{group.name} review", "group_id": group.id, **values})

    def _request(self, order, user=None):
        order.with_user(user or self.salesman).action_request_review()
        return order._review_current()

    def _approve(self, order, user):
        reviews = order.review_ids.filtered(lambda r: r.state == "pending" and r.group_id in user.groups_id)
        reviews.with_user(user).action_approve()
        return reviews


@tagged("post_install", "-at_install")
class TestReviewCriteria(ReviewCase):
    def test_no_rule_no_review(self):
        order = self._create_order()
        self.assertEqual(order.review_state, "none")
        self.assertFalse(order.review_requirement)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_min_amount(self):
        self._rule(self.group_production, min_amount=5000)
        small = self._create_order([(self.pump, 4, 1000.0)])
        large = self._create_order([(self.pump, 5, 1000.0)])
        self.assertEqual(small.review_state, "none")
        self.assertEqual(large.review_state, "draft")
        self.assertIn("Production Reviewer", large.review_requirement)
        self.assertIn("or more", large.review_requirement)

    def test_rush_only(self):
        self._rule(self.group_production, rush_only=True)
        order = self._create_order()
        self.assertEqual(order.review_state, "none")
        order.write({"is_rush": True, "rush_reason": "Line down at the customer"})
        self.assertEqual(order.review_state, "draft")
        self.assertIn("rush order", order.review_requirement)

    def test_nonstandard_only(self):
        self._rule(self.group_technical, nonstandard_only=True)
        order = self._create_order([(self.pump, 1, 1000.0), (self.stocked, 1, 50.0)])
        self.assertEqual(order.review_state, "none")
        self.stocked.product_tmpl_id.fulfilment_nonstandard = True
        order.invalidate_recordset(["review_state"])
        order._review_recompute_state()
        self.assertEqual(order.review_state, "draft")
        self.assertIn(self.stocked.display_name, order.review_requirement)

    def test_min_discount(self):
        self._rule(self.group_director, min_discount=10)
        at_price = self._create_order([(self.pump, 1, 1000.0)])
        nine = self._create_order([(self.pump, 1, 910.0)])
        by_discount = self._create_order([(self.pump, 1, 1000.0)])
        by_discount.order_line.discount = 10
        by_price = self._create_order([(self.pump, 1, 880.0)])
        self.assertEqual(at_price.review_state, "none")
        self.assertEqual(nine.review_state, "none")
        self.assertEqual(by_discount.review_state, "draft")
        self.assertEqual(by_price.review_state, "draft")
        self.assertIn(self.pump.display_name, by_price.review_requirement)

    def test_below_last_price(self):
        self._rule(self.group_gm, below_last_price=True)
        first = self._create_order([(self.pump, 1, 950.0)])
        self.assertEqual(first.review_state, "none", "no earlier price to compare with")
        first.action_confirm()
        same = self._create_order([(self.pump, 1, 950.0)])
        lower = self._create_order([(self.pump, 1, 940.0)])
        other_customer = self._create_order(
            [(self.pump, 1, 900.0)], partner=self.env["res.partner"].create({"name": "Other Works"})
        )
        self.assertEqual(same.review_state, "none")
        self.assertEqual(lower.review_state, "draft")
        self.assertIn("last price", lower.review_requirement)
        self.assertEqual(other_customer.review_state, "none")
        # A contact of the same company buys at the company's last price.
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        contact_lower = self._create_order([(self.pump, 1, 900.0)], partner=contact)
        self.assertEqual(contact_lower.review_state, "draft")

    def test_over_credit_limit(self):
        self._rule(self.group_finance, over_credit_limit=True)
        self.company.account_use_credit_limit = True  # counts confirmed orders not yet invoiced
        self.customer.with_company(self.company).sudo().credit_limit = 3000
        within = self._create_order([(self.pump, 2, 1000.0)])
        self.assertEqual(within.review_state, "none")
        within.action_confirm()  # 2,000 now to invoice
        over = self._create_order([(self.pump, 1, 1500.0)])
        self.assertEqual(over.review_state, "draft")
        self.assertIn("credit limit", over.review_requirement)
        no_limit = self._create_order(
            [(self.pump, 10, 1000.0)], partner=self.env["res.partner"].create({"name": "Unlimited Ltd"})
        )
        self.assertEqual(no_limit.review_state, "none")

    def test_filter_domain_and_combination(self):
        self._rule(
            self.group_production,
            min_amount=1000,
            rush_only=True,
            filter_domain=f"[('partner_id', '=', {self.customer.id})]",
        )
        rush_big = self._create_order([(self.pump, 2, 1000.0)], is_rush=True, rush_reason="Penalty clause")
        rush_small = self._create_order([(self.stocked, 1, 50.0)], is_rush=True, rush_reason="Penalty clause")
        normal_big = self._create_order([(self.pump, 2, 1000.0)])
        other = self._create_order(
            [(self.pump, 2, 1000.0)],
            partner=self.env["res.partner"].create({"name": "Elsewhere"}),
            is_rush=True,
            rush_reason="Penalty clause",
        )
        self.assertEqual(rush_big.review_state, "draft")
        self.assertEqual(rush_small.review_state, "none")
        self.assertEqual(normal_big.review_state, "none")
        self.assertEqual(other.review_state, "none")

    def test_invalid_domain_refused(self):
        with self.assertRaisesRegex(Exception, "not a valid domain"):
            self._rule(self.group_production, filter_domain="[('no_such_field', '=', 1)]")

    def test_rule_company_and_archive(self):
        other_company = self.env["res.company"].create({"name": "Other Pump Co"})
        rule = self._rule(self.group_production, company_id=other_company.id)
        order = self._create_order()
        self.assertEqual(order.review_state, "none")
        rule.company_id = False
        # The web client shows the right status at once; the stored one follows in the background.
        self.assertEqual(order.web_read({"review_state": {}})[0]["review_state"], "draft")
        self.env["fulfilment.review.rule"]._cron_refresh_review_states()
        self.assertEqual(order.review_state, "draft", "a rule change refreshes open quotations")
        rule.active = False
        self.env["fulfilment.review.rule"]._cron_refresh_review_states()
        self.assertEqual(order.review_state, "none")

    def test_rule_change_refreshes_in_the_background(self):
        """Saving a rule recomputes no quotation in the request; the form and the scheduled
        action show the new status, draft change requests included."""
        orders = self._create_order() | self._create_order()
        self.assertEqual(orders.mapped("review_state"), ["none", "none"])
        rule = self._rule(self.group_production)
        self.env.invalidate_all()
        self.env.cr.execute("SELECT review_state FROM sale_order WHERE id IN %s", [tuple(orders.ids)])
        self.assertEqual(
            {row[0] for row in self.env.cr.fetchall()}, {"none"}, "not recomputed in the request"
        )
        self.assertEqual(orders[0].web_read({"review_state": {}})[0]["review_state"], "draft")
        self.env.flush_all()
        self.env.cr.execute("SELECT review_state FROM sale_order WHERE id IN %s", [tuple(orders.ids)])
        self.assertEqual(
            {row[0] for row in self.env.cr.fetchall()},
            {"none"},
            "a read writes nothing (the web client reads in a read-only transaction)",
        )
        self.assertGreaterEqual(
            self.env["fulfilment.review.rule"]._cron_refresh_review_states(batch_size=1), 2
        )
        self.assertEqual(orders.mapped("review_state"), ["draft", "draft"])
        rule.min_amount = 10**9
        self.env["fulfilment.review.rule"]._cron_refresh_review_states()
        self.assertEqual(orders.mapped("review_state"), ["none", "none"])


@tagged("post_install", "-at_install")
class TestReviewFlow(ReviewCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_production = cls._rule(cls.group_production, sequence=10, response_hours=4)
        cls.rule_purchasing = cls._rule(cls.group_purchasing, sequence=10)
        cls.rule_finance = cls._rule(cls.group_finance, sequence=20)

    def test_steps_parallel_and_sequential(self):
        order = self._create_order()
        self.assertEqual(order.review_state, "draft")
        with freeze_time("2026-03-02 08:00:00"):
            reviews = self._request(order)
        self.assertEqual(len(reviews), 3)
        self.assertEqual(order.review_state, "pending")
        by_group = {r.group_id: r for r in reviews}
        self.assertEqual(by_group[self.group_production].state, "pending")
        self.assertEqual(by_group[self.group_purchasing].state, "pending")
        self.assertEqual(by_group[self.group_finance].state, "waiting")
        self.assertEqual(
            by_group[self.group_production].deadline, fields.Datetime.to_datetime("2026-03-02 12:00:00")
        )
        self.assertFalse(by_group[self.group_finance].deadline)
        self.assertEqual(by_group[self.group_production].requested_by_id, self.salesman)

        self._approve(order, self.producer)
        self.assertEqual(by_group[self.group_finance].state, "waiting", "purchasing has not signed yet")
        self._approve(order, self.buyer)
        self.assertEqual(by_group[self.group_finance].state, "pending")
        self.assertEqual(order.review_state, "pending")
        with self.assertRaisesRegex(UserError, "Missing review sign-offs"):
            order.action_confirm()
        self._approve(order, self.accountant)
        self.assertEqual(order.review_state, "approved")
        self.assertEqual(by_group[self.group_production].reviewer_id, self.producer)
        self.assertTrue(by_group[self.group_production].decision_date)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        bodies = " ".join(order.message_ids.mapped("body"))
        self.assertIn("Review requested", bodies)
        self.assertIn("Finance Reviewer approved", bodies)
        self.assertIn("All reviews are approved", bodies)

    def test_activities_for_every_member_removed_on_decision(self):
        order = self._create_order()
        self._request(order)
        review_type = self.env.ref("order_fulfilment.mail_activity_type_review")
        activities = order.activity_ids.filtered(lambda a: a.activity_type_id == review_type)
        production_activities = activities.filtered(
            lambda a: a.fulfilment_review_id.group_id == self.group_production
        )
        self.assertTrue({self.producer, self.producer2} <= set(production_activities.user_id))
        self.assertNotIn(self.salesman, activities.user_id)
        self._approve(order, self.producer2)
        remaining = order.activity_ids.filtered(lambda a: a.activity_type_id == review_type)
        self.assertFalse(
            remaining.filtered(lambda a: a.fulfilment_review_id.group_id == self.group_production)
        )
        self.assertTrue(
            remaining.filtered(lambda a: a.fulfilment_review_id.group_id == self.group_purchasing)
        )

    def test_only_group_members_decide(self):
        order = self._create_order()
        reviews = self._request(order)
        production = reviews.filtered(lambda r: r.group_id == self.group_production)
        with self.assertRaises(AccessError):
            production.with_user(self.engineer).action_approve()
        with self.assertRaises(AccessError):
            production.with_user(self.other_salesman).action_approve()
        self.assertEqual(production.state, "pending")
        waiting = reviews.filtered(lambda r: r.group_id == self.group_finance)
        with self.assertRaisesRegex(UserError, "only reviews waiting for a decision"):
            waiting.with_user(self.accountant).action_approve()

    def test_salesperson_and_requester_cannot_decide(self):
        self.salesman.groups_id += self.group_production
        order = self._create_order()
        production = self._request(order).filtered(lambda r: r.group_id == self.group_production)
        with self.assertRaisesRegex(UserError, "cannot sign"):
            production.with_user(self.salesman).action_approve()
        # A requester who is not the salesperson is refused as well.
        team_lead = new_test_user(
            self.env,
            login="of_team_lead",
            groups="sales_team.group_sale_salesman_all_leads,order_fulfilment.group_review_production",
        )
        order2 = self._create_order(user=self.other_salesman)
        production2 = self._request(order2, user=team_lead).filtered(
            lambda r: r.group_id == self.group_production
        )
        with self.assertRaisesRegex(UserError, "cannot sign"):
            production2.with_user(team_lead).action_approve()
        production2.with_user(self.producer2).action_approve()
        self.assertEqual(production2.state, "approved")

    def test_self_review_allowed_by_rule(self):
        self.rule_production.allow_self_review = True
        self.salesman.groups_id += self.group_production
        order = self._create_order()
        production = self._request(order).filtered(lambda r: r.group_id == self.group_production)
        production.with_user(self.salesman).action_approve()
        self.assertEqual(production.state, "approved")

    def test_reject_needs_comment_then_rerequest(self):
        order = self._create_order()
        reviews = self._request(order)
        production = reviews.filtered(lambda r: r.group_id == self.group_production)
        with self.assertRaisesRegex(UserError, "Write why"):
            production.with_user(self.producer).action_reject()
        self.assertEqual(production.state, "pending")
        production.with_user(self.producer).comment = "No capacity before June"
        production.with_user(self.producer).action_reject()
        self.assertEqual(production.state, "rejected")
        self.assertEqual(order.review_state, "rejected")
        self.assertIn("No capacity before June", order.review_rejection)
        self.assertEqual(
            set(reviews.filtered(lambda r: r.group_id != self.group_production).mapped("state")),
            {"cancelled"},
        )
        with self.assertRaisesRegex(UserError, "rejected"):
            order.action_confirm()
        # The salesperson changes the order and asks again: a new round.
        order.order_line.product_uom_qty = 2
        self.assertEqual(
            order.review_state, "rejected", "the rejection stays until the review is requested again"
        )
        new_reviews = self._request(order)
        self.assertEqual(len(new_reviews), 3)
        self.assertEqual(order.review_state, "pending")
        self.assertEqual(production.state, "rejected", "the old decision stays on record")

    def test_reject_wizard(self):
        order = self._create_order()
        self._request(order)
        action = order.with_user(self.producer).action_review_reject()
        wizard = Form(
            self.env[action["res_model"]].with_user(self.producer).with_context(**action["context"])
        )
        wizard.comment = "Tooling not available"
        wizard.save().action_reject()
        self.assertEqual(order.review_state, "rejected")
        self.assertIn("Tooling not available", " ".join(order.message_ids.mapped("body")))

    def test_approve_from_order(self):
        order = self._create_order()
        self._request(order)
        self.assertTrue(order.with_user(self.producer).review_can_decide)
        self.assertFalse(order.with_user(self.accountant).review_can_decide)
        order.with_user(self.producer).action_review_approve()
        with self.assertRaisesRegex(UserError, "no review to decide"):
            order.with_user(self.producer).action_review_approve()

    def test_invalidation(self):
        cases = [
            ("quantity", lambda o: o.order_line.write({"product_uom_qty": 3})),
            ("price", lambda o: o.order_line.write({"price_unit": 990})),
            ("discount", lambda o: o.order_line.write({"discount": 5})),
            ("product", lambda o: o.order_line.write({"product_id": self.stocked.id})),
            (
                "new line",
                lambda o: o.write({"order_line": [Command.create({"product_id": self.stocked.id})]}),
            ),
            ("removed line", lambda o: o.order_line[:1].unlink()),
            (
                "customer",
                lambda o: o.write({"partner_id": self.env["res.partner"].create({"name": "New"}).id}),
            ),
            ("date", lambda o: o.write({"commitment_date": fields.Datetime.now() + timedelta(days=30)})),
            ("rush", lambda o: o.write({"is_rush": True, "rush_reason": "Customer line down"})),
        ]
        for label, change in cases:
            with self.subTest(change=label):
                order = self._create_order([(self.pump, 1, 1000.0), (self.stocked, 2, 50.0)])
                reviews = self._request(order)
                approved = self._approve(order, self.producer)
                change(order)
                # These rules cover every order: in doubt, each sign-off is asked again, in the
                # same round (the approval no longer stands, nobody has to request it again).
                self.assertEqual(set(reviews.mapped("state")), {"cancelled"})
                self.assertEqual(order.review_state, "pending")
                current = order._review_current()
                self.assertEqual(len(current), 3)
                self.assertEqual(set(current.mapped("round")), {reviews[0].round})
                self.assertNotIn(approved, current)
                self.assertIn("asked again", order.message_ids[0].body)
                self.assertEqual(
                    order.activity_ids.filtered(lambda a: a.activity_type_id == self.review_type).mapped(
                        "fulfilment_review_id"
                    ),
                    current.filtered(lambda r: r.state == "pending"),
                    "the activities are those of the sign-offs asked again",
                )

    def test_unchanged_write_keeps_reviews(self):
        order = self._create_order()
        reviews = self._request(order)
        order.order_line.write({"product_uom_qty": order.order_line.product_uom_qty})
        order.write({"note": "Deliver to gate 3", "client_order_ref": "PO-77"})
        self.assertNotIn("cancelled", reviews.mapped("state"))
        self.assertEqual(order.review_state, "pending")

    def test_gate_every_path(self):
        order = self._create_order()
        self.assertEqual(order.review_state, "draft")
        for context in (
            {},
            {"skip_review": True},
            {"skip_validation_check": True},
            {"tracking_disable": True},
        ):
            with self.subTest(context=context), self.assertRaisesRegex(UserError, "Missing review sign-offs"):
                order.with_context(**context).action_confirm()
        with self.assertRaisesRegex(UserError, "request it first"):
            order.write({"state": "sale"})
        with self.assertRaisesRegex(UserError, "request it first"):
            order.sudo().write({"state": "sale"})
        with self.assertRaisesRegex(UserError, "cannot be written"):
            order.write({"review_state": "approved"})
        self.assertEqual(order.state, "draft")
        # Online signature: signed, but not confirmed.
        order.require_signature = True
        order._validate_order()
        self.assertEqual(order.state, "draft")
        self.assertIn("Signed online", " ".join(order.message_ids.mapped("body")))

    def test_request_needs_a_quotation_and_a_rule(self):
        no_rule = self._create_order([(self.stocked, 1, 50.0)])
        self.Rule.search([]).write({"min_amount": 100})
        with self.assertRaisesRegex(UserError, "no review rule applies"):
            no_rule.action_request_review()
        order = self._create_order()
        self._request(order)
        with self.assertRaisesRegex(UserError, "already requested"):
            order.action_request_review()
        confirmed = self._create_order([(self.stocked, 1, 50.0)])
        confirmed.action_confirm()
        with self.assertRaisesRegex(UserError, "only quotations"):
            confirmed.action_request_review()

    def test_reviews_only_through_methods(self):
        order = self._create_order()
        review = self._request(order).filtered(lambda r: r.group_id == self.group_production)
        with self.assertRaises(AccessError):
            review.with_user(self.producer).write({"state": "approved"})
        with self.assertRaises(AccessError):
            review.with_user(self.salesman).write({"reviewer_id": self.salesman.id})
        with self.assertRaises(AccessError):
            self.env["fulfilment.review"].with_user(self.salesman).create(
                {"res_model": "sale.order", "res_id": order.id, "order_id": order.id, "group_id": 1}
            )
        with self.assertRaises(AccessError):
            review.with_user(self.producer).unlink()
        # A reviewer may write the comment, a salesman may not.
        review.with_user(self.producer).comment = "Checking the line load"
        with self.assertRaises(AccessError):
            review.with_user(self.other_salesman).comment = "Looks fine"

    def test_read_access(self):
        order = self._create_order()
        self._request(order)
        other_order = self._create_order(user=self.other_salesman)
        # Salespeople read the reviews of their orders only.
        visible = self.env["fulfilment.review"].with_user(self.salesman).search([])
        self.assertEqual(set(visible.order_id.ids), {order.id})
        self.assertFalse(
            self.env["fulfilment.review"].with_user(self.other_salesman).search([("order_id", "=", order.id)])
        )
        # Reviewers read the orders they review, and not the others.
        self.assertEqual(order.with_user(self.producer).read(["name"])[0]["name"], order.name)
        with self.assertRaises(AccessError):
            other_order.with_user(self.producer).read(["name"])
        my_pending = (
            self.env["fulfilment.review"].with_user(self.producer).search([("can_decide", "=", True)])
        )
        self.assertEqual(my_pending.group_id, self.group_production)

    def test_escalation_once_by_automation(self):
        automation = self.env.ref("order_fulfilment.fulfilment_review_automation_overdue")
        self.assertEqual(automation.trigger, "on_time")
        order = self._create_order()
        with freeze_time("2026-03-02 08:00:00"):
            reviews = self._request(order)
        production = reviews.filtered(lambda r: r.group_id == self.group_production)
        manager_group = self.env.ref("order_fulfilment.group_fulfilment_manager")
        manager = new_test_user(
            self.env, login="of_manager", groups="order_fulfilment.group_fulfilment_manager"
        )
        self.assertIn(manager, manager_group.users)
        with freeze_time("2026-03-02 12:30:00"):
            automation.last_run = False
            self.env["base.automation"]._check()
            self.env["base.automation"]._check()
        self.assertTrue(production.escalated)
        overdue_messages = order.message_ids.filtered(lambda m: "overdue" in (m.body or ""))
        self.assertEqual(
            len(overdue_messages), 1, "the production review escalates once; purchasing is not late"
        )
        manager_todos = order.activity_ids.filtered(
            lambda a: a.user_id == manager and "Overdue" in (a.summary or "")
        )
        self.assertEqual(len(manager_todos), 1)
        with freeze_time("2026-03-03 12:30:00"):
            self.env["base.automation"]._check()
        overdue_messages = order.message_ids.filtered(lambda m: "overdue" in (m.body or ""))
        self.assertEqual(len(overdue_messages), 2, "then purchasing's own deadline passes, once")

    def test_review_report_renders(self):
        order = self._create_order()
        self._request(order)
        self._approve(order, self.producer)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("order_fulfilment.fulfilment_review_report", order.ids)[0]
            .decode()
        )
        self.assertIn("Order Review Report", html)
        self.assertIn(order.name, html)
        self.assertIn("Production Reviewer", html)
        self.assertIn("Pat Production", html)

    def test_request_scales_per_order(self):
        """Requesting review for many orders costs no more queries per order than for a few."""
        small = [self._create_order() for __ in range(3)]
        large = [self._create_order() for __ in range(12)]
        orders_small = self.env["sale.order"].union(*small)
        orders_large = self.env["sale.order"].union(*large)
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        orders_small.with_user(self.salesman).action_request_review()
        small_queries = self.env.cr.sql_log_count - count
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        orders_large.with_user(self.salesman).action_request_review()
        large_queries = self.env.cr.sql_log_count - count
        self.assertLessEqual(large_queries / 12, small_queries / 3)
