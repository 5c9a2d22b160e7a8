from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FulfilmentCase, staff_user, users_of

STATES = ("waiting", "pending", "pending", "approved", "rejected", "cancelled")


@tagged("post_install", "-at_install", "is_query_count")
class TestReviewInbox(FulfilmentCase):
    """My Pending Reviews: what the inbox offers is what the user can decide, and why not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.env["fulfilment.review.rule"].search([]).active = False
        cls.group_production = ref("order_fulfilment.group_review_production")
        cls.group_technical = ref("order_fulfilment.group_review_technical")
        cls.seller, cls.producer, cls.producer_seller, cls.lead, cls.engineer = users_of(
            cls.env,
            ("inbox_seller", "sales_team.group_sale_salesman", "Sue Seller"),
            ("inbox_producer", "order_fulfilment.group_review_production", "Pat Production"),
            (
                "inbox_producer_seller",
                "sales_team.group_sale_salesman,order_fulfilment.group_review_production",
                "Sam Sells-and-Plans",
            ),
            (
                "inbox_lead",
                "sales_team.group_sale_salesman_all_leads,order_fulfilment.group_review_production",
                "Lee Lead",
            ),
            ("inbox_engineer", "order_fulfilment.group_review_technical", "Tess Technical"),
            factory=staff_user,
        )
        cls.users = cls.seller | cls.producer | cls.producer_seller | cls.lead | cls.engineer

        Rule = cls.env["fulfilment.review.rule"]
        cls.rule_production = Rule.create(
            {"name": "Production capacity", "group_id": cls.group_production.id, "sequence": 10}
        )
        cls.rule_self = Rule.create(
            {
                "name": "Production capacity (self-review allowed)",
                "group_id": cls.group_production.id,
                "allow_self_review": True,
                "active": False,
            }
        )
        cls.rule_technical = Rule.create(
            {
                "name": "Technical feasibility",
                "group_id": cls.group_technical.id,
                "sequence": 20,
                "active": False,
            }
        )

        # Documents for the generated reviews: quotations of three salespeople, and a change
        # request of a confirmed order, requested by a production planner.
        cls.quotations = [
            cls._create_order(user=user) for user in (cls.seller, cls.producer_seller, cls.lead)
        ]
        confirmed = cls._create_order([(cls.stocked, 1, 50.0)], user=cls.seller)
        cls.rule_production.active = False
        confirmed.action_confirm()
        cls.rule_production.active = True
        cls.change_request = (
            cls.env["fulfilment.change.request"]
            .sudo()
            .create(
                {
                    "order_id": confirmed.id,
                    "change_type": "date",
                    "reason": "The customer's site is not ready",
                    "user_id": cls.producer.id,
                }
            )
            .sudo(False)
        )
        cls.documents = cls.quotations + [cls.change_request]

    def _review_values(self, document, group, rule=None, state="pending", requester=None):
        order = document if document._name == "sale.order" else document.order_id
        return {
            "res_model": document._name,
            "res_id": document.id,
            "order_id": order.id,
            "rule_id": rule.id if rule else False,
            "group_id": group.id,
            "sequence": 10,
            "round": document.review_round,
            "state": state,
            "requested_by_id": (requester or order.user_id).id,
        }

    # ------------------------------------------------------------------
    # Search and compute agree
    # ------------------------------------------------------------------
    def _expected_can_decide(self, user, document, group, rule, state, requester):
        """The rule, written out: a pending review of one of the user's departments, unless the
        user requested it, sells the order or requested the change (and the rule forbids it)."""
        if state != "pending" or group not in user.groups_id:
            return False
        if rule and rule.allow_self_review:
            return True
        order = document if document._name == "sale.order" else document.order_id
        refused = requester | order.user_id
        if document._name != "sale.order":
            refused |= document.user_id
        return user not in refused

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        specs=st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=3),  # document
                st.booleans(),  # production (else technical)
                st.sampled_from((None, "rule", "self")),
                st.sampled_from(STATES),
                st.integers(min_value=0, max_value=4),  # requester
            ),
            min_size=1,
            max_size=8,
        )
    )
    def test_search_agrees_with_compute(self, specs):
        savepoint = self.env.cr.savepoint()
        try:
            rules = {None: None, "rule": self.rule_production, "self": self.rule_self}
            expected = {}
            values = []
            resolved = []
            for document_index, production, rule_key, state, requester_index in specs:
                spec = (
                    self.documents[document_index],
                    self.group_production if production else self.group_technical,
                    rules[rule_key],
                    state,
                    self.users[requester_index],
                )
                resolved.append(spec)
                values.append(self._review_values(*spec))
            reviews = self.env["fulfilment.review"].sudo().create(values)
            for review, spec in zip(reviews, resolved, strict=True):
                expected[review.id] = spec
            self.env.invalidate_all()
            domain = [("id", "in", reviews.ids)]
            for user in self.users:
                Review = self.env["fulfilment.review"].with_user(user)
                visible = Review.search(domain)
                found = Review.search(domain + [("can_decide", "=", True)])
                self.assertEqual(found, visible.filtered("can_decide"), user.login)
                self.assertEqual(
                    found,
                    visible.filtered(lambda r, u=user: self._expected_can_decide(u, *expected[r.id])),
                    user.login,
                )
                self.assertEqual(Review.search(domain + [("can_decide", "=", False)]), visible - found)
                self.assertEqual(Review.search(domain + [("can_decide", "!=", True)]), visible - found)
                for review in visible:
                    self.assertEqual(bool(review.cannot_decide_reason), not review.can_decide)
                # The change requests' "To Approve" follows the same rules.
                Request = self.env["fulfilment.change.request"].with_user(user)
                request = Request.search([("id", "=", self.change_request.id)])
                if request:
                    to_approve = Request.search([("id", "=", request.id), ("can_decide", "=", True)])
                    self.assertEqual(bool(to_approve), request.can_decide, user.login)
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def test_inbox_lists_only_what_the_user_can_decide(self):
        other, own, lead_order = self.quotations
        own_review = (
            self.env["fulfilment.review"].sudo().create(self._review_values(own, self.group_production))
        )
        other_review = (
            self.env["fulfilment.review"].sudo().create(self._review_values(other, self.group_production))
        )
        # Requested by the team lead on the seller's behalf.
        lead_review = (
            self.env["fulfilment.review"]
            .sudo()
            .create(self._review_values(lead_order, self.group_production, requester=self.lead))
        )
        technical = (
            self.env["fulfilment.review"].sudo().create(self._review_values(other, self.group_technical))
        )
        Review = self.env["fulfilment.review"].with_user(self.producer_seller)
        domain = [("id", "in", (own_review | other_review | lead_review | technical).ids)]
        inbox = Review.search(domain + [("can_decide", "=", True)])
        self.assertEqual(inbox, other_review | lead_review)
        # Shown in other filters, with the reason.
        own_review = own_review.with_user(self.producer_seller)
        self.assertFalse(own_review.can_decide)
        self.assertIn("are its salesperson", own_review.cannot_decide_reason)
        self.assertIn("Production Reviewer", own_review.cannot_decide_reason)
        with self.assertRaisesRegex(UserError, "cannot sign"):
            own_review.action_approve()
        self.assertFalse(own.with_user(self.producer_seller).review_can_decide)
        self.assertIn("Only members of", technical.with_user(self.producer_seller).cannot_decide_reason)
        self.assertFalse(other_review.with_user(self.producer_seller).cannot_decide_reason)
        # The lead requested theirs, so it is not in their inbox.
        self.assertEqual(
            self.env["fulfilment.review"].with_user(self.lead).search(domain + [("can_decide", "=", True)]),
            own_review.sudo() | other_review,
        )
        other_review.sudo().write({"state": "approved", "reviewer_id": self.producer.id})
        self.assertIn(
            "nothing left to decide", other_review.with_user(self.producer_seller).cannot_decide_reason
        )
        waiting = (
            self.env["fulfilment.review"]
            .sudo()
            .create(self._review_values(other, self.group_production, state="waiting"))
        )
        self.assertIn("earlier steps", waiting.with_user(self.producer).cannot_decide_reason)

    def test_compute_costs_constant_queries(self):
        orders = self.env["sale.order"].create(
            [{"partner_id": self.customer.id, "user_id": self.seller.id} for __ in range(200)]
        )
        Review = self.env["fulfilment.review"].sudo()
        reviews = Review.create([self._review_values(order, self.group_production) for order in orders])
        reviews |= Review.create(
            [self._review_values(self.change_request, self.group_production) for __ in range(5)]
        )
        reviews |= Review.create([self._review_values(order, self.group_technical) for order in orders[:20]])
        reviews = reviews.with_user(self.producer)

        def compute(records):
            self.env.invalidate_all()
            records.mapped("can_decide")
            records.mapped("cannot_decide_reason")

        compute(reviews[:10] | reviews[-10:])  # warm the caches of the registry
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        # Five of each kind: quotations, a change request (the user requested it), another department.
        compute(reviews[:5] | reviews[200:205] | reviews[-5:])
        small = self.env.cr.sql_log_count - start
        self.assertLessEqual(small, 10)
        with self.assertQueryCount(small):
            compute(reviews)
        self.assertEqual(len(reviews.filtered("can_decide")), 200)

    # ------------------------------------------------------------------
    # The salesperson's "confirm the order" to-do
    # ------------------------------------------------------------------
    def _approved_quotation(self):
        order = self._create_order(user=self.seller)
        order.action_request_review()
        order.review_ids.with_user(self.producer).action_approve()
        self.assertEqual(order.review_state, "approved")
        self.assertEqual(self._confirm_todo(order).user_id, self.seller)
        return order

    def _confirm_todo(self, order):
        confirm = self.env.ref("order_fulfilment.mail_activity_type_review_confirm")
        return order.activity_ids.filtered(lambda a: a.activity_type_id == confirm)

    def test_confirm_todo_gone_on_confirmation(self):
        order = self._approved_quotation()
        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._confirm_todo(order))

    def test_confirm_todo_gone_on_cancellation(self):
        order = self._approved_quotation()
        order.with_user(self.seller).action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertFalse(self._confirm_todo(order))

    def test_confirm_todo_gone_on_new_review_round(self):
        order = self._approved_quotation()
        order.order_line.product_uom_qty = 2
        # The rule covers every order: in doubt its sign-off is asked again.
        self.assertEqual(order.review_state, "pending")
        self.assertFalse(self._confirm_todo(order), "the approval no longer holds")
        # Directly asking a new round (a rule that changed) closes it as well.
        order = self._approved_quotation()
        order._review_request()
        self.assertEqual(order.review_state, "pending")
        self.assertFalse(self._confirm_todo(order))
        order.review_ids.filtered(lambda r: r.state == "pending").with_user(self.producer).action_approve()
        self.assertEqual(len(self._confirm_todo(order)), 1, "a new approval asks again")
