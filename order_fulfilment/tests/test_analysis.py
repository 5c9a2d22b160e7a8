from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import FulfilmentCase


@tagged("post_install", "-at_install")
class TestFulfilmentAnalysis(FulfilmentCase):
    """The analysis figures against a hand-built set of orders with known outcomes.

    March 2026 (all promised for March 5):
      - ON: shipped March 4, in full          -> on time in full, 0 days late
      - LATE: shipped March 7, in full        -> late, 2 days late
      - SHORT: 6 of 10 shipped March 4, the rest cancelled -> not in full, 0 days late
      - OPEN: confirmed, nothing shipped      -> not counted in the rate
    April 2026: APRIL shipped April 9, promised April 10 (class B customer) -> on time.
    A cancelled order never appears.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Analysis = cls.env["fulfilment.analysis"]
        cls.TicketAnalysis = cls.env["fulfilment.ticket.analysis"]
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Dalian Irrigation", "is_company": True, "fulfilment_customer_class": "B"}
        )
        # Class B customers ship once paid, or once finance releases the delivery.
        cls.finance = new_test_user(
            cls.env,
            login="of_an_finance_release",
            groups="sales_team.group_sale_salesman_all_leads,order_fulfilment.group_review_finance",
            name="Fiona Finance",
        )
        cls.pump_category = cls.env["product.category"].create({"name": "Pumps (analysis)"})
        cls.stocked.categ_id = cls.pump_category
        cls.other_salesman = new_test_user(
            cls.env, login="of_an_sales2", groups="sales_team.group_sale_salesman", name="Otto Other"
        )
        cls.sales_manager = new_test_user(
            cls.env, login="of_an_manager", groups="sales_team.group_sale_manager", name="Mia Manager"
        )
        promised = datetime(2026, 3, 5, 9, 0)
        with freeze_time("2026-03-02 09:00:00"):
            cls.on_time = cls._confirmed(10, commitment_date=promised)
            cls.late = cls._confirmed(10, commitment_date=promised)
            cls.short = cls._confirmed(10, commitment_date=promised, user=cls.other_salesman)
            cls.open = cls._confirmed(10, commitment_date=promised)
            cls.cancelled = cls._confirmed(3, commitment_date=promised)
            cls.cancelled._action_cancel()
        with freeze_time("2026-03-04 10:00:00"):
            cls._ship(cls.on_time)
            cls._ship(cls.short, qty=6, backorder=False)
        with freeze_time("2026-03-07 10:00:00"):
            cls._ship(cls.late)
        with freeze_time("2026-04-01 09:00:00"):
            cls.april = cls._confirmed(2, partner=cls.customer_b, commitment_date=datetime(2026, 4, 10, 9, 0))
            cls.april.with_user(cls.finance).action_release_delivery()
        with freeze_time("2026-04-09 10:00:00"):
            cls._ship(cls.april)
        cls.orders = cls.on_time | cls.late | cls.short | cls.open | cls.cancelled | cls.april
        cls.domain = [("order_id", "in", cls.orders.ids)]

    @classmethod
    def _confirmed(cls, qty, **values):
        order = cls._create_order([(cls.stocked, qty, 50.0)], **values)
        order.action_confirm()
        return order

    def _row(self, order):
        return self.Analysis.search([("order_id", "=", order.id)])

    def _groups(self, groupby, aggregates, domain=None):
        return self.Analysis._read_group(domain or self.domain, [groupby], aggregates)

    def test_per_order_figures(self):
        self.assertFalse(self._row(self.cancelled), "Cancelled orders are left out")
        expected = {
            # order: (delivered, otif, days late)
            self.on_time: (1, 1, 0),
            self.late: (1, 0, 2),
            self.short: (1, 0, 0),
            self.april: (1, 1, 0),
        }
        for order, (delivered, otif, days_late) in expected.items():
            row = self._row(order)
            self.assertEqual(
                (row.delivered_count, row.otif_count, row.days_late), (delivered, otif, days_late), order.name
            )
            self.assertEqual(row.otif_rate, 100.0 * otif, order.name)
            self.assertEqual(row.delivered_date, order.fulfilment_delivered_date)
        open_row = self._row(self.open)
        self.assertEqual((open_row.delivered_count, open_row.otif_count), (0, 0))
        self.assertFalse(open_row.delivered_date)
        self.assertFalse(open_row.days_late, "Nothing shipped: no days late yet")
        self.assertEqual(self._row(self.short).categ_id, self.pump_category)
        self.assertEqual(self._row(self.april).customer_class, "B")
        # The order records agree: the short order is complete but not in full.
        self.assertTrue(self.short.fulfilment_delivery_closed)
        self.assertFalse(self.short.fulfilment_fully_delivered)
        self.assertEqual(self.late.fulfilment_days_late, 2)

    def test_rate_by_month(self):
        rows = {
            month.month: (count, rate, late)
            for month, count, rate, late in self._groups(
                "delivered_date:month",
                ["delivered_count:sum", "otif_rate:avg", "days_late:avg"],
                self.domain + [("delivered_count", "=", 1)],
            )
        }
        self.assertEqual(set(rows), {3, 4})
        count, rate, late = rows[3]
        self.assertEqual(count, 3)
        self.assertAlmostEqual(rate, 100.0 / 3, places=2, msg="1 of 3 March orders on time in full")
        self.assertAlmostEqual(late, 2.0 / 3, places=2)
        self.assertEqual(rows[4][:2], (1, 100.0))
        # Without the "delivered" filter, the open order does not dilute the rate.
        all_rows = dict(self._groups("state", ["otif_rate:avg"]))
        self.assertAlmostEqual(all_rows["sale"], 50.0, places=2, msg="2 of 4 delivered orders")

    def test_group_by_customer_class_salesperson_and_category(self):
        by_class = dict(self._groups("customer_class", ["otif_rate:avg"]))
        self.assertAlmostEqual(by_class["A"], 100.0 / 3, places=2)
        self.assertEqual(by_class["B"], 100.0)
        by_user = {
            user: (orders, rate)
            for user, orders, rate in self._groups("user_id", ["order_count:sum", "otif_rate:avg"])
        }
        self.assertEqual(by_user[self.salesman], (4, 100.0 * 2 / 3))
        self.assertEqual(by_user[self.other_salesman], (1, 0.0))
        by_category = dict(self._groups("categ_id", ["order_count:sum"]))
        self.assertEqual(by_category[self.pump_category], 5)
        by_partner = dict(self._groups("partner_id", ["order_count:sum"]))
        self.assertEqual(by_partner[self.customer_b], 1)

    def test_review_lead_time(self):
        rule = self.env["fulfilment.review.rule"].create(
            {
                "name": "Finance review (analysis)",
                "group_id": self.env.ref("order_fulfilment.group_review_finance").id,
                "min_amount": 100000,
            }
        )
        reviewer = new_test_user(
            self.env, login="of_an_finance", groups="order_fulfilment.group_review_finance", name="Fay"
        )
        with freeze_time("2026-05-04 09:00:00"):
            order = self._create_order([(self.pump, 200, 1000.0)])
            order.with_user(self.salesman).action_request_review()
        with freeze_time("2026-05-04 14:30:00"):
            order.review_ids.filtered(lambda r: r.rule_id == rule).with_user(reviewer).action_approve()
        self.assertEqual(order.review_state, "approved")
        self.assertAlmostEqual(self._row(order).review_lead_hours, 5.5, places=3)
        self.assertFalse(self._row(self.on_time).review_lead_hours, "No review, no lead time")

    def test_change_type_counts_follow_the_selection(self):
        """One count per value of the change_type selection, the one list of change types."""
        selection = self.env["fulfilment.change.request"]._fields["change_type"].selection
        columns = self.Analysis._change_type_columns()
        self.assertEqual(columns, [(code, f"change_{code}_count") for code, __ in selection])
        # n requests of the n-th type (as the requests would be once submitted).
        Request = self.env["fulfilment.change.request"].sudo()
        for count, (code, __) in enumerate(selection, start=1):
            requests = Request.create(
                [{"order_id": self.open.id, "reason": "Counted", "change_type": code} for __ in range(count)]
            )
            requests.write({"state": "submitted"})
        row = self._row(self.open)
        self.assertEqual([row[column] for __, column in columns], list(range(1, len(selection) + 1)))
        self.assertEqual(row.change_request_count, sum(range(1, len(selection) + 1)))

    def test_change_requests_and_tickets(self):
        Request = self.env["fulfilment.change.request"].with_user(self.salesman)
        self.env["fulfilment.review.rule"].search([("applies_to", "=", "change_request")]).active = False
        values = {"order_id": self.open.id, "reason": "Customer asked"}
        quantity = Request.create({**values, "change_type": "quantity"})
        quantity.line_ids.filtered(lambda line: line.sale_line_id).new_qty = 12
        quantity.action_submit()
        letter = self.env["ir.attachment"].create({"name": "letter.txt", "raw": b"Please deliver in June."})
        date = Request.create(
            {
                **values,
                "change_type": "date",
                "new_commitment_date": datetime.now() + timedelta(days=30),
                "customer_document_ids": [Command.set(letter.ids)],
            }
        )
        date.action_submit()
        Request.create({**values, "change_type": "price"})  # a draft: not counted
        agent = new_test_user(
            self.env, login="of_an_agent", groups="order_fulfilment.group_aftersales_user", name="Alan"
        )
        self.company.write(
            {
                "aftersales_assign_minutes": 60,
                "aftersales_contact_minutes": 120,
                "fulfilment_sla_use_calendar": False,
            }
        )
        # The assign and contact targets only: met once the customer is contacted in time.
        self.env["fulfilment.sla.policy"].search([]).active = False
        Ticket = self.env["fulfilment.ticket"].with_user(agent)
        start = datetime(2026, 5, 4, 8, 0)
        with freeze_time(start):
            met = Ticket.create(
                {"partner_id": self.customer.id, "order_id": self.late.id, "ticket_type": "complaint"}
            )
            late = Ticket.create(
                {"partner_id": self.customer.id, "order_id": self.late.id, "ticket_type": "repair"}
            )
        with freeze_time(start + timedelta(minutes=30)):
            met.action_assign()
        with freeze_time(start + timedelta(minutes=100)):
            met.action_contact()
            late.action_assign()
        self.assertEqual((met.sla_state, late.sla_state), ("met", "breached"))

        row = self._row(self.open)
        self.assertEqual(
            (
                row.change_request_count,
                row.change_quantity_count,
                row.change_date_count,
                row.change_price_count,
            ),
            (2, 1, 1, 0),
        )
        late_row = self._row(self.late)
        self.assertEqual((late_row.ticket_count, late_row.ticket_breached_count), (2, 1))

        # SLA compliance by type and agent.
        tickets = met | late
        by_type = dict(
            self.TicketAnalysis._read_group(
                [("ticket_id", "in", tickets.ids)], ["ticket_type"], ["sla_met_rate:avg"]
            )
        )
        self.assertEqual(by_type, {"complaint": 100.0, "repair": 0.0})
        by_agent = self.TicketAnalysis._read_group(
            [("ticket_id", "in", tickets.ids)], ["user_id"], ["sla_met_rate:avg", "breached_count:sum"]
        )
        self.assertEqual(by_agent, [(agent, 50.0, 1)])
        self.assertAlmostEqual(
            self.TicketAnalysis.search([("ticket_id", "=", met.id)]).assign_minutes, 30.0, places=3
        )

    def test_access_and_company(self):
        self.assertTrue(self.Analysis.with_user(self.sales_manager).search_count(self.domain))
        with self.assertRaises(AccessError):
            self.Analysis.with_user(self.salesman).search(self.domain)
        other = self.env["res.company"].create({"name": "Other Pumps Ltd"})
        self.sales_manager.write({"company_ids": [(4, other.id)], "company_id": other.id})
        self.assertFalse(
            self.Analysis.with_user(self.sales_manager)
            .with_context(allowed_company_ids=[other.id])
            .search(self.domain),
            "The orders of another company stay out",
        )

    def test_views_open(self):
        action = self.env.ref("order_fulfilment.fulfilment_analysis_action")
        self.assertEqual(action.view_mode.split(",")[0], "graph", "The default view is the rate graph")
        for model in ("fulfilment.analysis", "fulfilment.ticket.analysis"):
            for view_type in ("graph", "pivot", "list", "search"):
                self.env[model].get_view(view_type=view_type)
        graph = self.env["fulfilment.analysis"].get_view(view_type="graph")["arch"]
        self.assertIn('type="line"', graph)
        self.assertIn('name="otif_rate"', graph)
