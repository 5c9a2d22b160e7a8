"""The review engine on a model that is not a sale order (``tests/review_engine_models.py``):
reviews by steps, the gate, the invalidation, decisions and escalation come from the mixin."""

from pathlib import Path

from odoo_test_helper import FakeModelLoader

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import staff_user


@tagged("post_install", "-at_install")
class TestReviewEngine(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .review_engine_models import ReviewedDocument, ReviewedDocumentLine, ReviewRule

        cls.loader.update_registry((ReviewedDocument, ReviewedDocumentLine, ReviewRule))
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.technical = staff_user(
            cls.env, "engine_technical", "base.group_user,order_fulfilment.group_review_technical"
        )
        cls.finance = staff_user(
            cls.env, "engine_finance", "base.group_user,order_fulfilment.group_review_finance"
        )
        cls.owner = staff_user(
            cls.env, "engine_owner", "base.group_user,order_fulfilment.group_review_technical"
        )
        Rule = cls.env["fulfilment.review.rule"]
        Rule.search([]).active = False
        common = {"applies_to": "test_document", "filter_domain": "[('amount', '>=', 100)]"}
        cls.rule_technical = Rule.create(
            {
                **common,
                "name": "Technical",
                "sequence": 10,
                "group_id": cls.env.ref("order_fulfilment.group_review_technical").id,
            }
        )
        cls.rule_finance = Rule.create(
            {
                **common,
                "name": "Finance",
                "sequence": 20,
                "group_id": cls.env.ref("order_fulfilment.group_review_finance").id,
            }
        )

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def _document(self, amount=500.0):
        return self.env["fulfilment.test.document"].create(
            {
                "name": "DOC-1",
                "amount": amount,
                "user_id": self.owner.id,
                "line_ids": [Command.create({"quantity": 3})],
            }
        )

    def test_small_model_opts_in(self):
        source = Path(__file__).with_name("review_engine_models.py").read_text()
        self.assertLess(len(source.splitlines()), 40)
        # The sign-off's own files: the core, its decisions, its forwarding.
        models_dir = Path(__file__).parent.parent / "models"
        review_source = "".join(
            (models_dir / name).read_text()
            for name in (
                "fulfilment_review.py",
                "fulfilment_review_decision.py",
                "fulfilment_review_forward.py",
            )
        )
        self.assertEqual(review_source.count('"sale.order"'), 1, "only the contract's order_id names a model")

    def test_steps_and_gate(self):
        small = self._document(amount=10)
        self.assertEqual(small.review_state, "none")
        small.state = "done"  # no rule applies: the gate is open
        document = self._document()
        self.assertEqual(document.review_state, "draft")
        with self.assertRaisesRegex(UserError, "Missing review sign-offs"):
            document.write({"state": "done"})
        document.action_request_review()
        reviews = document.review_ids.sorted("sequence")
        self.assertEqual(reviews.mapped("state"), ["pending", "waiting"])
        self.assertEqual(reviews.company_id, self.env.company)
        self.assertEqual(document.review_state, "pending")
        # The document's responsible may not sign it; the engine says why.
        self.assertFalse(reviews[0].with_user(self.owner).can_decide)
        with self.assertRaisesRegex(UserError, "no review to decide"):
            document.with_user(self.owner).action_review_approve()
        document.with_user(self.technical).action_review_approve()
        self.assertEqual(reviews.mapped("state"), ["approved", "pending"])
        with self.assertRaisesRegex(UserError, "Missing review sign-offs"):
            document.write({"state": "done"})
        reviews[1].with_user(self.finance).action_approve()
        self.assertEqual(document.review_state, "approved")
        document.write({"state": "done"})
        self.assertEqual(document.state, "done")

    def test_reject_and_created_past_the_gate(self):
        document = self._document()
        document.action_request_review()
        action = document.with_user(self.technical).action_review_reject()
        self.assertEqual(action["res_model"], "fulfilment.review.reject")
        document.review_ids.filtered(lambda r: r.state == "pending").with_user(self.technical).action_reject(
            "Drawing missing"
        )
        self.assertEqual(document.review_state, "rejected")
        with self.assertRaisesRegex(UserError, "Missing review sign-offs"):
            document.write({"state": "done"})
        with self.assertRaisesRegex(UserError, "needs a review"):
            self.env["fulfilment.test.document"].create({"name": "DOC-2", "amount": 900, "state": "done"})

    def test_invalidation_by_field_and_by_line(self):
        document = self._document()
        document.action_request_review()
        document.with_user(self.technical).action_review_approve()
        first = document.review_ids
        document.amount = 600
        # The rules have an extra condition: in doubt, their sign-offs are asked again.
        self.assertEqual(set(first.mapped("state")), {"cancelled"})
        self.assertEqual(
            document._review_current().sorted("sequence").mapped("state"), ["pending", "waiting"]
        )
        second = document._review_current()
        document.line_ids.quantity = 4
        self.assertEqual(set(second.mapped("state")), {"cancelled"}, "a watched line field counts")
        third = document._review_current()
        document.line_ids.create({"document_id": document.id, "quantity": 1})
        self.assertEqual(set(third.mapped("state")), {"cancelled"}, "a line added counts")
        self.assertIn("asked again", "\n".join(document.message_ids.mapped("body")))
        document.amount = 50
        self.assertEqual(document.review_state, "none", "no rule applies any more: dropped")
        self.assertIn("no longer needed", document.message_ids[0].body)

    def test_escalation_once(self):
        document = self._document()
        document.action_request_review()
        review = document.review_ids.filtered(lambda r: r.state == "pending")
        review.sudo().deadline = fields.Datetime.subtract(fields.Datetime.now(), hours=1)
        manager = staff_user(
            self.env, "engine_manager", "base.group_user,order_fulfilment.group_fulfilment_manager"
        )
        review._escalate_overdue()
        review._escalate_overdue()
        self.assertTrue(review.escalated)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", document._name), ("res_id", "=", document.id), ("user_id", "=", manager.id)]
        )
        self.assertEqual(len(activities), 1, "escalated once, on the reviewed document")
