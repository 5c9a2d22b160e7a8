import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare

from ..tools.checks import raise_if_any
from ..tools.orm import lock_rows

# Computed as superuser: finance reads what is still due without rights on the invoices.
PAYMENT = {"compute": "_compute_fulfilment_payment", "compute_sudo": True}
# Stored, for the fulfilment analysis and the on-time-in-full searches.
DELIVERY = {"compute": "_compute_fulfilment_delivery", "store": True}


class SaleOrder(models.Model):
    """Release and delivery controls: payment release, short shipments, on time in full."""

    _inherit = "sale.order"

    fulfilment_customer_class = fields.Selection(
        related="partner_id.commercial_partner_id.fulfilment_customer_class",
        string="Customer Class",
        store=True,
        index=True,
    )
    delivery_released = fields.Boolean(
        compute="_compute_delivery_released",
        store=True,
        index=True,
        help="Deliveries of this order may be validated: the customer is class A, the invoices "
        "are paid and cover the order, or finance released it.",
    )
    fulfilment_released_by_id = fields.Many2one(
        "res.users", "Delivery Released By", copy=False, readonly=True, index="btree_not_null"
    )
    fulfilment_released_date = fields.Datetime("Delivery Released Date", copy=False, readonly=True)
    fulfilment_amount_due = fields.Monetary(
        "Amount Due",
        help="The order total less what the customer has paid on its invoices, net of refunds.",
        **PAYMENT,
    )
    fulfilment_invoice_refs = fields.Char(
        "Invoice Numbers", help="The posted invoices and credit notes of the order.", **PAYMENT
    )
    fulfilment_fully_delivered = fields.Boolean(
        "Fully Delivered",
        help="Every product line is delivered in full and no delivery is left open.",
        **DELIVERY,
    )
    fulfilment_delivered_date = fields.Datetime(
        "Delivered On",
        help="When the last delivery arrived: its proof of delivery date, or the date it was "
        "validated when there is no proof of delivery.",
        **DELIVERY,
    )
    on_time_in_full = fields.Boolean(
        help="Set once everything is delivered: everything arrived in full by the commitment "
        "date (or the expected date when there is no commitment date).",
        **DELIVERY,
    )
    fulfilment_delivery_closed = fields.Boolean(
        "Delivery Complete",
        help="Nothing is left to ship: at least one delivery is done and the others are done or "
        "cancelled, in full or short.",
        **DELIVERY,
    )
    fulfilment_days_late = fields.Integer(
        "Days Late",
        help="Once nothing is left to ship: the days between the commitment date (or the expected "
        "date) and the last arrival, 0 when on time.",
        **DELIVERY,
    )

    @api.depends(
        "fulfilment_customer_class",
        "amount_total",
        "fulfilment_released_by_id",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.payment_state",
        "order_line.invoice_lines.move_id.amount_total",
    )
    def _compute_delivery_released(self):
        for order in self:
            order.delivery_released = (
                order.fulfilment_customer_class == "A"
                or bool(order.fulfilment_released_by_id)
                or order._fulfilment_invoices_cover_order()
            )

    @api.depends(
        "amount_total",
        "currency_id",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.amount_total",
        "order_line.invoice_lines.move_id.amount_residual",
    )
    def _compute_fulfilment_payment(self):
        today = fields.Date.context_today(self)
        for order in self:
            invoices = order._fulfilment_posted_invoices()
            paid = sum(
                move.currency_id._convert(
                    move.amount_total - move.amount_residual,
                    order.currency_id,
                    order.company_id,
                    move.invoice_date or today,
                )
                * (1 if move.move_type == "out_invoice" else -1)
                for move in invoices
            )
            order.fulfilment_amount_due = max(order.amount_total - paid, 0.0)
            order.fulfilment_invoice_refs = ", ".join(invoices.sorted("id").mapped("name"))

    def _fulfilment_posted_invoices(self):
        """The posted customer invoices and credit notes of the order."""
        self.ensure_one()
        return self.order_line.invoice_lines.move_id.filtered(
            lambda move: move.state == "posted" and move.move_type in ("out_invoice", "out_refund")
        )

    def _fulfilment_invoices_cover_order(self):
        """Every posted customer invoice is paid and, net of credit notes, they cover the order."""
        self.ensure_one()
        invoices = self._fulfilment_posted_invoices()
        customer_invoices = invoices.filtered(lambda move: move.move_type == "out_invoice")
        if not customer_invoices or any(
            move.payment_state not in ("paid", "in_payment") for move in customer_invoices
        ):
            return False
        today = fields.Date.context_today(self)
        invoiced = sum(
            move.currency_id._convert(
                move.amount_total, self.currency_id, self.company_id, move.invoice_date or today
            )
            * (1 if move.move_type == "out_invoice" else -1)
            for move in invoices
        )
        return float_compare(invoiced, self.amount_total, precision_rounding=self.currency_id.rounding) >= 0

    @api.constrains("fulfilment_released_by_id", "fulfilment_released_date")
    def _check_delivery_release_rights(self):
        # Only action_release_delivery() (which writes as superuser) or finance may set these.
        if self.env.su or self.env.user.has_group("order_fulfilment.group_review_finance"):
            return
        raise AccessError(self._fulfilment_release_refused_message())

    def _fulfilment_release_refused_message(self):
        group = self.env.ref("order_fulfilment.group_review_finance")
        return self.env._(
            "Only members of the group %(group)s can release the delivery of order %(orders)s.",
            group=group.name,
            orders=", ".join(self.mapped("name")),
        )

    def action_release_delivery(self):
        """Finance lets the deliveries of these orders ship before payment.

        Finance reads the orders waiting for payment through its own record rule, without
        sales rights: only the orders it may read are released, and the release itself is
        written as superuser (finance has no write access on orders).
        """
        if not self.env.user.has_group("order_fulfilment.group_review_finance"):
            raise AccessError(self._fulfilment_release_refused_message())
        self.check_access("read")
        raise_if_any(
            self.filtered(lambda order: order.state == "cancel"),
            lambda orders: self.env._(
                "Order %(orders)s is cancelled: there is no delivery to release.", orders=orders
            ),
            field="name",
        )
        if not self:
            return True
        # Lock the orders so that a double click or a concurrent call releases only once.
        lock_rows(self)
        to_release = self.filtered(lambda order: not order.delivery_released)
        if not to_release:
            return True
        now = fields.Datetime.now()
        to_release.sudo().write({"fulfilment_released_by_id": self.env.uid, "fulfilment_released_date": now})
        to_release.sudo()._fulfilment_log(
            lambda order: order.env._(
                "Delivery released before payment by %(user)s.", user=self.env.user.name
            ),
            author_id=self.env.user.partner_id.id,
        )
        return True

    @api.model
    def _fulfilment_delivery_touch(self, move_lines):
        """Recompute the delivery figures of the confirmed orders of these move lines when they
        are done: a done quantity edited in an unlocked transfer changes what was delivered
        without changing the transfer's status."""
        done = move_lines.filtered(lambda line: line.state == "done")
        if not done:
            return
        done = done.sudo()
        orders = (done.move_id.sale_line_id.order_id | done.picking_id.sale_id).filtered(
            lambda order: order.state == "sale"
        )
        if not orders:
            return
        for field in self.pool.field_computed[self._fields["fulfilment_delivery_closed"]]:
            self.env.add_to_compute(field, orders.with_env(self.env))

    def _fulfilment_delivery_lines(self):
        """The lines that ship: goods, not notes, down payments or delivery charges."""
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and line.product_id.type == "consu"
                and not line._is_delivery()
                and line.product_uom_qty > 0
            )
        )

    def _fulfilment_local_date(self, value):
        tz = pytz.timezone(self.user_id.tz or self.company_id.partner_id.tz or "UTC")
        return pytz.utc.localize(value).astimezone(tz).date()

    # Not on the lines' delivered quantities: they follow every stock move of the order, and
    # confirming or reserving would walk to the order each time. They change with the status of
    # the order's transfers, except when a done quantity is edited in an unlocked transfer:
    # _fulfilment_delivery_touch() asks for the recomputation then.
    @api.depends(
        "state",
        "commitment_date",
        "order_line.product_uom_qty",
        "picking_ids.state",
        "picking_ids.date_done",
        "picking_ids.fulfilment_pod_date",
    )
    def _compute_fulfilment_delivery(self):
        for order in self:
            lines = order._fulfilment_delivery_lines()
            deliveries = order.picking_ids.filtered(
                lambda picking: picking.picking_type_code == "outgoing" and not picking.return_id
            )
            done = deliveries.filtered(lambda picking: picking.state == "done")
            closed = (
                order.state == "sale"
                and bool(lines)
                and bool(done)
                and all(picking.state in ("done", "cancel") for picking in deliveries)
            )
            fully = closed and all(
                float_compare(
                    line.qty_delivered, line.product_uom_qty, precision_rounding=line.product_uom.rounding
                )
                >= 0
                for line in lines
            )
            delivered_date = closed and max(
                picking.fulfilment_pod_date or picking.date_done for picking in done
            )
            deadline = order.commitment_date or order.expected_date
            days_late = 0
            if closed and deadline:
                days_late = max(
                    0,
                    (
                        order._fulfilment_local_date(delivered_date) - order._fulfilment_local_date(deadline)
                    ).days,
                )
            order.fulfilment_delivery_closed = closed
            order.fulfilment_fully_delivered = fully
            order.fulfilment_delivered_date = delivered_date or False
            order.fulfilment_days_late = days_late
            order.on_time_in_full = bool(fully and deadline and not days_late)
