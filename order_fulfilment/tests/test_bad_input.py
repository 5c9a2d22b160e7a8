"""Bad input for every wizard and public method: a clear error naming the record, nothing written.

"Nothing written" is checked without the savepoint that ``assertRaises`` rolls back to: the
call is made in a plain ``try``, and the records are read again in the same transaction. A
method that wrote part of a batch before it raised is caught that way. Where many inputs are
possible, hypothesis draws them (each example in its own savepoint).
"""

import base64
import math
from contextlib import contextmanager
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import FulfilmentCase, delivered_goods, only_in

HYPOTHESIS = {"deadline": None, "max_examples": 25, "database": None}
MISSING_ID = 2_000_000_000
# Quantities and prices from 1e12 up cannot be stored to the precision of their fields.
TOO_LARGE = 1e12
# PostgreSQL text holds no NUL character.
texts = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=40)

quantities = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from(
        [-1.0, -0.0001, 0.0, 5.0, 999999999.0, 1e12, -1e12, 1e300, math.nan, math.inf, -math.inf]
    ),
)


@tagged("post_install", "-at_install")
class TestBadInput(FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        ref = env.ref
        cls.producer = new_test_user(
            env,
            login="bad_producer",
            groups="order_fulfilment.group_review_production",
            name="Pat Production",
        )
        cls.finance = new_test_user(
            env,
            login="bad_finance",
            groups="order_fulfilment.group_review_finance,sales_team.group_sale_salesman_all_leads",
            name="Fay Finance",
        )
        cls.agent = new_test_user(
            env, login="bad_agent", groups="order_fulfilment.group_aftersales_user", name="Alice Agent"
        )
        cls.archived_agent = new_test_user(
            env, login="bad_archived", groups="order_fulfilment.group_aftersales_user", name="Gone Agent"
        )
        cls.archived_agent.active = False
        cls.mrp_user = new_test_user(env, login="bad_mrp", groups="mrp.group_mrp_user", name="Max Maker")
        cls.stock_user = new_test_user(
            env, login="bad_stock", groups="stock.group_stock_user", name="Sid Stock"
        )
        cls.company_b = env["res.company"].create({"name": "Bad Input Company B"})
        cls.agent_b = new_test_user(
            env,
            login="bad_agent_b",
            groups="order_fulfilment.group_aftersales_user",
            **only_in(cls.company_b),
        )
        cls.product_b = env["product.product"].create(
            {"name": "Company B valve", "company_id": cls.company_b.id}
        )
        cls.archived_product = env["product.product"].create({"name": "Old valve", "list_price": 20.0})
        cls.archived_product.active = False
        cls.rule = env["fulfilment.review.rule"].create(
            {
                "name": "Bad input production review",
                "group_id": ref("order_fulfilment.group_review_production").id,
                "min_amount": 500.0,
            }
        )
        # Change requests are approved on submit: the default change rules are off here.
        env["fulfilment.review.rule"].search([("applies_to", "=", "change_request")]).active = False

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _messages(self):
        self.env.flush_all()
        return self.env["mail.message"].search_count([])

    def _refused(self, exception, func, *args, name=None, **kwargs):
        """Call without a savepoint: the method must raise before it writes anything.

        Returns the error; checks its message names ``name`` when given, and that no chatter
        message was posted."""
        messages = self._messages()
        try:
            func(*args, **kwargs)
        except exception as error:
            caught = error
        else:
            self.fail(f"{func} accepted {args} {kwargs}")
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self._messages(), messages, f"{func} posted a message before refusing")
        if name:
            self.assertIn(name, str(caught))
        return caught

    @contextmanager
    def _raises(self, exception, pattern):
        """assertRaises (which rolls back to its savepoint), and the message matches."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)

    @contextmanager
    def _rolled_back(self):
        """One hypothesis example: its writes are undone afterwards."""
        savepoint = self.env.cr.savepoint()
        try:
            yield
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def _quotation(self, amount=1000.0):
        return self._create_order([(self.stocked, 1, amount)])

    def _confirmed(self, qty=4, partner=None):
        order = self._create_order([(self.stocked, qty, 50.0)], partner=partner)
        order.action_confirm()
        return order

    def _change(self, order, change_type, **values):
        return (
            self.env["fulfilment.change.request"]
            .with_user(self.salesman)
            .create({"order_id": order.id, "change_type": change_type, "reason": "Customer asked", **values})
        )

    def _document(self):
        return self.env["ir.attachment"].create(
            {"name": "customer-letter.pdf", "datas": base64.b64encode(b"%PDF-1.4 letter")}
        )

    def _delivered(self, qty=4, partner=None):
        order = self._confirmed(qty, partner)
        picking = self._pick(order.picking_ids)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return order, picking

    def _ticket(self, **values):
        return (
            self.env["fulfilment.ticket"]
            .with_user(self.agent)
            .create({"partner_id": self.customer.id, "description": "Noisy pump", **values})
        )

    # ------------------------------------------------------------------
    # Reviews
    # ------------------------------------------------------------------
    def test_request_review_bad_input(self):
        quotation = self._quotation()
        confirmed = self._confirmed()
        self._refused(
            UserError,
            (quotation | confirmed).with_user(self.salesman).action_request_review,
            name=confirmed.name,
        )
        self.assertFalse(quotation.review_ids, "the quotation of a refused batch got reviews")
        self.assertEqual(quotation.review_state, "draft")
        # No rule applies: below the amount, or the only rule archived.
        small = self._quotation(amount=10.0)
        self._refused(UserError, small.with_user(self.salesman).action_request_review, name=small.name)
        self.rule.active = False
        self._refused(
            UserError, quotation.with_user(self.salesman).action_request_review, name=quotation.name
        )
        self.assertFalse(quotation.review_ids)
        self.rule.active = True
        # Someone else's quotation, or one that does not exist.
        other = new_test_user(self.env, login="bad_salesman2", groups="sales_team.group_sale_salesman")
        self._refused(AccessError, quotation.with_user(other).action_request_review)
        with self.assertRaises(UserError):  # MissingError or AccessError, both UserErrors
            self.env["sale.order"].browse(MISSING_ID).with_user(self.salesman).action_request_review()
        quotation.with_user(self.salesman).action_request_review()
        self._refused(
            UserError, quotation.with_user(self.salesman).action_request_review, name=quotation.name
        )
        self.assertEqual(len(quotation.review_ids), 1)

    def test_decision_bad_input(self):
        first, second = self._quotation(), self._quotation()
        (first | second).with_user(self.salesman).action_request_review()
        review, other = first.review_ids, second.review_ids
        as_producer = review.with_user(self.producer)
        for comment in (123, 4.5, ["no"], {"why": "no"}, True, "", "   ", "\n\t"):
            with self.subTest(comment=comment):
                self._refused(UserError, as_producer.action_reject, comment=comment)
                self.assertEqual(
                    (review.state, review.reviewer_id.id, review.comment), ("pending", False, False)
                )
        self._refused(UserError, as_producer.action_reject, name=first.name)
        self._refused(AccessError, review.with_user(self.salesman).action_approve)
        self._refused(AccessError, review.with_user(self.agent).action_approve)
        self._refused(AccessError, review.with_user(self.producer).write, {"state": "approved"})
        # A batch with a closed review is refused whole: the pending one stays pending.
        other.with_user(self.producer).action_approve()
        self._refused(UserError, (review | other).with_user(self.producer).action_approve, name=second.name)
        self.assertEqual(review.state, "pending")
        self.assertFalse(review.decision_date)
        # The reject wizard refuses a blank reason the same way.
        wizard = (
            self.env["fulfilment.review.reject"]
            .with_user(self.producer)
            .create({"review_ids": [Command.set(review.ids)], "comment": "   "})
        )
        self._refused(UserError, wizard.action_reject)
        self.assertEqual(review.state, "pending")
        with self.assertRaises(AssertionError):
            Form(
                self.env["fulfilment.review.reject"]
                .with_user(self.producer)
                .with_context(default_review_ids=review.ids)
            ).save()
        with self.assertRaises(UserError):  # MissingError or AccessError, both UserErrors
            self.env["fulfilment.review"].browse(MISSING_ID).with_user(self.producer).action_approve()

    @settings(**HYPOTHESIS)
    @given(comment=st.one_of(texts, st.none(), st.integers(), st.booleans()))
    def test_reject_comment_property(self, comment):
        with self._rolled_back():
            order = self._quotation()
            order.with_user(self.salesman).action_request_review()
            review = order.review_ids.with_user(self.producer)
            valid = isinstance(comment, str) and comment.strip()
            if valid:
                review.action_reject(comment=comment)
                self.assertEqual((review.state, review.comment), ("rejected", comment.strip()))
                self.assertEqual(order.review_state, "rejected")
            else:
                self._refused(UserError, review.action_reject, comment=comment)
                self.assertEqual(review.state, "pending")

    # ------------------------------------------------------------------
    # Orders: rush flag, release, gate
    # ------------------------------------------------------------------
    @settings(**HYPOTHESIS)
    @given(reason=st.one_of(st.none(), st.just(""), st.text(alphabet=" \t\n", max_size=5), texts))
    def test_rush_flag_needs_a_reason(self, reason):
        with self._rolled_back():
            order = self._quotation(amount=10.0)
            values = {"is_rush": True, "rush_reason": reason or False}
            if reason and reason.strip():
                order.with_user(self.salesman).write(values)
                self.assertTrue(order.is_rush)
            else:
                with self._raises(ValidationError, order.name):
                    order.with_user(self.salesman).write(values)
                    order.flush_recordset()
                self.assertFalse(order.is_rush)

    def test_release_bad_input(self):
        customer_b = self.env["res.partner"].create({"name": "Pays First", "fulfilment_customer_class": "B"})
        waiting = self._confirmed(partner=customer_b)
        cancelled = self._confirmed(partner=customer_b)
        cancelled._action_cancel()
        self._refused(
            UserError,
            (waiting | cancelled).with_user(self.finance).action_release_delivery,
            name=cancelled.name,
        )
        self.assertFalse(waiting.delivery_released)
        self.assertFalse(waiting.fulfilment_released_by_id)
        self._refused(
            AccessError, waiting.with_user(self.salesman).action_release_delivery, name=waiting.name
        )
        self._refused(
            AccessError,
            waiting.with_user(self.salesman).write,
            {"fulfilment_released_by_id": self.salesman.id},
        )
        with self.assertRaises(UserError):  # MissingError or AccessError, both UserErrors
            self.env["sale.order"].browse(MISSING_ID).with_user(self.finance).action_release_delivery()
        waiting.with_user(self.finance).action_release_delivery()
        self.assertTrue(waiting.delivery_released)

    def test_gate_refuses_orders_outside_quotations(self):
        quotation = self._quotation()
        quotation.action_cancel()
        self._refused(
            UserError, quotation.with_user(self.salesman).write, {"state": "sale"}, name=quotation.name
        )
        self.assertEqual(quotation.state, "cancel")
        Order = self.env["sale.order"].with_user(self.salesman)
        before = Order.search_count([])
        values = {
            "partner_id": self.customer.id,
            "order_line": [
                Command.create({"product_id": self.stocked.id, "product_uom_qty": 1, "price_unit": 900})
            ],
        }
        with self._raises(UserError, self.rule.group_id.name):
            Order.create({**values, "state": "sale"})
        with self.assertRaises(UserError):
            Order.create({**values, "review_state": "approved"})
        self.assertEqual(Order.search_count([]), before)
        # Without a rule that applies, nothing changes for stock Odoo.
        small = Order.create(
            {**values, "order_line": [Command.create({"product_id": self.stocked.id, "price_unit": 10})]}
        )
        small.action_cancel()
        small.write({"state": "sale"})
        self.assertEqual(small.state, "sale")

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    @settings(**HYPOTHESIS)
    @given(new_qty=quantities)
    def test_change_quantity_property(self, new_qty):
        with self._rolled_back():
            order = self._confirmed(qty=4)
            request = self._change(order, "quantity")
            line = request.line_ids
            if not math.isfinite(new_qty) or abs(new_qty) >= TOO_LARGE:
                self._refused(ValidationError, line.write, {"new_qty": new_qty})
                self.assertEqual(line.new_qty, 4.0)
                return
            line.write({"new_qty": new_qty})
            rounded = line.new_qty
            if rounded < 0 or abs(rounded - 4.0) < 1e-6:
                self._refused(UserError, request.action_submit, name=request.name)
            else:
                request.action_submit()
                self.assertEqual(request.state, "approved")
                return
            self.assertEqual((request.state, order.order_line.product_uom_qty), ("draft", 4.0))

    @settings(**HYPOTHESIS)
    @given(price=quantities)
    def test_change_price_property(self, price):
        with self._rolled_back():
            order = self._confirmed(qty=2)
            request = self._change(order, "price")
            line = request.line_ids
            if not math.isfinite(price) or abs(price) >= TOO_LARGE:
                self._refused(ValidationError, line.write, {"new_price_unit": price})
                self.assertEqual(line.new_price_unit, 50.0)
                return
            line.write({"new_price_unit": price})
            if line.new_price_unit < 0:
                self._refused(UserError, request.action_submit, name=request.name)
                self.assertEqual(request.state, "draft")
            elif line.is_changed:
                request.action_submit()
                request.action_apply()
                self.assertEqual(order.order_line.price_unit, line.new_price_unit)
            self.assertEqual(order.state, "sale")

    def test_change_request_bad_input(self):
        quotation = self._quotation(amount=10.0)
        Request = self.env["fulfilment.change.request"].with_user(self.salesman)
        before = Request.search_count([])
        with self._raises(UserError, quotation.name):
            self._change(quotation, "quantity")
        order = self._confirmed()
        other_order = self._confirmed()
        # Lines of another order, missing order, missing type.
        with self._raises(UserError, order.name):
            Request.create(
                {
                    "order_id": order.id,
                    "change_type": "quantity",
                    "reason": "x",
                    "line_ids": [Command.create({"sale_line_id": other_order.order_line.id, "new_qty": 9})],
                }
            )
        self.assertEqual(Request.search_count([]), before)
        # Product change: archived, unsellable, or another company's product.
        for product in (self.archived_product, self.product_b):
            with self.subTest(product=product.name), self._rolled_back():
                request = self._change(order, "product")
                try:
                    request.line_ids.write({"new_product_id": product.id})
                except UserError as error:
                    self.assertIn(product.name, str(error))
                    continue
                self._refused(UserError, request.action_submit, name=request.name)
                self.assertEqual(request.state, "draft")
        # Dates: none, in the past, unchanged; and the customer's letter is required.
        past = fields.Datetime.now() - timedelta(days=3)
        for new_date, document, message in (
            (False, True, "set the new delivery date"),
            (past, True, "in the past"),
            (fields.Datetime.now() + timedelta(days=30), False, "written request"),
        ):
            with self.subTest(date=new_date, document=document), self._rolled_back():
                values = {"new_commitment_date": new_date}
                if document:
                    values["customer_document_ids"] = [Command.set(self._document().ids)]
                request = self._change(order, "date", **values)
                error = self._refused(UserError, request.action_submit, name=request.name)
                self.assertIn(message, str(error))
                self.assertEqual(request.state, "draft")
                self.assertFalse(order.commitment_date)
        # A batch with one bad request submits none of them.
        good = self._change(order, "quantity")
        good.line_ids.new_qty = 6
        blank = self._change(other_order, "quantity", reason="   ")
        blank.line_ids.new_qty = 6
        self._refused(UserError, (good | blank).action_submit, name=blank.name)
        self.assertEqual((good.state, blank.state), ("draft", "draft"))
        # Nonexistent request.
        with self.assertRaises(UserError):  # MissingError or AccessError, both UserErrors
            Request.browse(MISSING_ID).action_submit()

    def test_apply_batch_is_all_or_nothing(self):
        first, second = self._confirmed(qty=4), self._confirmed(qty=4)
        requests = self.env["fulfilment.change.request"]
        for order in (first, second):
            request = self._change(order, "quantity")
            request.line_ids.new_qty = 5
            request.action_submit()
            requests |= request
        self.assertEqual(set(requests.mapped("state")), {"approved"})
        draft = self._change(first, "price")
        draft.line_ids.new_price_unit = 1
        self._refused(UserError, (requests | draft).action_apply, name=draft.name)
        second.sudo()._action_cancel()
        self._refused(UserError, requests.action_apply, name=second.name)
        self.assertEqual(requests.mapped("state"), ["approved", "approved"])
        self.assertEqual(first.order_line.product_uom_qty, 4.0, "the first request was applied alone")
        # Applied once only, even when the same request comes twice.
        requests[0].action_apply()
        self._refused(UserError, requests[0].action_apply, name=requests[0].name)
        self.assertEqual(first.order_line.product_uom_qty, 5.0)

    # ------------------------------------------------------------------
    # After-sales tickets
    # ------------------------------------------------------------------
    def test_ticket_creation_bad_input(self):
        Ticket = self.env["fulfilment.ticket"].with_user(self.agent)
        before = Ticket.search_count([])
        order, picking = self._delivered(qty=2)
        other_customer = self.env["res.partner"].create({"name": "Not the buyer"})
        lot = self.env["stock.lot"].create({"name": "LOT-1", "product_id": self.pump.id})
        for values, error in (
            ({"quantity": -1.0}, ValidationError),
            ({"quantity": math.nan}, ValidationError),
            ({"quantity": math.inf}, ValidationError),
            ({"quantity": TOO_LARGE}, ValidationError),
            ({"partner_id": other_customer.id, "order_id": order.id}, ValidationError),
            ({"order_id": order.id, "product_id": self.pump.id}, ValidationError),
            ({"product_id": self.stocked.id, "lot_id": lot.id}, ValidationError),
            (
                {"order_id": order.id, "picking_id": picking.id, "partner_id": other_customer.id},
                ValidationError,
            ),
            ({"company_id": self.company_b.id}, AccessError),
            ({"state": "closed"}, UserError),
        ):
            with self.subTest(values=values), self.assertRaises(error):
                self._ticket(**values)
        self.assertEqual(Ticket.search_count([]), before)

    def test_ticket_actions_bad_input(self):
        ticket = self._ticket()
        for user_id in (
            "abc",
            [self.agent.id],
            {"id": 1},
            1.5,
            -1,
            MISSING_ID,
            self.salesman.id,
            self.archived_agent.id,
            self.agent_b.id,
        ):
            with self.subTest(user_id=user_id):
                self._refused(UserError, ticket.with_user(self.agent).action_assign, user_id=user_id)
                self.assertEqual(
                    (ticket.state, ticket.user_id.id, ticket.assigned_date), ("new", False, False)
                )
        self._refused(UserError, ticket.with_user(self.salesman).action_assign, name=None)
        for method in ("action_contact", "action_start", "action_resolve", "action_close"):
            with self.subTest(method=method):
                self._refused(UserError, getattr(ticket.with_user(self.agent), method), name=ticket.name)
        ticket.with_user(self.agent).action_assign()
        for note in (123, ["hello"], "", "   "):
            with self.subTest(note=note):
                self._refused(
                    UserError, ticket.with_user(self.agent).action_contact, note=note, name=ticket.name
                )
                self.assertFalse(ticket.first_contact_date)
        # A batch: one ticket ready to resolve, one without a resolution.
        ready = self._ticket(resolution="repair")
        ready.with_user(self.agent).action_assign()
        ready.with_user(self.agent).action_contact(note="Called")
        ticket.with_user(self.agent).action_contact(note="Called")
        self._refused(UserError, (ready | ticket).with_user(self.agent).action_resolve, name=ticket.name)
        self.assertEqual(ready.state, "assigned")
        self.assertFalse(ready.resolved_date)
        ready.with_user(self.agent).action_resolve()
        with self.assertRaises(UserError):  # MissingError or AccessError, both UserErrors
            self.env["fulfilment.ticket"].browse(MISSING_ID).with_user(self.agent).action_start()

    @settings(**HYPOTHESIS)
    @given(
        score=st.one_of(st.integers(-10, 10), st.text(max_size=3), st.floats(allow_nan=True), st.booleans())
    )
    def test_close_satisfaction_property(self, score):
        with self._rolled_back():
            ticket = self._ticket(resolution="no_action")
            agent_ticket = ticket.with_user(self.agent)
            agent_ticket.action_assign()
            agent_ticket.action_contact(note="Called")
            agent_ticket.action_resolve()
            if str(score) in {"1", "2", "3", "4", "5"}:
                agent_ticket.action_close(satisfaction=score)
                self.assertEqual((ticket.state, ticket.satisfaction), ("closed", str(score)))
            else:
                self._refused(UserError, agent_ticket.action_close, satisfaction=score)
                self.assertEqual((ticket.state, ticket.satisfaction), ("resolved", False))

    @settings(**HYPOTHESIS)
    @given(
        quantity=st.one_of(
            st.floats(min_value=0, max_value=1e11), st.sampled_from([0.0, 1.0, 2.0, 2.5, 1e11])
        )
    )
    def test_return_quantity_property(self, quantity):
        with self._rolled_back():
            order, picking = self._delivered(qty=2)
            ticket = self._ticket(
                **delivered_goods(order, picking, self.stocked, ticket_type="return", quantity=quantity)
            )
            ticket.with_user(self.agent).action_assign()
            pickings = self.env["stock.picking"].search_count([])
            wanted = ticket.quantity or 2.0
            if wanted > 2.0 + self.stocked.uom_id.rounding:
                self._refused(UserError, ticket.with_user(self.agent).action_create_return, name=ticket.name)
                self.assertEqual(self.env["stock.picking"].search_count([]), pickings)
                self.assertFalse(ticket.return_picking_ids)
            else:
                ticket.with_user(self.agent).action_create_return()
                returned = sum(ticket.return_picking_ids.move_ids.mapped("product_uom_qty"))
                self.assertAlmostEqual(returned, min(wanted, 2.0), 2)

    def test_contact_wizard_bad_input(self):
        ticket = self._ticket()
        wizard = (
            self.env["fulfilment.ticket.contact"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "note": "Called, no answer"})
        )
        self._refused(UserError, wizard.action_confirm, name=ticket.name)
        ticket.with_user(self.agent).action_assign()
        blank = (
            self.env["fulfilment.ticket.contact"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "note": "  "})
        )
        self._refused(UserError, blank.action_confirm, name=ticket.name)
        self.assertFalse(ticket.first_contact_date)

    # ------------------------------------------------------------------
    # Proof of delivery
    # ------------------------------------------------------------------
    def test_pod_bad_input(self):
        __, picking = self._delivered()
        undelivered = self._confirmed().picking_ids
        as_stock = picking.with_user(self.stock_user)
        for value in ("garbage", "2026-13-45 10:00:00", 12345, ["2026-01-01"], {"date": 1}):
            with self.subTest(pod_date=value):
                self._refused(UserError, as_stock.action_confirm_pod, pod_date=value, name=picking.name)
        future = fields.Datetime.now() + timedelta(days=1)
        self._refused(UserError, as_stock.action_confirm_pod, pod_date=future)
        before_delivery = picking.date_done - timedelta(days=1)
        self._refused(UserError, as_stock.action_confirm_pod, pod_date=before_delivery, name=picking.name)
        self._refused(
            UserError,
            (picking | undelivered).with_user(self.stock_user).action_confirm_pod,
            name=undelivered.name,
        )
        self.assertFalse(picking.fulfilment_pod_date)
        # The wizard checks the date before it stores the signed document.
        attachments = self.env["ir.attachment"].search_count([])
        wizard = (
            self.env["fulfilment.pod.wizard"]
            .with_user(self.stock_user)
            .create(
                {
                    "picking_id": picking.id,
                    "pod_date": future,
                    "document": base64.b64encode(b"%PDF-1.4 signed"),
                    "document_name": "pod.pdf",
                }
            )
        )
        self._refused(UserError, wizard.action_confirm)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.assertFalse(picking.fulfilment_pod_attachment_id)
        with self.assertRaises(UserError):  # MissingError or AccessError, both UserErrors
            self.env["stock.picking"].browse(MISSING_ID).with_user(self.stock_user).action_confirm_pod()

    @settings(**HYPOTHESIS)
    @given(offset=st.integers(min_value=-60 * 24 * 400, max_value=60 * 24 * 400))
    def test_pod_date_property(self, offset):
        with self._rolled_back():
            __, picking = self._delivered()
            now = fields.Datetime.now()
            picking.date_done = now - timedelta(days=10)
            pod_date = now + timedelta(minutes=offset)
            if pod_date > now or pod_date < picking.date_done:
                self._refused(
                    UserError, picking.with_user(self.stock_user).action_confirm_pod, pod_date=pod_date
                )
                self.assertFalse(picking.fulfilment_pod_date)
            else:
                picking.with_user(self.stock_user).action_confirm_pod(pod_date=pod_date)
                self.assertEqual(picking.fulfilment_pod_date, pod_date.replace(microsecond=0))

    # ------------------------------------------------------------------
    # Production cannot meet the date
    # ------------------------------------------------------------------
    def test_cannot_meet_bad_input(self):
        order = self._create_order([(self.pump, 1, 100.0)])
        order.action_confirm()
        production = order.mrp_production_ids[:1]
        self.assertTrue(production)
        loose = self.env["mrp.production"].create({"product_id": self.pump.id, "product_qty": 1})
        as_mrp = production.with_user(self.mrp_user)
        for reason in (None, "", "   ", 123, ["late"], {"why": "late"}):
            with self.subTest(reason=reason):
                self._refused(UserError, as_mrp.action_fulfilment_cannot_meet, reason)
        self._refused(AccessError, production.with_user(self.salesman).action_fulfilment_cannot_meet, "late")
        # A batch with a production made for no order posts nothing at all.
        self._refused(
            UserError,
            (production | loose).with_user(self.mrp_user).action_fulfilment_cannot_meet,
            "Machine down",
            name=loose.name,
        )
        self.assertFalse(order.activity_ids.filtered(lambda a: "cannot meet" in (a.summary or "")))
        wizard = (
            self.env["fulfilment.cannot.meet.wizard"]
            .with_user(self.mrp_user)
            .create({"production_id": production.id, "reason": "   "})
        )
        self._refused(UserError, wizard.action_confirm, name=production.name)
        production.action_cancel()
        self._refused(UserError, as_mrp.action_fulfilment_cannot_meet, "late", name=production.name)
