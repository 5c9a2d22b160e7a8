"""Concurrent calls against a real multi-process Odoo server.

The class commits its data, starts ``odoo-bin --workers=2`` on the same database and fires
simultaneous JSON-RPC calls from separate sessions. It is tagged ``-standard``: committed data
must not leak into the other tests, so it runs alone on a database of its own
(``tools/dev.sh concurrency``, part of ``make test-all``).
"""

import logging
from datetime import timedelta

import odoo
from odoo import Command, api, fields
from odoo.tests import TransactionCase, new_test_user, tagged

from .concurrency_common import MultiWorkerServerMixin

_logger = logging.getLogger(__name__)

CLEAN_ERRORS = {"odoo.exceptions.UserError", "odoo.exceptions.AccessError"}


@tagged("post_install", "-at_install", "-standard", "fulfilment_concurrency")
class TestConcurrency(MultiWorkerServerMixin, TransactionCase):
    """Simultaneous decisions, applies and SLA passes: each takes effect once, the others are
    refused with a clean error, and no serialization failure reaches the caller."""

    # ------------------------------------------------------------------
    # Committed data, visible to the server's workers
    # ------------------------------------------------------------------
    @classmethod
    def _commit_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            company = env.company
            company.write(
                {
                    "aftersales_assign_minutes": 60,
                    "aftersales_contact_minutes": 120,
                    "fulfilment_sla_use_calendar": False,
                }
            )

            def user(key, groups, name):
                login = f"conc_{key}_{cls.suffix}"
                record = new_test_user(env, login=login, groups=groups, name=name)
                return record.id, login

            cls.salesman_id, cls.salesman_login = user(
                "salesman", "sales_team.group_sale_salesman", "Concurrent Salesman"
            )
            cls.manager_id, cls.manager_login = user(
                "manager", "sales_team.group_sale_manager", "Concurrent Sales Manager"
            )
            cls.producer_logins = []
            cls.producer_ids = []
            for key in ("producer1", "producer2"):
                user_id, login = user(key, "order_fulfilment.group_review_production", f"Reviewer {key}")
                cls.producer_ids.append(user_id)
                cls.producer_logins.append(login)
            # Pairs of colleagues who each record an absence with the other as substitute.
            cls.absence_pairs = [
                tuple(
                    user(f"absent{index}{side}", "base.group_user", f"Absent {index}{side}") for side in "ab"
                )
                for index in range(3)
            ]
            cls.operator_id, cls.operator_login = user(
                "operator", "base.group_system,order_fulfilment.group_aftersales_manager", "SLA Operator"
            )
            customer = env["res.partner"].create({"name": f"Concurrent Customer {cls.suffix}"})
            product = env["product.product"].create(
                {"name": f"Concurrent Flange {cls.suffix}", "is_storable": True, "list_price": 50.0}
            )
            warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
            env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1000)

            def quotation(qty, **values):
                line = {"product_id": product.id, "product_uom_qty": qty, "price_unit": 50.0}
                return env["sale.order"].create(
                    {
                        "partner_id": customer.id,
                        "user_id": cls.salesman_id,
                        **values,
                        "order_line": [Command.create(line)],
                    }
                )

            def production_rule(name, **values):
                group = env.ref("order_fulfilment.group_review_production")
                env["fulfilment.review.rule"].create(
                    {"name": f"{name} {cls.suffix}", "group_id": group.id, **values}
                )

            # A change request, approved (no change rules in this database), to apply.
            env["fulfilment.review.rule"].search([("applies_to", "=", "change_request")]).active = False
            order = quotation(4)
            order.action_confirm()
            salesman = env["res.users"].browse(cls.salesman_id)
            request = (
                env["fulfilment.change.request"]
                .with_user(salesman)
                .create(
                    {"order_id": order.id, "change_type": "quantity", "reason": "Customer needs two more"}
                )
            )
            request.line_ids.new_qty = 6
            request.action_submit()
            assert request.state == "approved", request.state
            cls.change_order_id = order.id
            cls.request_id = request.id

            # A quotation under a production review (only big orders need it).
            production_rule("Concurrent production review", min_amount=10000.0)
            big = quotation(400)
            big.with_user(salesman).action_request_review()
            review = big.review_ids
            assert len(review) == 1 and review.state == "pending", review.mapped("state")
            cls.quotation_id = big.id
            cls.review_id = review.id

            # A small quotation whose production sign-off needs two approvers.
            production_rule(
                "Concurrent dual sign-off",
                min_approvers=2,
                filter_domain=repr([("client_order_ref", "=", f"DUAL-{cls.suffix}")]),
            )
            dual = quotation(2, client_order_ref=f"DUAL-{cls.suffix}")
            dual.with_user(salesman).action_request_review()
            assert len(dual.review_ids) == 1 and dual.review_ids.min_approvers == 2, dual.review_ids
            cls.dual_quotation_id = dual.id
            cls.dual_review_id = dual.review_ids.id

            # Tickets opened four hours ago: both deadlines breached, nothing escalated yet (no
            # resolution target: the pass has nothing left to check afterwards).
            env["fulfilment.sla.policy"].search([]).active = False
            opened = fields.Datetime.now() - timedelta(hours=4)
            tickets = env["fulfilment.ticket"].create(
                [
                    {
                        "partner_id": customer.id,
                        "ticket_type": "complaint",
                        "description": f"Leaking flange {index}",
                        "opened_date": opened,
                    }
                    for index in range(12)
                ]
            )
            cls.ticket_ids = tickets.ids
            # Small batches, so that both passes commit several times while the other runs.
            cls.sla_action_id = (
                env["ir.actions.server"]
                .create(
                    {
                        "name": f"Concurrent SLA pass {cls.suffix}",
                        "model_id": env["ir.model"]._get_id("fulfilment.ticket"),
                        "state": "code",
                        "code": "action = {'done': model._cron_sla_check(batch_size=3)}",
                    }
                )
                .id
            )
            # Leaving the block commits.

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _assert_clean_refusal(self, answer):
        """A JSON-RPC error a user can read: a UserError/AccessError, not a database failure."""
        self.assertNotIn("transport_error", answer)
        error = answer.get("error")
        self.assertTrue(error, f"expected a refusal, got {answer}")
        name = error["data"]["name"]
        self.assertIn(name, CLEAN_ERRORS, f"not a clean refusal: {name}: {error['data'].get('message')}")
        self.assertNotRegex(error["data"]["message"], r"(?i)serializ|deadlock|psycopg2|could not obtain lock")

    def _count_messages(self, model, res_id, pattern):
        return self._query(
            "SELECT count(*) FROM mail_message WHERE model = %s AND res_id = %s AND body::text ILIKE %s",
            (model, res_id, pattern),
        )[0][0]

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_two_reviewers_approve_at_once(self):
        sessions = [self._session(login) for login in self.producer_logins]
        answers = self._fire(
            [(session, "fulfilment.review", "action_approve", [[self.review_id]]) for session in sessions]
        )
        successes = [answer for answer in answers if "result" in answer]
        self.assertEqual(len(successes), 1, f"exactly one decision: {answers}")
        self.assertIs(successes[0]["result"], True)
        for answer in answers:
            if "result" not in answer:
                self._assert_clean_refusal(answer)
                self.assertIn("only reviews waiting for a decision", answer["error"]["data"]["message"])
        state, reviewer_id = self._query(
            "SELECT state, reviewer_id FROM fulfilment_review WHERE id = %s", (self.review_id,)
        )[0]
        self.assertEqual(state, "approved")
        self.assertIn(reviewer_id, self.producer_ids)
        self.assertEqual(
            self._query("SELECT review_state FROM sale_order WHERE id = %s", (self.quotation_id,))[0][0],
            "approved",
        )
        department = self._query(
            """SELECT g.name->>'en_US' FROM res_groups g
                 JOIN fulfilment_review r ON r.group_id = g.id WHERE r.id = %s""",
            (self.review_id,),
        )[0][0]
        self.assertEqual(
            self._count_messages("sale.order", self.quotation_id, f"%{department} approved.%"), 1
        )
        self.assertEqual(
            self._count_messages("sale.order", self.quotation_id, "%All reviews are approved%"), 1
        )
        self.assertEqual(self._server_errors(), [])

    def test_two_approvers_of_one_sign_off_at_once(self):
        """Both approvals count: the second waits for the first's lock, then is retried on what
        the first wrote, and completes the sign-off."""
        sessions = [self._session(login) for login in self.producer_logins]
        answers = self._fire(
            [
                (session, "fulfilment.review", "action_approve", [[self.dual_review_id]])
                for session in sessions
            ]
        )
        for answer in answers:
            self.assertNotIn("error", answer, f"both approvals count: {answers}")
            self.assertIs(answer["result"], True)
        state, count = self._query(
            "SELECT state, approval_count FROM fulfilment_review WHERE id = %s", (self.dual_review_id,)
        )[0]
        self.assertEqual((state, count), ("approved", 2))
        approvers = self._query(
            "SELECT user_id FROM fulfilment_review_approval WHERE review_id = %s ORDER BY user_id",
            (self.dual_review_id,),
        )
        self.assertEqual([row[0] for row in approvers], sorted(self.producer_ids))
        self.assertEqual(
            self._query("SELECT review_state FROM sale_order WHERE id = %s", (self.dual_quotation_id,))[0][0],
            "approved",
        )
        self.assertEqual(self._count_messages("sale.order", self.dual_quotation_id, "%1 of 2 approvers%"), 1)
        self.assertEqual(
            self._count_messages("sale.order", self.dual_quotation_id, "%All reviews are approved%"), 1
        )
        self.assertEqual(self._server_errors(), [])

    def test_two_delegations_forming_a_chain_at_once(self):
        """A to B and B to A, recorded at the same moment by A and B: the second waits for the
        first's lock on their rows, then checks against what the first committed and is
        refused; no chain, and nobody else's request fails on their rows."""
        start = fields.Datetime.to_string(fields.Datetime.now() - timedelta(hours=1))
        end = fields.Datetime.to_string(fields.Datetime.now() + timedelta(days=2))
        calls = []
        for (a_id, a_login), (b_id, b_login) in self.absence_pairs:
            for login, substitute_id in ((a_login, b_id), (b_login, a_id)):
                calls.append(
                    (
                        self._session(login),
                        "fulfilment.review.delegation",
                        "create",
                        [{"substitute_id": substitute_id, "date_from": start, "date_to": end}],
                    )
                )
        answers = self._fire(calls)
        for index in range(0, len(answers), 2):
            pair = answers[index : index + 2]
            successes = [answer for answer in pair if "result" in answer]
            self.assertEqual(len(successes), 1, f"one absence of the two: {pair}")
            refusal = next(answer for answer in pair if "result" not in answer)
            self.assertNotIn("transport_error", refusal)
            self.assertEqual(refusal["error"]["data"]["name"], "odoo.exceptions.ValidationError", refusal)
            self.assertRegex(refusal["error"]["data"]["message"], "away too|stands in")
        user_ids = [user_id for pair in self.absence_pairs for user_id, __ in pair]
        self.assertEqual(
            self._query(
                "SELECT count(*) FROM fulfilment_review_delegation WHERE user_id IN %s", (tuple(user_ids),)
            )[0][0],
            len(self.absence_pairs),
        )
        self.assertEqual(self._server_errors(), [])

    def test_three_applies_at_once(self):
        logins = [self.salesman_login, self.salesman_login, self.manager_login]
        sessions = [self._session(login) for login in logins]
        answers = self._fire(
            [
                (session, "fulfilment.change.request", "action_apply", [[self.request_id]])
                for session in sessions
            ]
        )
        successes = [answer for answer in answers if "result" in answer]
        self.assertEqual(len(successes), 1, f"applied exactly once: {answers}")
        for answer in answers:
            if "result" not in answer:
                self._assert_clean_refusal(answer)
                self.assertIn("only once", answer["error"]["data"]["message"])
        self.assertEqual(
            self._query("SELECT state FROM fulfilment_change_request WHERE id = %s", (self.request_id,))[0][
                0
            ],
            "applied",
        )
        self.assertEqual(
            self._query(
                "SELECT product_uom_qty FROM sale_order_line WHERE order_id = %s", (self.change_order_id,)
            ),
            [(6.0,)],
        )
        # The delivery asks for 6, not 8: the stock side was raised once.
        demand = self._query(
            """SELECT sum(m.product_uom_qty) FROM stock_move m
                 JOIN sale_order_line l ON l.id = m.sale_line_id
                WHERE l.order_id = %s AND m.state != 'cancel'""",
            (self.change_order_id,),
        )[0][0]
        self.assertEqual(demand, 6.0)
        self.assertEqual(self._count_messages("sale.order", self.change_order_id, "%applied:%"), 1)
        self.assertEqual(self._server_errors(), [])

    def test_two_sla_passes_at_once(self):
        sessions = [self._session(self.operator_login) for _index in range(2)]
        answers = self._fire(
            [(session, "ir.actions.server", "run", [[self.sla_action_id]]) for session in sessions]
        )
        for answer in answers:
            # Both passes run to the end: SKIP LOCKED shares the tickets out, Odoo retries a pass
            # that read a ticket the other one had just committed.
            self.assertNotIn("transport_error", answer)
            self.assertNotIn("error", answer, f"an SLA pass failed: {answer}")
        # Each pass reports the tickets it refreshed (a retried pass counts from its last try).
        done = [answer["result"]["done"] for answer in answers]
        _logger.info("tickets refreshed by each SLA pass: %s", done)
        self.assertLessEqual(sum(done), len(self.ticket_ids))
        rows = self._query(
            """SELECT id, sla_state, assign_escalated, contact_escalated, sla_next_check
                 FROM fulfilment_ticket WHERE id IN %s""",
            (tuple(self.ticket_ids),),
        )
        self.assertEqual(len(rows), len(self.ticket_ids))
        for _id, sla_state, assign_escalated, contact_escalated, next_check in rows:
            self.assertEqual(
                (sla_state, assign_escalated, contact_escalated, next_check), ("breached", True, True, None)
            )
        for ticket_id in self.ticket_ids:
            self.assertEqual(
                self._count_messages("fulfilment.ticket", ticket_id, "%missed its%"), 1, ticket_id
            )
        activities = dict(
            self._query(
                """SELECT res_id, count(*) FROM mail_activity
                    WHERE res_model = 'fulfilment.ticket' AND res_id IN %s AND user_id = %s
                    GROUP BY res_id""",
                (tuple(self.ticket_ids), self.operator_id),
            )
        )
        self.assertEqual(activities, dict.fromkeys(self.ticket_ids, 1), "one escalation activity per ticket")
        self.assertEqual(self._server_errors(), [])
