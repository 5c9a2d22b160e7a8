"""Two reminder passes at once against a real multi-process Odoo server: each review is reminded
once. Tagged like ``test_concurrency`` (``-standard``, ``fulfilment_concurrency``): it commits its
data, so it runs alone on a database of its own (``tools/dev.sh concurrency``)."""

import logging

import odoo
from odoo import Command, api
from odoo.tests import TransactionCase, new_test_user, tagged

from .concurrency_common import MultiWorkerServerMixin

_logger = logging.getLogger(__name__)

QUOTATIONS = 12


@tagged("post_install", "-at_install", "-standard", "fulfilment_concurrency")
class TestReminderConcurrency(MultiWorkerServerMixin, TransactionCase):
    @classmethod
    def _commit_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})

            def user(key, groups):
                login = f"conc_rem_{key}_{cls.suffix}"
                return new_test_user(env, login=login, groups=groups, name=f"Reminder {key}"), login

            salesman, _login = user("salesman", "sales_team.group_sale_salesman")
            cls.reviewers = [user(key, "order_fulfilment.group_review_technical")[0] for key in ("t1", "t2")]
            cls.reviewer_ids = [reviewer.id for reviewer in cls.reviewers]
            _operator, cls.operator_login = user("operator", "base.group_system")
            technical = env.ref("order_fulfilment.group_review_technical")
            rule = env["fulfilment.review.rule"].create(
                {
                    "name": f"Concurrent reminders {cls.suffix}",
                    "group_id": technical.id,
                    "min_amount": 24000.0,
                    "reminder_hours": 1.0,
                    "reminder_max": 3,
                }
            )
            customer = env["res.partner"].create({"name": f"Reminder Customer {cls.suffix}"})
            product = env["product.product"].create(
                {"name": f"Reminder Pump {cls.suffix}", "list_price": 50.0}
            )
            quotations = env["sale.order"].create(
                [
                    {
                        "partner_id": customer.id,
                        "user_id": salesman.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "product_uom_qty": 500, "price_unit": 50.0}
                            )
                        ],
                    }
                    for _index in range(QUOTATIONS)
                ]
            )
            quotations.with_user(salesman).action_request_review()
            reviews = quotations.review_ids.filtered(lambda review: review.rule_id == rule)
            assert len(reviews) == QUOTATIONS and set(reviews.mapped("state")) == {"pending"}
            cls.review_ids = reviews.ids
            env.flush_all()
            # Due a minute ago.
            cr.execute(
                "UPDATE fulfilment_review SET reminder_next = now() at time zone 'UTC' - interval '1 minute' "
                "WHERE id IN %s",
                (tuple(cls.review_ids),),
            )
            # Small batches, so that each pass locks several times while the other runs.
            cls.remind_action_id = (
                env["ir.actions.server"]
                .create(
                    {
                        "name": f"Concurrent reminder pass {cls.suffix}",
                        "model_id": env["ir.model"]._get_id("fulfilment.review"),
                        "state": "code",
                        "code": "action = {'done': model._cron_remind(batch_size=3)}",
                    }
                )
                .id
            )
            # Leaving the block commits.

    def test_two_reminder_passes_at_once(self):
        sessions = [self._session(self.operator_login) for _index in range(2)]
        answers = self._fire(
            [(session, "ir.actions.server", "run", [[self.remind_action_id]]) for session in sessions]
        )
        for answer in answers:
            self.assertNotIn("transport_error", answer)
            self.assertNotIn("error", answer, f"a reminder pass failed: {answer}")
        done = [answer["result"]["done"] for answer in answers]
        _logger.info("reviews reminded by each pass: %s", done)
        self.assertEqual(sum(done), QUOTATIONS, "every due review reminded by exactly one pass")
        rows = self._query(
            "SELECT reminder_count, reminder_next IS NOT NULL FROM fulfilment_review WHERE id IN %s",
            (tuple(self.review_ids),),
        )
        self.assertEqual(rows, [(1, True)] * QUOTATIONS)
        todos = self._query(
            """SELECT fulfilment_review_id, user_id, count(*) FROM mail_activity
                WHERE fulfilment_review_id IN %s AND user_id IN %s AND summary LIKE 'Reminder 1:%%'
                GROUP BY fulfilment_review_id, user_id""",
            (tuple(self.review_ids), tuple(self.reviewer_ids)),
        )
        self.assertEqual(len(todos), QUOTATIONS * len(self.reviewer_ids))
        self.assertEqual({count for _review, _user, count in todos}, {1})
        self.assertEqual(self._server_errors(), [])
