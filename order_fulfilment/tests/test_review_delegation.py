"""Reviews that keep moving: delegation to a substitute (代理审批), forwarding (转交), several
approvers (审批人) per sign-off, and decisions on a selection. Every user is a staff user without
an e-mail address, holding only the groups of their job."""

from contextlib import contextmanager
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import FulfilmentCase, JsonRpcMixin, RpcError, staff_user

PRODUCTION = "order_fulfilment.group_review_production"


class ReviewPeopleCase(FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.env["fulfilment.review.rule"].search([]).active = False
        cls.group_production = ref(PRODUCTION)
        cls.seller = staff_user(cls.env, "dlg_seller", "sales_team.group_sale_salesman", name="Sue Seller")
        cls.alice = staff_user(cls.env, "dlg_alice", PRODUCTION, name="Alice Absent")
        cls.bob = staff_user(cls.env, "dlg_bob", PRODUCTION, name="Bob Planner")
        # A substitute with no reviewer group of their own.
        cls.stan = staff_user(cls.env, "dlg_stan", "base.group_user", name="Stan Stand-in")
        cls.engineer = staff_user(
            cls.env, "dlg_engineer", "order_fulfilment.group_review_technical", name="Tess Technical"
        )
        # A salesperson who also plans production.
        cls.planner_seller = staff_user(
            cls.env, "dlg_planner_seller", f"sales_team.group_sale_salesman,{PRODUCTION}", name="Sam Sells"
        )
        cls.manager = staff_user(
            cls.env, "dlg_manager", "order_fulfilment.group_fulfilment_manager", name="Mona Manager"
        )
        cls.portal = staff_user(cls.env, "dlg_portal", "base.group_portal", name="Pete Portal")
        cls.rule = cls.env["fulfilment.review.rule"].create(
            {"name": "Production capacity", "group_id": cls.group_production.id, "sequence": 10}
        )
        cls.review_type = ref("order_fulfilment.mail_activity_type_review")
        cls.Delegation = cls.env["fulfilment.review.delegation"]
        cls.now = fields.Datetime.now()

    def _order(self, seller=None):
        return self._create_order(user=seller or self.seller)

    def _requested(self, seller=None):
        seller = seller or self.seller
        order = self._order(seller)
        order.with_user(seller).action_request_review()
        review = order._review_current()
        self.assertEqual(review.state, "pending")
        return order, review

    def _delegate(self, user, substitute, start=None, end=None, **values):
        """``user`` records their own absence, as they would in the form."""
        return (
            self.Delegation.with_user(user)
            .create(
                {
                    "substitute_id": substitute.id,
                    "date_from": start or self.now - timedelta(hours=1),
                    "date_to": end or self.now + timedelta(days=3),
                    **values,
                }
            )
            .sudo()
        )

    @contextmanager
    def _refused(self, exception, pattern):
        """assertRaisesRegex, rolling back what the refused call wrote before it was refused."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def _todo_users(self, review):
        activities = self.env["mail.activity"].search([("fulfilment_review_id", "=", review.id)])
        return activities.user_id

    def _todo_people(self, review):
        """The to-do holders among the people a delegation test moves (the fulfilment managers
        and Sam are in the department too)."""
        return self._todo_users(review) & (self.alice | self.bob | self.stan | self.engineer)

    def _inbox(self, user, reviews):
        """What ``user`` finds in My Pending Reviews, among ``reviews``."""
        return (
            self.env["fulfilment.review"]
            .with_user(user)
            .search([("id", "in", reviews.ids), ("can_decide", "=", True)])
        )

    def _messages(self, record):
        return "\n".join(record.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
class TestReviewDelegation(ReviewPeopleCase):
    def test_substitute_decides_for_the_absent_reviewer(self):
        delegation = self._delegate(self.alice, self.stan)
        self.assertEqual(delegation.user_id, self.alice)
        self.assertEqual(delegation.state, "running")
        order, review = self._requested()
        # The substitute gets Alice's to-do; Bob keeps his own.
        self.assertIn(self.stan, self._todo_users(review))
        self.assertIn(self.bob, self._todo_users(review))
        self.assertNotIn(self.alice, self._todo_users(review))
        todo = self.env["mail.activity"].search(
            [("fulfilment_review_id", "=", review.id), ("user_id", "=", self.stan.id)]
        )
        self.assertIn("Alice Absent", todo.summary)
        # Stan reads the order and the review, and finds it in his inbox.
        self.assertEqual(self._inbox(self.stan, review), review)
        self.assertEqual(order.with_user(self.stan).read(["review_state"])[0]["review_state"], "pending")
        self.assertTrue(review.with_user(self.stan).can_decide)
        review.with_user(self.stan).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.reviewer_id, self.stan)
        self.assertEqual(review.on_behalf_of_id, self.alice)
        self.assertEqual(review.approver_ids, self.stan)
        self.assertEqual(review.approval_ids.on_behalf_of_id, self.alice)
        self.assertEqual(order.review_state, "approved")
        self.assertIn("approved by Stan Stand-in for Alice Absent", self._messages(order))
        self.assertFalse(self._todo_users(review))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("order_fulfilment.fulfilment_review_report_action", order.ids)[0]
            .decode()
        )
        self.assertIn("Stan Stand-in for Alice Absent", html)

    def test_substitute_decides_change_requests_too(self):
        self.env["fulfilment.review.rule"].create(
            {"name": "Change capacity", "applies_to": "change_request", "group_id": self.group_production.id}
        )
        order = self._create_order([(self.stocked, 4, 50.0)], user=self.seller)
        self.rule.active = False
        order.action_confirm()
        self.rule.active = True
        request = (
            self.env["fulfilment.change.request"]
            .with_user(self.seller)
            .create({"order_id": order.id, "change_type": "quantity", "reason": "Two more"})
        )
        request.line_ids.new_qty = 6
        self._delegate(self.alice, self.stan)
        request.action_submit()
        review = request.review_ids
        self.assertEqual(review.state, "pending")
        self.assertIn(self.stan, self._todo_users(review))
        self.assertTrue(request.with_user(self.stan).can_decide)
        request.with_user(self.stan).action_review_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(review.on_behalf_of_id, self.alice)

    def test_delegation_ends_by_itself(self):
        self._delegate(self.alice, self.stan, end=self.now + timedelta(days=1))
        later = self._delegate(
            self.bob, self.stan, start=self.now + timedelta(days=2), end=self.now + timedelta(days=4)
        )
        archived = self._delegate(self.planner_seller, self.stan)
        archived.active = False
        __, review = self._requested()
        self.assertTrue(review.with_user(self.stan).can_decide)
        with freeze_time(self.now + timedelta(days=1, hours=1)):
            self.assertEqual(later.state, "planned")
            review.invalidate_recordset()
            self.assertFalse(review.with_user(self.stan).can_decide)
            self.assertIn("Only members of", review.with_user(self.stan).cannot_decide_reason)
            self.assertFalse(self._inbox(self.stan, review))
            with self.assertRaises(AccessError):
                review.with_user(self.stan).action_approve()
        with freeze_time(self.now + timedelta(days=3)):
            # Bob's absence has begun: Stan decides for Bob now.
            self.assertEqual(later.state, "running")
            review.invalidate_recordset()
            self.assertEqual(self._inbox(self.stan, review), review)
            review.with_user(self.stan).action_approve()
        self.assertEqual(review.on_behalf_of_id, self.bob)

    def test_archived_delegation_is_ignored(self):
        delegation = self._delegate(self.alice, self.stan)
        __, review = self._requested()
        delegation.with_user(self.alice).active = False
        self.assertFalse(self._inbox(self.stan, review))
        self.assertFalse(review.with_user(self.stan).can_decide)

    def test_substitute_cannot_approve_their_own_order(self):
        # Sam sells the order and stands in for Alice: neither as himself nor for her.
        self._delegate(self.alice, self.planner_seller)
        __, review = self._requested(self.planner_seller)
        self.assertNotIn(self.planner_seller, self._todo_users(review))
        self.assertFalse(self._inbox(self.planner_seller, review))
        reason = review.with_user(self.planner_seller).cannot_decide_reason
        self.assertIn("are its salesperson", reason)
        with self._refused(UserError, "cannot sign"):
            review.with_user(self.planner_seller).action_approve()
        review.with_user(self.bob).action_approve()
        self.assertEqual(review.state, "approved")

    def test_absent_salespersons_substitute_cannot_approve_that_order(self):
        # The salesperson is away and Bob stands in for her: Bob may not sign her order.
        self._delegate(self.seller, self.bob)
        __, review = self._requested()
        self.assertNotIn(self.bob, self._todo_users(review))
        self.assertFalse(self._inbox(self.bob, review))
        self.assertIn("You stand in for Sue Seller", review.with_user(self.bob).cannot_decide_reason)
        with self._refused(UserError, "You stand in for Sue Seller"):
            review.with_user(self.bob).action_approve()
        review.with_user(self.alice).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertFalse(review.on_behalf_of_id)

    def test_pending_todos_move_to_the_substitute(self):
        __, review = self._requested()
        self.assertIn(self.alice, self._todo_users(review))
        self.assertNotIn(self.stan, self._todo_users(review))
        self._delegate(self.alice, self.stan)
        self.assertNotIn(self.alice, self._todo_users(review))
        self.assertIn(self.stan, self._todo_users(review))
        self.assertIn(self.bob, self._todo_users(review))

    def _todos(self, review, user):
        return self.env["mail.activity"].search(
            [("fulfilment_review_id", "=", review.id), ("user_id", "=", user.id)]
        )

    def test_todos_come_back_when_a_delegation_ends_early(self):
        """The reverse of the move: archived, ended early or deleted, the delegation gives the
        substitute's to-dos back to the reviewer."""
        __, review = self._requested()
        delegation = self._delegate(self.alice, self.stan)
        self.assertEqual(self._todo_people(review), self.stan | self.bob)
        delegation.with_user(self.alice).active = False
        self.assertEqual(self._todo_people(review), self.alice | self.bob)
        delegation.with_user(self.alice).active = True
        self.assertEqual(self._todo_people(review), self.stan | self.bob)
        # Back early: the end moves to the past.
        delegation.with_user(self.alice).date_to = self.now - timedelta(minutes=5)
        self.assertEqual(delegation.state, "ended")
        self.assertEqual(self._todo_people(review), self.alice | self.bob)
        self.assertEqual(len(self._todos(review, self.alice)), 1)
        # A to-do made for the substitute when the review opened goes back too, as her own.
        other = self._delegate(self.alice, self.stan, start=self.now)
        __, second = self._requested()
        self.assertIn("Alice Absent", self._todos(second, self.stan).summary)
        other.with_user(self.alice).unlink()
        self.assertEqual(self._todo_people(second), self.alice | self.bob)
        self.assertNotIn("Alice Absent", self._todos(second, self.alice).summary)
        self.assertEqual(self._todo_people(review), self.alice | self.bob)

    def test_todos_come_back_from_a_substitute_of_the_department(self):
        """Bob stands in for Alice and reviews himself: he keeps his own to-do, Alice gets hers
        back; reviews decided meanwhile give nothing back."""
        delegation = self._delegate(self.alice, self.bob)
        __, review = self._requested()
        __, decided = self._requested()
        self.assertEqual(self._todo_people(review), self.bob)
        decided.with_user(self.bob).action_approve()
        delegation.with_user(self.alice).active = False
        self.assertEqual(self._todo_people(review), self.alice | self.bob)
        self.assertFalse(self._todo_people(decided))
        # Another substitute instead: the to-do goes to him, not back to Alice.
        delegation.with_user(self.alice).write({"active": True, "substitute_id": self.stan.id})
        self.assertEqual(self._todo_people(review), self.stan | self.bob)
        delegation.with_user(self.alice).substitute_id = self.engineer
        self.assertEqual(self._todo_people(review), self.engineer | self.bob)

    def test_no_chains(self):
        self._delegate(self.alice, self.bob)
        with self._refused(ValidationError, "away too"):
            self._delegate(self.bob, self.alice)
        # Bob stands in for Alice meanwhile: he cannot be away then.
        with self._refused(ValidationError, "stands in for Alice Absent"):
            self._delegate(self.bob, self.stan, start=self.now + timedelta(days=1))
        with self._refused(ValidationError, "Alice Absent is away too"):
            self._delegate(self.stan, self.alice)
        with self._refused(ValidationError, "already has a substitute"):
            self._delegate(self.alice, self.stan, start=self.now + timedelta(days=2))
        # After the absence, Bob may be away with Alice standing in.
        later = self._delegate(
            self.bob, self.alice, start=self.now + timedelta(days=3), end=self.now + timedelta(days=5)
        )
        self.assertEqual(later.substitute_id, self.alice)
        # Moving it back over Alice's absence is refused too.
        with self._refused(ValidationError, "away too|stands in"):
            later.with_user(self.bob).date_from = self.now

    def test_bad_delegations(self):
        with self._refused(ValidationError, "cannot stand in for themself"):
            self._delegate(self.alice, self.alice)
        with self._refused(ValidationError, "must end after it starts"):
            self._delegate(self.alice, self.stan, end=self.now - timedelta(days=1))
        with self._refused(ValidationError, "active internal user"):
            self._delegate(self.alice, self.portal)
        inactive = staff_user(self.env, "dlg_gone", "base.group_user", name="Gina Gone")
        inactive.active = False
        with self._refused(ValidationError, "active internal user"):
            self._delegate(self.alice, inactive)
        other_company = self.env["res.company"].create({"name": "Other Pumps"})
        outsider = staff_user(
            self.env,
            "dlg_outsider",
            "base.group_user",
            name="Oscar Outside",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        with self.assertRaises(UserError):
            self._delegate(self.alice, outsider)

    def test_who_sets_delegations(self):
        with self._refused(AccessError, "only set your own"):
            self._delegate(self.bob, self.stan, user_id=self.alice.id)
        mine = self._delegate(self.alice, self.stan)
        with self.assertRaises(AccessError):
            mine.with_user(self.bob).write({"date_to": self.now + timedelta(days=9)})
        with self.assertRaises(AccessError):
            mine.with_user(self.bob).unlink()
        with self._refused(AccessError, "only set your own"):
            mine.with_user(self.alice).write({"user_id": self.bob.id})
        # The substitute sees it but cannot change it; others do not see it.
        self.assertEqual(self.Delegation.with_user(self.stan).search([]), mine)
        with self.assertRaises(AccessError):
            mine.with_user(self.stan).write({"date_to": self.now + timedelta(days=9)})
        self.assertFalse(self.Delegation.with_user(self.bob).search([]))
        # A fulfilment manager sets anybody's.
        for_bob = (
            self.Delegation.with_user(self.manager)
            .create(
                {
                    "user_id": self.bob.id,
                    "substitute_id": self.engineer.id,
                    "date_from": self.now + timedelta(days=10),
                    "date_to": self.now + timedelta(days=12),
                }
            )
            .sudo()
        )
        self.assertEqual(for_bob.user_id, self.bob)
        mine.with_user(self.manager).write({"date_to": self.now + timedelta(days=2)})
        self.assertEqual(self.Delegation.with_user(self.manager).search([]), mine | for_bob)
        mine.with_user(self.alice).unlink()


@tagged("post_install", "-at_install")
class TestReviewForward(ReviewPeopleCase):
    def test_forward_to_a_colleague_outside_the_department(self):
        order, review = self._requested()
        self.assertFalse(review.with_user(self.engineer).can_decide)
        self.assertFalse(order.with_user(self.engineer).search([("id", "=", order.id)]))
        review.with_user(self.alice).action_forward(self.engineer.id, note="Check the impeller drawing")
        self.assertEqual(review.forward_user_ids, self.engineer)
        self.assertIn("forwarded by Alice Absent to Tess Technical", self._messages(order))
        self.assertIn("Check the impeller drawing", self._messages(order))
        todo = self.env["mail.activity"].search(
            [("fulfilment_review_id", "=", review.id), ("user_id", "=", self.engineer.id)]
        )
        self.assertIn("Check the impeller drawing", str(todo.note))
        # Tess reads the order and decides; the department still could.
        self.assertTrue(order.with_user(self.engineer).search([("id", "=", order.id)]))
        self.assertEqual(self._inbox(self.engineer, review), review)
        self.assertTrue(review.with_user(self.bob).can_decide)
        self.assertTrue(review.with_user(self.alice).can_decide)
        review.with_user(self.engineer).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.reviewer_id, self.engineer)
        self.assertFalse(self._todo_users(review))

    def test_a_reopened_review_asks_its_forward_users_again(self):
        __, review = self._requested()
        review.with_user(self.alice).action_forward(self.engineer.id)
        # An earlier step was asked again: the review waits, then opens again.
        review._remove_activities()
        review.sudo().write({"state": "waiting"})
        review._open()
        self.assertIn(self.engineer, self._todo_users(review))
        self.assertIn(self.bob, self._todo_users(review))

    def test_department_still_decides_after_a_forward(self):
        __, review = self._requested()
        review.with_user(self.alice).action_forward(self.engineer)
        review.with_user(self.bob).with_context(lang="en_US").action_reject(comment="No capacity in May")
        self.assertEqual(review.state, "rejected")
        with self._refused(UserError, "only reviews waiting"):
            review.with_user(self.engineer).action_approve()

    def test_forward_refusals(self):
        __, review = self._requested()
        with self.assertRaises(AccessError):
            review.with_user(self.engineer).action_forward(self.stan.id)
        with self._refused(UserError, "cannot sign"):
            review.with_user(self.alice).action_forward(self.seller.id)
        with self._refused(UserError, "not an active internal user"):
            review.with_user(self.alice).action_forward(self.portal.id)
        with self._refused(UserError, "yourself"):
            review.with_user(self.alice).action_forward(self.alice.id)
        with self._refused(UserError, "Choose the colleague"):
            review.with_user(self.alice).action_forward(0)
        review.with_user(self.alice).action_forward(self.engineer.id)
        with self._refused(UserError, "already forwarded"):
            review.with_user(self.bob).action_forward(self.engineer.id)
        self.rule.allow_forward = False
        with self._refused(UserError, "cannot be forwarded"):
            review.with_user(self.bob).action_forward(self.stan.id)
        self.assertFalse(review.with_user(self.bob).can_forward)
        self.assertEqual(review.forward_user_ids, self.engineer)
        review.with_user(self.bob).action_approve()
        with self._refused(UserError, "only reviews waiting"):
            review.with_user(self.alice).action_forward(self.stan.id)

    def test_forward_to_an_absent_user_reaches_their_substitute(self):
        self._delegate(self.engineer, self.stan)
        __, review = self._requested()
        review.with_user(self.alice).action_forward(self.engineer.id, note="Please look")
        self.assertNotIn(self.engineer, self._todo_users(review))
        self.assertIn(self.stan, self._todo_users(review))
        self.assertEqual(self._inbox(self.stan, review), review)
        review.with_user(self.stan).action_approve()
        self.assertEqual(review.on_behalf_of_id, self.engineer)

    def test_forward_wizard(self):
        __, review = self._requested()
        action = review.with_user(self.alice).action_open_forward_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.alice)
            .with_context(**action["context"])
            .create({"user_id": self.engineer.id, "note": "Drawing rev. C?"})
        )
        wizard.action_forward()
        self.assertEqual(review.forward_user_ids, self.engineer)
        with self.assertRaises(AccessError):
            review.with_user(self.stan).action_open_forward_wizard()


@tagged("post_install", "-at_install")
class TestReviewApprovers(ReviewPeopleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule.min_approvers = 2

    def test_two_approvers(self):
        order, review = self._requested()
        self.assertEqual(review.min_approvers, 2)
        self.assertTrue(order.with_user(self.alice).review_can_decide)
        review.with_user(self.alice).action_approve()
        self.assertFalse(order.with_user(self.alice).review_can_decide, "Alice has nothing left to decide")
        self.assertEqual(review.state, "pending")
        self.assertEqual(review.approval_count, 1)
        self.assertEqual(review.approval_progress, "1 of 2")
        self.assertEqual(order.review_state, "pending")
        self.assertIn("1 of 2 approvers", self._messages(order))
        # Alice's to-do is done; Bob's is not. Alice cannot approve again.
        self.assertNotIn(self.alice, self._todo_users(review))
        self.assertIn(self.bob, self._todo_users(review))
        self.assertFalse(review.with_user(self.alice).can_decide)
        self.assertIn("already approved", review.with_user(self.alice).cannot_decide_reason)
        self.assertFalse(self._inbox(self.alice, review))
        with self._refused(UserError, "cannot approve twice"):
            review.with_user(self.alice).action_approve()
        self.assertEqual(self._inbox(self.bob, review), review)
        review.with_user(self.bob).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.approver_ids, self.alice | self.bob)
        self.assertEqual(review.reviewer_id, self.bob)
        self.assertEqual(order.review_state, "approved")
        self.assertIn("approved by Alice Absent, Bob Planner", self._messages(order))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("order_fulfilment.fulfilment_review_report_action", order.ids)[0]
            .decode()
        )
        self.assertIn("Alice Absent", html)
        self.assertIn("Bob Planner", html)

    def test_one_rejection_rejects(self):
        order, review = self._requested()
        review.with_user(self.alice).action_approve()
        review.with_user(self.bob).action_reject(comment="The line is full in May")
        self.assertEqual(review.state, "rejected")
        self.assertEqual(order.review_state, "rejected")
        self.assertEqual(review.approver_ids, self.alice)
        self.assertIn("Rejected: Bob Planner", review.signed_by)

    def test_a_substitute_does_not_approve_twice(self):
        self._delegate(self.alice, self.stan)
        __, review = self._requested()
        review.with_user(self.stan).action_approve()
        # Alice approved through Stan: neither approves again; Bob completes it.
        self.assertEqual(review.approval_ids.on_behalf_of_id, self.alice)
        with self._refused(UserError, "cannot approve twice"):
            review.with_user(self.alice).action_approve()
        with self._refused(UserError, "cannot approve twice"):
            review.with_user(self.stan).action_approve()
        review.with_user(self.bob).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertIn("Stan Stand-in for Alice Absent", review.signed_by)

    def test_two_approvals_one_after_the_other_in_one_transaction(self):
        """Two approvals of the same sign-off: the second one sees the first (the rows are locked
        and written by each approval), so the sign-off is approved, with both approvers."""
        __, review = self._requested()
        first = review.with_user(self.alice)
        second = review.with_user(self.bob)
        first.action_approve()
        # The second approver's cache still holds what it read before the first approval.
        second.invalidate_recordset(["approval_count"])
        second.action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.approval_count, 2)
        self.assertEqual(len(review.approval_ids), 2)

    def test_min_approvers_within_the_group(self):
        """Two of the Pump sign-off group can sign: a third approver cannot be found; an
        archived member, a portal user or a member of another company does not count."""
        group = self.env["res.groups"].create({"name": "Pump sign-off"})
        gone = staff_user(self.env, "dlg_gone_signer", "base.group_user", name="Gina Gone")
        (self.alice | self.bob | gone).groups_id = [(4, group.id)]
        gone.active = False
        rule = self.env["fulfilment.review.rule"].create(
            {"name": "Pump sign-off rule", "group_id": group.id, "min_approvers": 2}
        )
        with self._refused(ValidationError, r"Pump sign-off rule needs 3 approvers.*Pump sign-off.*only 2"):
            rule.min_approvers = 3
        # A portal user in the group cannot sign either.
        self.portal.sudo().groups_id = [(4, group.id)]
        with self._refused(ValidationError, r"Pump sign-off rule needs 3 approvers.*only 2"):
            rule.min_approvers = 3
        empty = self.env["res.groups"].create({"name": "Nobody yet"})
        with self._refused(
            ValidationError, r"Empty rule needs 2 approvers.*Nobody yet.*only 0 active member"
        ):
            self.env["fulfilment.review.rule"].create(
                {"name": "Empty rule", "group_id": empty.id, "min_approvers": 2}
            )
        # One approver may wait for the group to get members.
        self.env["fulfilment.review.rule"].create({"name": "Empty rule", "group_id": empty.id})
        self.assertEqual(rule.min_approvers, 2)

    def test_min_approvers_at_least_one(self):
        with self._refused(ValidationError, "at least one approver"):
            self.rule.min_approvers = 0
        self.assertEqual(self.env["fulfilment.review.rule"].new({}).min_approvers, 1)
        self.assertTrue(self.env["fulfilment.review.rule"].new({}).allow_forward)


@tagged("post_install", "-at_install")
class TestReviewBulk(ReviewPeopleCase):
    def test_approve_a_selection(self):
        reviews = self.env["fulfilment.review"].union(*(self._requested()[1] for __ in range(3)))
        reviews.with_user(self.alice).action_approve()
        self.assertEqual(set(reviews.mapped("state")), {"approved"})
        self.assertEqual(reviews.reviewer_id, self.alice)

    def test_a_selection_with_a_review_I_cannot_decide_is_refused_whole(self):
        __, mine = self._requested()
        __, own_order = self._requested(self.planner_seller)
        __, own_order2 = self._requested(self.planner_seller)
        with self._refused(UserError, "cannot sign"):
            (mine | own_order).with_user(self.planner_seller).action_approve()
        with self._refused(UserError, r"cannot decide 2 of the selected reviews(.|\n)*salesperson"):
            (mine | own_order | own_order2).with_user(self.planner_seller).action_approve()
        __, other = self._requested()
        __, other2 = self._requested()
        (other | other2).with_user(self.bob).action_approve()
        with self._refused(UserError, "only reviews waiting"):
            (mine | other).with_user(self.alice).action_approve()
        with self._refused(UserError, "no longer waiting"):
            (mine | other | other2).with_user(self.alice).action_approve()
        self.assertEqual(mine.state, "pending", "nothing is written")
        self.assertFalse(mine.approval_ids)
        self.assertEqual(own_order.state, "pending")

    def test_reject_a_selection_with_one_reason(self):
        reviews = self.env["fulfilment.review"].union(*(self._requested()[1] for __ in range(2)))
        action = reviews.with_user(self.alice).action_open_reject_wizard()
        self.assertEqual(action["context"]["default_review_ids"], reviews.ids)
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.alice)
            .with_context(**action["context"])
            .create({"comment": "Capacity is booked until June"})
        )
        wizard.action_reject()
        self.assertEqual(set(reviews.mapped("state")), {"rejected"})
        self.assertEqual(set(reviews.mapped("comment")), {"Capacity is booked until June"})
        with self.assertRaises(AccessError):
            reviews.with_user(self.engineer).action_open_reject_wizard()

    def test_inbox_costs_constant_queries_with_delegations_and_forwards(self):
        self._delegate(self.alice, self.stan)
        self._delegate(self.engineer, self.bob)
        orders = self.env["sale.order"].create(
            [{"partner_id": self.customer.id, "user_id": self.seller.id} for __ in range(60)]
        )
        values = [
            {
                "res_model": "sale.order",
                "res_id": order.id,
                "order_id": order.id,
                "rule_id": self.rule.id,
                "group_id": self.group_production.id,
                "sequence": 10,
                "state": "pending",
                "requested_by_id": self.seller.id,
            }
            for order in orders
        ]
        reviews = self.env["fulfilment.review"].sudo().create(values)
        reviews[::3].write({"forward_user_ids": [(4, self.engineer.id)]})
        reviews[1::3].write({"min_approvers": 2})
        reviews[1::3].with_user(self.bob).action_approve()
        for user in (self.stan, self.bob):
            records = reviews.with_user(user)

            def compute(records):
                self.env.invalidate_all()
                records.mapped("can_decide")
                records.mapped("cannot_decide_reason")

            compute(records[:6])
            start = self.env.cr.sql_log_count
            compute(records[:6])
            small = self.env.cr.sql_log_count - start
            with self.assertQueryCount(small):
                compute(records)
        # The inbox search agrees with the compute, for every kind of reach.
        for user in (self.stan, self.bob, self.alice, self.engineer, self.seller):
            self.env.invalidate_all()
            found = self._inbox(user, reviews)
            self.assertEqual(found, reviews.with_user(user).filtered("can_decide"), user.login)
        self.assertEqual(self._inbox(self.engineer, reviews), reviews[::3])
        # Stan stands in for Alice (production); Bob decides as himself and for Tess (forwards).
        self.assertEqual(len(reviews.with_user(self.stan).filtered("can_decide")), 60)
        bob_can = reviews.with_user(self.bob).filtered("can_decide")
        self.assertEqual(bob_can, reviews - reviews[1::3])


@tagged("post_install", "-at_install")
class TestReviewPeopleRpc(JsonRpcMixin, HttpCase, ReviewPeopleCase):
    """The same rules for a JSON-RPC client."""

    def test_delegate_forward_and_approve_over_rpc(self):
        self.rule.min_approvers = 2
        order, review = self._requested()
        when = {
            "date_from": fields.Datetime.to_string(self.now - timedelta(hours=1)),
            "date_to": fields.Datetime.to_string(self.now + timedelta(days=2)),
        }
        # Alice records her absence; she cannot record Bob's.
        self.authenticate("dlg_alice", "dlg_alice")
        with self._refused(RpcError, "AccessError"):
            self._call(
                "fulfilment.review.delegation",
                "create",
                {"user_id": self.bob.id, "substitute_id": self.stan.id, **when},
            )
        self._call("fulfilment.review.delegation", "create", {"substitute_id": self.stan.id, **when})
        with self._refused(RpcError, "ValidationError"):
            self._call("fulfilment.review.delegation", "create", {"substitute_id": self.bob.id, **when})
        # Stan decides for her: he reads his inbox and approves.
        self.authenticate("dlg_stan", "dlg_stan")
        rows = self._call(
            "fulfilment.review", "search_read", [("can_decide", "=", True)], ["id", "approval_progress"]
        )
        self.assertEqual([row["id"] for row in rows], review.ids)
        self._call("fulfilment.review", "action_approve", review.ids)
        with self._refused(RpcError, "UserError"):
            self._call("fulfilment.review", "action_approve", review.ids)
        with self._refused(RpcError, "AccessError"):
            self._call("fulfilment.review", "write", review.ids, {"on_behalf_of_id": False})
        # Bob forwards to Tess, who completes the sign-off.
        self.authenticate("dlg_bob", "dlg_bob")
        self._call("fulfilment.review", "action_forward", review.ids, self.engineer.id, note="Over to you")
        self.authenticate("dlg_engineer", "dlg_engineer")
        self.assertEqual(
            self._call("sale.order", "search_read", [("id", "=", order.id)], ["review_state"])[0][
                "review_state"
            ],
            "pending",
        )
        self._call("fulfilment.review", "action_approve", review.ids)
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.approver_ids, self.stan | self.engineer)
        self.assertEqual(review.approval_ids.on_behalf_of_id, self.alice)
        # The seller cannot forward or approve.
        self.authenticate("dlg_seller", "dlg_seller")
        with self._refused(RpcError, "UserError|AccessError"):
            self._call("fulfilment.review", "action_forward", review.ids, self.bob.id)

    def test_delegation_archived_over_rpc_gives_the_todos_back(self):
        __, review = self._requested()
        self.authenticate("dlg_alice", "dlg_alice")
        when = {
            "date_from": fields.Datetime.to_string(self.now - timedelta(hours=1)),
            "date_to": fields.Datetime.to_string(self.now + timedelta(days=2)),
        }
        delegation_id = self._call(
            "fulfilment.review.delegation", "create", {"substitute_id": self.stan.id, **when}
        )
        self.assertEqual(self._todo_people(review), self.stan | self.bob)
        self._call("fulfilment.review.delegation", "action_archive", [delegation_id])
        self.assertEqual(self._todo_people(review), self.alice | self.bob)
        self._call("fulfilment.review.delegation", "action_unarchive", [delegation_id])
        self.assertEqual(self._todo_people(review), self.stan | self.bob)
        self._call(
            "fulfilment.review.delegation",
            "write",
            [delegation_id],
            {"date_to": fields.Datetime.to_string(self.now - timedelta(minutes=1))},
        )
        self.assertEqual(self._todo_people(review), self.alice | self.bob)

    def test_min_approvers_beyond_the_group_refused_over_rpc(self):
        group = self.env["res.groups"].create({"name": "Pump sign-off", "users": [(4, self.alice.id)]})
        self.authenticate("dlg_manager", "dlg_manager")
        with self._refused(RpcError, "ValidationError"):
            self._call(
                "fulfilment.review.rule",
                "create",
                {"name": "Two signatures", "group_id": group.id, "min_approvers": 2},
            )
        rule_id = self._call(
            "fulfilment.review.rule", "create", {"name": "Two signatures", "group_id": group.id}
        )
        with self._refused(RpcError, "ValidationError"):
            self._call("fulfilment.review.rule", "write", [rule_id], {"min_approvers": 2})
        self.assertEqual(self.env["fulfilment.review.rule"].browse(rule_id).min_approvers, 1)

    def test_cancelled_quotation_cancels_its_reviews_over_rpc(self):
        order, review = self._requested()
        self.assertTrue(self._todo_users(review))
        self.authenticate("dlg_seller", "dlg_seller")
        self._call("sale.order", "action_cancel", order.ids)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(review.state, "cancelled")
        self.assertFalse(self._todo_users(review))
        self.assertFalse(self._inbox(self.alice, review))
        self.assertNotEqual(order.review_state, "pending")

    def test_cancelled_change_request_cancels_its_reviews_over_rpc(self):
        self.env["fulfilment.review.rule"].create(
            {"name": "Change capacity", "applies_to": "change_request", "group_id": self.group_production.id}
        )
        order = self._create_order([(self.stocked, 4, 50.0)], user=self.seller)
        self.rule.active = False
        order.action_confirm()
        request = (
            self.env["fulfilment.change.request"]
            .with_user(self.seller)
            .create({"order_id": order.id, "change_type": "quantity", "reason": "Two more"})
        )
        request.line_ids.new_qty = 6
        request.with_user(self.seller).action_submit()
        review = request.review_ids
        self.assertEqual(review.state, "pending")
        self.assertTrue(self._todo_users(review))
        self.authenticate("dlg_seller", "dlg_seller")
        self._call("fulfilment.change.request", "action_cancel", request.ids)
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(review.state, "cancelled")
        self.assertFalse(self._todo_users(review))
        self.assertFalse(self._inbox(self.alice, review))
