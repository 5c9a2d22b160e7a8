"""The demo story of the pump factory: demo data only, never called by the addon's business code.

The demo XML files declare the company, people, products, customers and review rules; the
functions below play six months of the factory's life on them, as its own staff would: orders
placed, reviewed and confirmed by the salesman, changed through change requests, invoiced and
paid, delivered (on time, late, one shipped short), and after-sales tickets, all dated in the past.
"""

import logging
from datetime import datetime, time, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.tools import SQL, float_round

_logger = logging.getLogger(__name__)

# The delivered orders of the last six months, oldest first. days: placed that many days ago;
# late: days after the promised date (10 days after the order) it arrived; review: hours the
# sign-offs took (the orders of 5,000 or more need production and purchasing); payment of class
# B and C customers: "paid" before shipping, or "released" by finance and paid after delivery.
HISTORY = [
    {
        "days": 170,
        "customer": "waterworks",
        "product": "standard_pump",
        "qty": 2,
        "late": -2,
        "ticket": {
            "type": "complaint",
            "after_days": 20,
            "assign": 25,
            "contact": 70,
            "description": "Pressure is lower than the data sheet at the duty point.",
            "resolution": "no_action",
            "note": "A valve on site was half closed; the pump meets its curve.",
            "satisfaction": "4",
        },
    },
    {
        "days": 160,
        "customer": "farm",
        "product": "standard_pump",
        "qty": 5,
        "late": 0,
        "review": 26,
        "change": {
            "type": "quantity",
            "delta": 1,
            "reason": "The cooperative needs one more pump as a standby.",
        },
    },
    {
        "days": 140,
        "customer": "class_a",
        "product": "impeller",
        "qty": 10,
        "late": 3,
        "ticket": {
            "type": "damage",
            "after_days": 1,
            "assign": 95,
            "contact": 150,
            "description": "Two impellers chipped in transit.",
            "resolution": "replacement",
            "carrier": "Northern Freight",
            "satisfaction": "3",
        },
    },
    {
        "days": 125,
        "customer": "class_b",
        "product": "seal",
        "qty": 20,
        "late": -1,
        "payment": "paid",
        "change": {"type": "price", "factor": 0.95, "reason": "Price agreed at the annual contract review."},
    },
    {
        "days": 110,
        "customer": "class_c",
        "product": "standard_pump",
        "qty": 5,
        "late": -3,
        "review": 7,
        "payment": "paid",
        "ticket": {
            "type": "repair",
            "after_days": 30,
            "assign": 40,
            "contact": 210,
            "description": "Bearing noise after a month of service.",
            "resolution": "repair",
            "satisfaction": "3",
        },
    },
    {
        "days": 95,
        "customer": "waterworks",
        "product": "impeller",
        "qty": 10,
        "late": 5,
        "change": {
            "type": "quantity",
            "delta": 5,
            "reason": "Five more impellers for the spare-parts store.",
        },
        "ticket": {
            "type": "missing",
            "after_days": 0,
            "assign": 15,
            "contact": 45,
            "description": "The delivery note lists 15 impellers; the first crate holds 14.",
            "resolution": "no_action",
            "note": "The fifteenth impeller was in the second crate.",
            "satisfaction": "5",
        },
    },
    {
        "days": 80,
        "customer": "farm",
        "product": "seal",
        "qty": 10,
        "late": 0,
        "ticket": {
            "type": "inquiry",
            "after_days": 10,
            "assign": 130,
            "contact": 180,
            "description": "Which seal kit fits the CP-25 pumps bought in 2019?",
            "resolution": "no_action",
            "satisfaction": "4",
        },
    },
    {
        "days": 70,
        "customer": "class_a",
        "product": "standard_pump",
        "qty": 5,
        "late": -1,
        "short": True,
        "review": 30,
        "ticket": {
            "type": "complaint",
            "after_days": 2,
            "assign": 20,
            "contact": 60,
            "description": "When does the fifth pump arrive?",
            "resolution": "no_action",
            "note": "It ships with the next order, as agreed by phone.",
            "satisfaction": "4",
        },
    },
    {
        "days": 55,
        "customer": "class_b",
        "product": "impeller",
        "qty": 10,
        "late": -2,
        "payment": "released",
        "change": {
            "type": "price",
            "factor": 0.85,
            "reason": "The customer asks 15% off for paying early.",
            "reject": "15% is beyond the contract terms; the contract price stands.",
        },
        "ticket": {
            "type": "complaint",
            "after_days": 5,
            "assign": 70,
            "contact": 100,
            "description": "Two impellers are out of balance tolerance.",
            "resolution": "replacement",
            "satisfaction": "3",
        },
    },
    {
        "days": 45,
        "customer": "class_c",
        "product": "seal",
        "qty": 10,
        "late": 1,
        "payment": "paid",
    },
    {
        "days": 35,
        "customer": "waterworks",
        "product": "standard_pump",
        "qty": 5,
        "late": 0,
        "review": 5,
        "change": {"type": "quantity", "delta": 1, "reason": "One more pump for the new booster station."},
        "ticket": {
            "type": "exchange",
            "after_days": 3,
            "assign": 50,
            "contact": 135,
            "description": "Flanges drilled PN16; the site needs PN10. Exchange two pumps.",
            "resolution": "replacement",
            "satisfaction": "4",
        },
    },
    {
        "days": 25,
        "customer": "farm",
        "product": "impeller",
        "qty": 10,
        "late": -1,
        "ticket": {
            "type": "complaint",
            "after_days": 4,
            "assign": 30,
            "contact": 90,
            "description": "The impellers arrived without their test certificates.",
            "resolution": "no_action",
            "note": "Certificates sent by e-mail.",
            "satisfaction": "5",
        },
    },
]

# Who signs the reviews of a department, when not its newest member (res.groups -> res.users).
REVIEWERS = {"sales_team.group_sale_manager": "base.user_admin"}

# Tickets opened in the last two days, on the orders above (by their index): minutes ago each
# step happened (opened, assigned, first contact, resolved, closed).
OPEN_TICKETS = [
    {
        "order": 10,
        "type": "complaint",
        "state": "new",
        "priority": "1",
        "opened": 10,
        "description": "The pump is noisier than the sample we approved.",
    },
    {
        "order": 11,
        "type": "return",
        "state": "new",
        "opened": 55,
        "quantity": 2,
        "description": "Two impellers were ordered by mistake; the cooperative wants to send them back.",
    },
    {
        "order": 2,
        "type": "exchange",
        "state": "new",
        "opened": 180,
        "description": "Wrong impeller diameter delivered; exchange for the 160 mm version.",
    },
    {
        "order": 3,
        "type": "repair",
        "state": "in_progress",
        "opened": 300,
        "assigned": 280,
        "contact": 240,
        "description": "A seal kit leaks after three weeks of service.",
    },
    {
        "order": 4,
        "type": "installation",
        "state": "assigned",
        "opened": 30,
        "assigned": 25,
        "contact_person": True,
        "description": "Commissioning of the five CP-25 pumps on site.",
    },
    {
        "order": 1,
        "type": "damage",
        "state": "resolved",
        "opened": 1440,
        "assigned": 1350,
        "contact": 1340,
        "resolved": 840,
        "delivery": True,
        "description": "Crate crushed in transit; a pump casing is cracked.",
        "carrier": "Northern Freight",
        "resolution": "replacement",
    },
    {
        "order": 7,
        "type": "missing",
        "state": "closed",
        "opened": 2880,
        "assigned": 2870,
        "contact": 2850,
        "resolved": 2640,
        "closed": 2580,
        "delivery": True,
        "description": "Accessory box missing from the delivery.",
        "resolution": "no_action",
        "satisfaction": "5",
    },
    {
        "order": 9,
        "type": "inquiry",
        "state": "assigned",
        "opened": 100,
        "assigned": 70,
        "contact_person": True,
        "description": "Can the seal kits be stored for two years before use?",
    },
]


class FulfilmentDemo(models.AbstractModel):
    """Plays the demo story of the pump factory (called from the demo XML files)."""

    _name = "fulfilment.demo"
    _description = "Order Fulfilment Demo Story"

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _company(self):
        return self.env.ref("base.main_company")

    @api.model
    def _local(self, days_ago, hour, minute=0):
        """The UTC moment of hour:minute, company time, ``days_ago`` days before today."""
        tz = pytz.timezone(self._company().partner_id.tz or "UTC")
        day = datetime.now(tz).date() - timedelta(days=days_ago)
        local = tz.localize(datetime.combine(day, time(hour, minute)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _backdate(self, records, moment, user=None):
        """Date records and their chatter as if made at ``moment`` (by ``user``, not OdooBot)."""
        if not records:
            return
        self.env.flush_all()
        shift = fields.Datetime.now() - moment
        user_sql = SQL()
        if user:
            user_sql = SQL(", create_uid = %s, write_uid = %s", user.id, user.id)
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET create_date = %s, write_date = %s%s WHERE id IN %s",
                SQL.identifier(records._table),
                moment,
                moment,
                user_sql,
                tuple(records.ids),
            )
        )
        root = self.env.ref("base.partner_root")
        self.env.cr.execute(
            SQL(
                """UPDATE mail_message
                      SET date = date - %s,
                          author_id = CASE WHEN author_id = %s THEN %s ELSE author_id END
                    WHERE model = %s AND res_id IN %s""",
                shift,
                root.id,
                (user.partner_id if user else root).id,
                records._name,
                tuple(records.ids),
            )
        )
        self.env.invalidate_all()

    @api.model
    def _create_as(self, user, model, values):
        """Create a record as ``user`` does (with their rights, in their name); returned as superuser."""
        return self.env[model].with_user(user).create(values).with_env(self.env)

    @api.model
    def _finance(self, records, finance):
        """Records as the finance user acts on them: in their name, reading every order (the
        finance reviewers read only the orders their department reviews)."""
        return records.with_user(finance).sudo()

    @api.model
    def _reviewer(self, review, excluded):
        """Who signs a review: the department's member in the story, other than the requester and
        the salesperson (the sales manager's step of change requests is the administrator's)."""
        for group_xmlid, user_xmlid in REVIEWERS.items():
            user = self.env.ref(user_xmlid)
            if review.group_id == self.env.ref(group_xmlid) and user not in excluded:
                return user
        return self.env["res.users"].search(
            [("groups_id", "in", review.group_id.ids), ("id", "not in", excluded.ids), ("share", "=", False)],
            order="id desc",
            limit=1,
        )

    @api.model
    def _decide_reviews(self, record, requester, reject=None):
        """Every open step of the record's reviews is approved, or the first one rejected."""
        excluded = requester | record._review_order().user_id
        while pending := record._review_current().filtered(lambda r: r.state == "pending"):
            for review in pending:
                reviewer = self._reviewer(review, excluded)
                if reject:
                    review.with_user(reviewer)._decide("rejected", comment=reject)
                    return
                review.with_user(reviewer)._decide("approved", comment="Checked, we can do it.")

    @api.model
    def _date_reviews(self, record, requested_at, hours):
        """Date the current reviews of a record: requested at ``requested_at``, decided over ``hours``."""
        reviews = record._review_current().sorted("sequence")
        decided = reviews.filtered("decision_date")
        for review in reviews:
            values = {"request_date": requested_at}
            if review.deadline:
                values["deadline"] = requested_at + timedelta(hours=review.rule_id.response_hours or hours)
            review.write(values)
        for step, review in enumerate(decided, 1):
            review.write({"decision_date": requested_at + timedelta(hours=hours * step / len(decided))})
        record.write({"review_requested_date": requested_at})
        self._backdate(reviews, requested_at)

    @api.model
    def _request_and_decide(self, record_xmlid, requester_xmlid, decisions=()):
        """Request the review of a record as a user, then decide as other users.

        :param decisions: [(user xml id, "approved" or "rejected", comment)]
        """
        record = self.env.ref(record_xmlid)
        requester = self.env.ref(requester_xmlid)
        record.with_user(requester)._review_request()
        for user_xmlid, decision, comment in decisions:
            user = self.env.ref(user_xmlid)
            reviews = record._review_current().filtered(
                lambda r, user=user: r.state == "pending" and r.group_id in user.groups_id
            )
            reviews.with_user(user)._decide(decision, comment=comment)

    # ------------------------------------------------------------------
    # The story
    # ------------------------------------------------------------------
    @api.model
    def _create_story(self):
        """Six months of the factory, dated from the day the demo is installed."""
        ref = self.env.ref
        people = {
            key: ref(f"order_fulfilment.user_demo_{key}")
            for key in ("salesman", "finance", "director", "aftersales", "production")
        }
        customers = {
            key: ref(f"order_fulfilment.partner_demo_{key}")
            for key in ("waterworks", "farm", "class_a", "class_b", "class_c")
        }
        products = {
            key: ref(f"order_fulfilment.product_demo_{key}")
            for key in ("standard_pump", "impeller", "seal", "pump")
        }
        stock = ref("stock.warehouse0").lot_stock_id
        self.env["stock.quant"]._update_available_quantity(products["standard_pump"], stock, 80)
        _logger.info("Demo story: six months of orders, changes, payments, deliveries and tickets")
        history = [
            self._history_order(index, row, people, customers, products) for index, row in enumerate(HISTORY)
        ]
        tickets = [
            (arrived + timedelta(days=row["ticket"]["after_days"], hours=2), order, picking, row["ticket"])
            for row, (order, picking, arrived) in zip(HISTORY, history, strict=True)
            if row.get("ticket")
        ]
        for opened, order, picking, spec in sorted(tickets, key=lambda ticket: ticket[0]):
            self._history_ticket(order, picking, spec, opened, people["aftersales"])
        orders = [order for order, _picking, _arrived in history]
        _logger.info("Demo story: rush orders in production")
        self._rush_orders(people, customers, products)
        _logger.info("Demo story: orders waiting for payment, open change requests")
        self._open_orders(people, customers, products)
        _logger.info("Demo story: open after-sales tickets")
        self._open_tickets(orders, people)

    @api.model
    def _history_order(self, index, row, people, customers, products):
        """One order of the history: placed, reviewed, confirmed, changed, paid, delivered."""
        salesman, finance = people["salesman"], people["finance"]
        placed = self._local(row["days"], 9, 30)
        promised = placed + timedelta(days=10)
        order = self._create_as(
            salesman,
            "sale.order",
            {
                "partner_id": customers[row["customer"]].id,
                "user_id": salesman.id,
                "commitment_date": promised,
                "client_order_ref": f"PO-{2400 + index}",
                "order_line": [
                    Command.create({"product_id": products[row["product"]].id, "product_uom_qty": row["qty"]})
                ],
            },
        )
        if row.get("review"):
            requested = placed - timedelta(hours=row["review"] + 2)
            order.with_user(salesman)._review_request()
            self._decide_reviews(order, salesman)
            self._date_reviews(order, requested, row["review"])
        order.with_user(salesman).action_confirm()
        if row.get("change"):
            self._history_change(order, row["change"], placed + timedelta(days=1), people)
        invoice = self.env["account.move"]
        if row.get("payment"):
            invoice = self._invoice(order, placed + timedelta(hours=2), finance)
            if row["payment"] == "paid":
                self._pay(invoice, placed + timedelta(days=2), finance)
            else:
                self._finance(order, finance).action_release_delivery()
                order.write({"fulfilment_released_date": placed + timedelta(days=1)})
        arrived = promised + timedelta(days=row["late"])
        picking = self._deliver(order, arrived, row.get("short"))
        if invoice and row["payment"] == "released":
            self._pay(invoice, arrived + timedelta(days=5), finance)
        order.write({"date_order": placed})
        self._backdate(order, placed - timedelta(hours=row.get("review", 0) + 3), salesman)
        self._backdate(picking, placed + timedelta(hours=1))
        return order, picking, arrived

    @api.model
    def _deliver(self, order, arrived, short=False):
        """Ship the order (a quarter short when ``short``); it arrives at ``arrived``."""
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "done"
        )
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty - (move.product_uom_qty // 4 if short else 0)
        picking.move_ids.picked = True
        if short:
            picking.short_shipment_consent = (
                "Mr. Zhao agreed by phone to receive the rest with the next order."
            )
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids).button_validate()
        picking.write({"date_done": arrived - timedelta(hours=4)})
        return picking

    @api.model
    def _invoice(self, order, moment, finance):
        """Finance invoices the order and posts the invoice, dated ``moment``."""
        invoice = self._finance(order, finance)._create_invoices().with_env(self.env)
        invoice.write({"invoice_date": moment.date()})
        self._finance(invoice, finance).action_post()
        self._backdate(invoice, moment, finance)
        return invoice

    @api.model
    def _pay(self, invoice, moment, finance):
        """The customer pays the invoice in full on ``moment``; finance registers it."""
        payments = (
            self.env["account.payment.register"]
            .with_user(finance)
            .sudo()
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": moment.date()})
            ._create_payments()
        )
        self._backdate(payments, moment, finance)

    @api.model
    def _change_request(self, order, change, salesman):
        """A change request of the salesman on the order (a draft)."""
        values = {"order_id": order.id, "change_type": change["type"], "reason": change["reason"]}
        if change["type"] == "date":
            values["new_commitment_date"] = order.commitment_date + timedelta(days=change["days"])
        if change["type"] in ("date", "cancel"):
            letter = self._create_as(
                salesman, "ir.attachment", {"name": "customer-request.txt", "raw": change["letter"].encode()}
            )
            values["customer_document_ids"] = [Command.set(letter.ids)]
        request = self._create_as(salesman, "fulfilment.change.request", values)
        line = request.line_ids[:1].with_user(salesman)
        if change["type"] == "quantity":
            line.new_qty = line.old_qty + change["delta"]
        elif change["type"] == "price":
            line.new_price_unit = float_round(line.old_price_unit * change["factor"], precision_digits=2)
        return request

    @api.model
    def _history_change(self, order, change, moment, people):
        """A change request submitted the day after the order, then approved and applied, or rejected."""
        salesman = people["salesman"]
        request = self._change_request(order, change, salesman)
        request.with_user(salesman).action_submit()
        self._decide_reviews(request, salesman, reject=change.get("reject"))
        submitted = moment + timedelta(minutes=10)
        self._date_reviews(request, submitted, 0.5)
        values = {"submitted_date": submitted, "response_deadline": submitted + timedelta(minutes=30)}
        if request.state == "approved":
            request.with_user(salesman).action_apply()
            values.update(applied_date=moment + timedelta(hours=1))
        request.write(values)
        self._backdate(request, moment, salesman)

    @api.model
    def _ticket_values(self, order, spec, agent):
        partner = order.partner_id
        if spec.get("contact_person") and partner.child_ids:
            partner = partner.child_ids[:1]
        line = order.order_line[:1]
        values = {
            "partner_id": partner.id,
            "order_id": order.id,
            "product_id": line.product_id.id,
            "ticket_type": spec["type"],
            "description": spec["description"],
            "priority": spec.get("priority", "0"),
            "user_id": agent.id if spec.get("state", "closed") != "new" else False,
            "resolution": spec.get("resolution", False),
            "resolution_note": spec.get("note", False),
            "satisfaction": spec.get("satisfaction", False),
        }
        if spec.get("quantity"):
            values["quantity"] = spec["quantity"]
        if spec.get("carrier"):
            values.update(carrier_name=spec["carrier"], carrier_claim_ref=f"NF-{order.name[-4:]}")
        return values

    @api.model
    def _history_ticket(self, order, picking, spec, opened, agent):
        """A ticket opened after the delivery, assigned and answered within the service times or
        not, then resolved and closed."""
        values = self._ticket_values(order, spec, agent)
        values.update(
            picking_id=picking.id if spec["type"] in ("damage", "missing") else False,
            state="closed",
            opened_date=opened,
            assigned_date=opened + timedelta(minutes=spec["assign"]),
            first_contact_date=opened + timedelta(minutes=spec["contact"]),
            resolved_date=opened + timedelta(days=2),
            closed_date=opened + timedelta(days=3),
        )
        ticket = self.env["fulfilment.ticket"].create(values)
        company = ticket.company_id
        # Old breaches were escalated when they happened: the SLA pass has nothing left to tell.
        ticket.write(
            {
                "assign_escalated": spec["assign"] > company.aftersales_assign_minutes,
                "contact_escalated": spec["contact"] > company.aftersales_contact_minutes,
            }
        )
        self._backdate(ticket, opened, agent)

    @api.model
    def _rush_orders(self, people, customers, products):
        """Rush orders in production: one due tomorrow (at risk), one next month."""
        salesman = people["salesman"]
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        for partner, days, reason in (
            (customers["waterworks"], 1, "Burst main at the Harbin pumping station."),
            (customers["class_a"], 30, "Replacement for a flooded station before the rainy season."),
        ):
            order = self._create_as(
                salesman,
                "sale.order",
                {
                    "partner_id": partner.id,
                    "user_id": salesman.id,
                    "commitment_date": self._local(-days, 17),
                    "is_rush": True,
                    "rush_reason": reason,
                    "order_line": [Command.create({"product_id": products["pump"].id, "product_uom_qty": 2})],
                },
            )
            order.with_user(salesman)._review_request()
            self._decide_reviews(order, salesman)
            self._date_reviews(order, now - timedelta(hours=5), 2)
            order.with_user(salesman).action_confirm()

    @api.model
    def _open_orders(self, people, customers, products):
        """Confirmed orders of class B and C customers: two wait for payment, one is paid, one was
        released by finance before payment; change requests open on them."""
        salesman, finance = people["salesman"], people["finance"]
        contact = customers["class_c"].child_ids[:1] or customers["class_c"]
        specs = [
            # (customer, product, quantity, placed days ago, payment, change request)
            (
                customers["class_b"],
                "standard_pump",
                2,
                3,
                "waiting",
                {
                    "type": "date",
                    "days": 7,
                    "reason": "The customer's site is not ready.",
                    "letter": "Please deliver our order one week later.",
                    "submit": True,
                },
            ),
            (
                contact,
                "impeller",
                20,
                1,
                "waiting",
                {
                    "type": "cancel",
                    "reason": "The customer's project was stopped.",
                    "letter": "Our project is stopped; please cancel the order.",
                    "withdraw": True,
                },
            ),
            (
                customers["class_c"],
                "seal",
                30,
                6,
                "paid",
                {"type": "quantity", "delta": 10, "reason": "The customer needs ten more seal kits."},
            ),
            (
                customers["class_b"],
                "pump",
                1,
                8,
                "released",
                {
                    "type": "price",
                    "factor": 0.95,
                    "reason": "Price agreed at the annual contract review.",
                    "submit": True,
                },
            ),
        ]
        for partner, product, qty, days, payment, change in specs:
            placed = self._local(days, 10)
            order = self._create_as(
                salesman,
                "sale.order",
                {
                    "partner_id": partner.id,
                    "user_id": salesman.id,
                    "commitment_date": self._local(days - 14, 17),
                    "order_line": [
                        Command.create({"product_id": products[product].id, "product_uom_qty": qty})
                    ],
                },
            )
            order.with_user(salesman).action_confirm()
            invoice = self._invoice(order, placed + timedelta(hours=1), finance)
            if payment == "paid":
                self._pay(invoice, placed + timedelta(days=4), finance)
            elif payment == "released":
                self._finance(order, finance).action_release_delivery()
                order.write({"fulfilment_released_date": placed + timedelta(days=1)})
            order.write({"date_order": placed})
            self._backdate(order, placed - timedelta(hours=1), salesman)
            request = self._change_request(order, change, salesman)
            moment = fields.Datetime.now() - timedelta(hours=days + 2)
            if change.get("submit"):
                request.with_user(salesman).action_submit()
                submitted = moment + timedelta(minutes=10)
                self._date_reviews(request, submitted, 0.5)
                request.write(
                    {"submitted_date": submitted, "response_deadline": submitted + timedelta(minutes=30)}
                )
            elif change.get("withdraw"):
                request.with_user(salesman).action_cancel()
            self._backdate(request, moment, salesman)

    @api.model
    def _open_tickets(self, orders, people):
        """Tickets of the last two days in every state, each on a delivered order."""
        agent = people["aftersales"]
        now = fields.Datetime.now()
        Ticket = self.env["fulfilment.ticket"]
        for spec in OPEN_TICKETS:
            order = orders[spec["order"]]
            values = self._ticket_values(order, spec, agent)

            values.update(
                {
                    "state": spec["state"],
                    **{
                        field: now - timedelta(minutes=spec[key]) if spec.get(key) else False
                        for key, field in (
                            ("opened", "opened_date"),
                            ("assigned", "assigned_date"),
                            ("contact", "first_contact_date"),
                            ("resolved", "resolved_date"),
                            ("closed", "closed_date"),
                        )
                    },
                }
            )
            if spec.get("delivery"):
                values["picking_id"] = order.picking_ids.filtered(
                    lambda p: p.picking_type_code == "outgoing"
                )[:1].id
            ticket = Ticket.create(values)
            self._backdate(ticket, values["opened_date"], agent)
