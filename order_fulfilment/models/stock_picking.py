from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import float_compare

from ..tools.checks import raise_if_any
from ..tools.orm import compute_saved_state, lock_rows, saved_state_field
from .fulfilment_ticket_source_mixin import TICKET_GROUPS
from .mail_thread import SENDER_FALLBACK


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "fulfilment.ticket.source.mixin"]
    _fulfilment_ticket_field = "picking_id"
    _fulfilment_ticket_one2many = "fulfilment_ticket_ids"

    # ------------------------------------------------------------------
    # Rush orders
    # ------------------------------------------------------------------
    fulfilment_is_rush = fields.Boolean(
        "Rush",
        index="btree_not_null",
        readonly=True,
        help="Belongs to a rush order: shipped before other orders.",
    )

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    fulfilment_current_state = saved_state_field(
        "stock.picking",
        "The status of the saved transfer, also while a change request that lists it is not saved yet.",
    )
    _compute_fulfilment_current_state = compute_saved_state

    # ------------------------------------------------------------------
    # Release and delivery controls
    # ------------------------------------------------------------------
    fulfilment_pod_date = fields.Datetime(
        "Proof of Delivery Date",
        copy=False,
        readonly=True,
        index=True,
        tracking=True,
        help="When the customer signed the proof of delivery.",
    )
    fulfilment_pod_attachment_id = fields.Many2one(
        "ir.attachment", "Signed Proof of Delivery", copy=False, readonly=True
    )
    fulfilment_pod_missing = fields.Boolean(
        "Missing Proof of Delivery",
        compute="_compute_fulfilment_pod_missing",
        search="_search_fulfilment_pod_missing",
        help="Delivered longer ago than the company allows, and no signed proof of delivery yet.",
    )
    fulfilment_pod_reminded = fields.Boolean(copy=False, readonly=True)
    short_shipment_consent = fields.Text(
        "Customer Consent to Ship Short",
        copy=False,
        tracking=True,
        help="Who at the customer agreed to receive less than ordered, and how (phone, e-mail, ...). "
        "Needed to validate a delivery short when the company asks for consent.",
    )
    fulfilment_short_shipped = fields.Boolean(
        "Short Shipped",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="This delivery was validated with less than its demand.",
    )

    def _fulfilment_is_delivery(self):
        """An outgoing delivery, not a return."""
        self.ensure_one()
        return (
            self.picking_type_code == "outgoing"
            and not self.return_id
            and not any(self.move_ids.mapped("origin_returned_move_id"))
        )

    def _fulfilment_check_release(self):
        # Stock users may not read the order (own-documents rules): the gate reads it as superuser.
        unreleased = self.sudo().filtered(
            lambda picking: (
                picking.state not in ("done", "cancel")
                and picking.sale_id
                and not picking.sale_id.delivery_released
                and picking._fulfilment_is_delivery()
            )
        )
        if unreleased:
            group = self.env.ref("order_fulfilment.group_review_finance")
            raise UserError(
                self.env._(
                    "Delivery %(pickings)s cannot be validated: order %(orders)s is waiting for payment. "
                    "Register the customer's payment on the invoice, or ask a member of %(group)s to "
                    "release the delivery on the order.",
                    pickings=", ".join(unreleased.mapped("name")),
                    orders=", ".join(unreleased.sale_id.mapped("name")),
                    group=group.name,
                )
            )

    def _fulfilment_short_pickings(self):
        """Outgoing deliveries about to be validated with less than their demand."""
        short = self.browse()
        for picking in self:
            if picking.state in ("done", "cancel") or not picking._fulfilment_is_delivery():
                continue
            for move in picking.move_ids:
                if move.state in ("done", "cancel") or move.scrapped:
                    continue
                rounding = move.product_uom.rounding
                if (move.product_uom_qty and not move.picked) or float_compare(
                    move._get_picked_quantity(), move.product_uom_qty, precision_rounding=rounding
                ) < 0:
                    short |= picking
                    break
        return short

    def _fulfilment_check_short_consent(self, short):
        raise_if_any(
            short.filtered(
                lambda picking: (
                    picking.company_id.fulfilment_require_short_consent
                    and not (picking.short_shipment_consent or "").strip()
                )
            ),
            lambda pickings: self.env._(
                "Delivery %(pickings)s ships less than ordered. Record the customer's consent "
                "(who agreed, and how) in 'Customer Consent to Ship Short', or ship the full quantity.",
                pickings=pickings,
            ),
            field="name",
        )

    def button_validate(self):
        self.filtered(lambda picking: picking.state != "done")._fulfilment_check_release()
        return super().button_validate()

    def _pre_action_done_hook(self):
        res = super()._pre_action_done_hook()
        # After Odoo marked the moves picked, and before the backorder wizard opens.
        self._fulfilment_check_short_consent(self._fulfilment_short_pickings())
        return res

    def _action_done(self):
        # Every validation ends here (button, backorder wizard, RPC, other modules).
        self._fulfilment_check_release()
        short = self._fulfilment_short_pickings()
        self._fulfilment_check_short_consent(short)
        # Stock logs the backorder and the changed demands as the user who validates: a
        # storekeeper without an e-mail address still ships (short, with consent).
        res = super(StockPicking, self.with_context(**{SENDER_FALLBACK: True}))._action_done()
        short = short.filtered(lambda picking: picking.state == "done")
        if short:
            short.write({"fulfilment_short_shipped": True})
            short.filtered("sale_id")._fulfilment_log_on_orders(
                lambda picking: (
                    picking.env._(
                        "Delivery %(picking)s shipped short with the customer's consent: %(consent)s",
                        picking=picking.name,
                        consent=picking.short_shipment_consent,
                    )
                    if picking.short_shipment_consent
                    else picking.env._("Delivery %(picking)s shipped short.", picking=picking.name)
                )
            )
        return res

    def _send_confirmation_email(self):
        res = super()._send_confirmation_email()
        notified = self.filtered(
            lambda picking: (
                picking.company_id.stock_move_email_validation
                and picking.company_id.stock_mail_confirmation_template_id
                and picking.picking_type_code == "outgoing"
                and picking.sale_id
            )
        )
        notified._fulfilment_log_on_orders(
            lambda picking: picking.env._(
                "The customer %(partner)s was told by e-mail that delivery %(picking)s has shipped.",
                partner=picking.partner_id.display_name,
                picking=picking.name,
            )
        )
        return res

    def _fulfilment_log_on_orders(self, body):
        """Log a note on the sale orders of these pickings, a line per picking, in one batch.

        :param body: function(picking) returning the line, in the language of the note
        """
        by_order = self.filtered("sale_id").grouped("sale_id")
        if not by_order:
            return
        orders = self.env["sale.order"].union(*by_order).sudo()
        orders._fulfilment_log(
            lambda order: Markup("<br/>").join(
                body(picking.with_env(order.env)) for picking in by_order[order]
            )
        )

    # Proof of delivery
    @api.depends("state", "date_done", "fulfilment_pod_date", "picking_type_code", "company_id")
    def _compute_fulfilment_pod_missing(self):
        now = fields.Datetime.now()
        for picking in self:
            picking.fulfilment_pod_missing = bool(
                picking.state == "done"
                and picking.picking_type_code == "outgoing"
                and not picking.return_id
                and not picking.fulfilment_pod_date
                and picking.date_done
                and picking.date_done < now - timedelta(days=picking.company_id.fulfilment_pod_days)
            )

    def _fulfilment_pod_missing_domain(self):
        now = fields.Datetime.now()
        per_company = [
            [
                ("company_id", "=", company.id),
                ("date_done", "<", now - timedelta(days=company.fulfilment_pod_days)),
            ]
            for company in self.env["res.company"].sudo().search([])
        ]
        return expression.AND(
            [
                [
                    ("state", "=", "done"),
                    ("picking_type_code", "=", "outgoing"),
                    ("return_id", "=", False),
                    ("fulfilment_pod_date", "=", False),
                ],
                expression.OR(per_company),
            ]
        )

    def _search_fulfilment_pod_missing(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Filter 'Missing Proof of Delivery' with = or != and a yes/no value."))
        domain = self._fulfilment_pod_missing_domain()
        return domain if (operator == "=") == value else ["!", *domain]

    def action_confirm_pod(self, pod_date=None):
        """The customer's signed proof of delivery was received."""
        self.check_access("write")
        raise_if_any(
            self.filtered(lambda picking: picking.state != "done" or not picking._fulfilment_is_delivery()),
            lambda pickings: self.env._(
                "%(pickings)s: a proof of delivery is recorded only on a done delivery to a customer.",
                pickings=pickings,
            ),
            field="name",
        )
        try:
            pod_date = fields.Datetime.to_datetime(pod_date) if pod_date else fields.Datetime.now()
        except (TypeError, ValueError) as error:
            raise UserError(
                self.env._(
                    "%(pickings)s: %(value)r is not a date and time for the proof of delivery.",
                    pickings=", ".join(self.mapped("name")),
                    value=pod_date,
                )
            ) from error
        if pod_date > fields.Datetime.now():
            raise UserError(self.env._("The proof of delivery date cannot be in the future."))
        raise_if_any(
            self.filtered(lambda picking: picking.date_done and pod_date < picking.date_done),
            lambda pickings: self.env._(
                "%(pickings)s: the proof of delivery date cannot be before the delivery was validated.",
                pickings=pickings,
            ),
            field="name",
        )
        if not self:
            return True
        # Lock: a double click records the proof of delivery once.
        lock_rows(self)
        todo = self.filtered(lambda picking: not picking.fulfilment_pod_date)
        if not todo:
            return True
        todo.write({"fulfilment_pod_date": pod_date})
        todo._fulfilment_log_on_orders(
            lambda picking: picking.env._(
                "Signed proof of delivery received for %(picking)s.", picking=picking.name
            )
        )
        return True

    @api.model
    def _cron_remind_missing_pod(self, batch_size=200):
        """Remind the salesperson once of each delivery still missing its proof of delivery."""
        domain = expression.AND(
            [
                self._fulfilment_pod_missing_domain(),
                [("fulfilment_pod_reminded", "=", False), ("sale_id", "!=", False)],
            ]
        )
        pickings = self.sudo().search(domain, limit=batch_size, order="date_done")
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("sale.order")
        values = []
        for picking in pickings:
            user = picking.sale_id.user_id or self.env.user
            env = picking.with_context(lang=user.lang).env  # the salesperson's language
            values.append(
                {
                    "res_model_id": model_id,
                    "res_id": picking.sale_id.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "summary": env._("Collect the proof of delivery of %(picking)s", picking=picking.name),
                    "note": env._(
                        "Delivery %(picking)s was done on %(date)s and the customer's signed proof of "
                        "delivery has not been received yet.",
                        picking=picking.name,
                        date=fields.Date.to_string(picking.date_done.date()),
                    ),
                }
            )
        self._fulfilment_with_sender().env["mail.activity"].create(values)
        pickings.write({"fulfilment_pod_reminded": True})
        remaining = self.search_count(domain) if len(pickings) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(pickings), remaining=remaining)
        return pickings

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
    fulfilment_ticket_ids = fields.One2many(
        "fulfilment.ticket", "picking_id", "After-sales Tickets", groups=TICKET_GROUPS
    )

    def _fulfilment_ticket_defaults(self):
        return {**super()._fulfilment_ticket_defaults(), "default_order_id": self.sale_id.id}
