from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round

from .fulfilment_change_request import STARTED_MO_STATES, UNSTARTED_MO_STATES


class FulfilmentChangeRequest(models.Model):
    """The apply of an approved change request: one ``_apply_<change type>`` per change type,
    then the before/after summary on the order, the request and the open deliveries."""

    _inherit = "fulfilment.change.request"

    def action_apply(self):
        if not self:
            return True
        self.check_access("write")
        for order in self.order_id:
            # Only who may change the order (its salesperson, sales managers) applies changes to it.
            order.check_access("write")
        self._lock_rows()
        for request in self:
            if request.state != "approved":
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: only an approved change request can be applied, "
                        "and only once.",
                        request=request.display_name,
                        state=dict(request._fields["state"]._description_selection(self.env))[request.state],
                    )
                )
        # Check every request before applying any, so that a batch is applied whole or not at all.
        for request in self:
            request._check_order_confirmed()
            request._check_lines_current()
        # The same request twice in one call is applied once.
        for request in self.browse(list(dict.fromkeys(self.ids))):
            # The summary is written in the applier's language (an internal note).
            request.sudo()._fulfilment_with_sender()._apply()
        return True

    def _check_order_confirmed(self):
        self.ensure_one()
        if self.order_id.state != "sale":
            raise UserError(
                self.env._(
                    "%(request)s: the order %(order)s is no longer confirmed; cancel the request.",
                    request=self.display_name,
                    order=self.order_id.display_name,
                )
            )

    def _apply(self):
        self.ensure_one()
        order = self.order_id
        self._check_order_confirmed()
        self._check_lines_current()
        was_locked = order.locked
        if was_locked:
            order.locked = False
        pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        rows, notes = getattr(
            self.with_context(fulfilment_change_request_id=self.id), f"_apply_{self.change_type}"
        )()
        if was_locked and order.state == "sale":
            order.locked = True
        summary = self._summary_html(rows, notes)
        self.write(
            {
                "state": "applied",
                "applied_date": fields.Datetime.now(),
                "applied_by_id": self.env.uid,
                "change_summary": summary,
            }
        )
        title = Markup("<p>%s</p>") % self.env._(
            "Change request %(request)s applied: %(reason)s", request=self.name, reason=self.reason
        )
        order._fulfilment_post(title + summary)
        self._fulfilment_post(title + summary)
        if pickings:
            pickings._fulfilment_log(title + summary)
        self.activity_unlink(["mail.mail_activity_data_todo"])

    def _summary_html(self, rows, notes):
        head = Markup("<tr><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            self.env._("What"),
            self.env._("Before"),
            self.env._("After"),
        )
        body = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>") % (what, before, after)
            for what, before, after in rows
        )
        html = Markup(
            '<table class="table table-sm table-bordered o_fulfilment_change_summary">%s%s</table>'
        ) % (
            head,
            body,
        )
        if notes:
            html += Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % note for note in notes)
        return html

    # ------------------------------------------------------------------
    # Stock and production of the changed lines
    # ------------------------------------------------------------------
    def _open_moves_by_line(self, sale_lines):
        """{sale line id: its open outgoing moves}, the moves read once for all the lines."""
        # Read once what sale_stock's selection and the callers look at, for every line's moves.
        sale_lines.move_ids.mapped("move_orig_ids")
        result = {}
        for sale_line in sale_lines:
            outgoing = sale_line._get_outgoing_incoming_moves(strict=False)[0]
            result[sale_line.id] = outgoing.filtered(lambda m: m.state not in ("done", "cancel"))
        return result

    def _resize_productions(self, productions, delta, notes, sub_productions):
        """Change the quantity of these unstarted MOs (newest first) by delta, with the orders
        made below them (``sub_productions``: {MO: its sub-assembly MOs}). Returns the quantity
        that could not be changed."""
        wizard = self.env["change.production.qty"].with_context(skip_activity=True)
        for mo in productions.sorted("id", reverse=True):
            if float_is_zero(delta, precision_rounding=mo.product_uom_id.rounding):
                break
            if mo.state not in UNSTARTED_MO_STATES:
                continue
            change = max(delta, -mo.product_qty) if delta < 0 else delta
            new_qty = mo.product_qty + change
            children = sub_productions[mo].filtered(lambda c: c.state in UNSTARTED_MO_STATES)
            if float_is_zero(new_qty, precision_rounding=mo.product_uom_id.rounding):
                (mo | children).action_cancel()
                notes.append(self.env._("%(mo)s cancelled.", mo=mo.name))
            else:
                factor = new_qty / mo.product_qty
                wizard.create({"mo_id": mo.id, "product_qty": new_qty}).change_prod_qty()
                for child in children:
                    child_qty = float_round(
                        child.product_qty * factor, precision_rounding=child.product_uom_id.rounding
                    )
                    wizard.create({"mo_id": child.id, "product_qty": child_qty}).change_prod_qty()
                notes.append(self.env._("%(mo)s resized to %(qty)s.", mo=mo.name, qty=new_qty))
            delta -= change
        return delta

    # ------------------------------------------------------------------
    # One method per change type
    # ------------------------------------------------------------------
    def _apply_quantity(self):
        rows, notes = [], []
        changed = self.line_ids.filtered("is_changed")
        for line in changed:
            rows.append((line.sale_line_id.product_id.display_name, line.old_qty, line.new_qty))
        # One write per new quantity; the stock side is adjusted below, for all lines at once.
        # The price stays what the approvers saw (no pricelist recomputation on the new quantity).
        for (qty, price), lines in changed.grouped(lambda l: (l.new_qty, l.sale_line_id.price_unit)).items():
            lines.sale_line_id.with_context(skip_procurement=True).write(
                {"product_uom_qty": qty, "price_unit": price}
            )
        increase = changed.filtered(lambda l: l.new_qty > l.old_qty)
        decrease = changed - increase
        if increase:
            self._increase(increase)
        if decrease:
            self._decrease(decrease, notes)
        return rows, notes

    def _increase(self, lines):
        """Raise the demand of a plain delivery from stock directly; anything else (make to order,
        several steps, nothing left to deliver) goes through Odoo's normal procurement."""
        new_demand = {}
        to_procure = self.env["fulfilment.change.request.line"]
        open_moves = self._open_moves_by_line(lines.sale_line_id)
        for line in lines:
            sale_line = line.sale_line_id
            moves = open_moves[sale_line.id]
            plain = moves.filtered(lambda m: m.procure_method == "make_to_stock" and not m.move_orig_ids)
            if not moves or plain != moves:
                to_procure |= line
                continue
            move = moves.sorted("id")[-1]
            added = sale_line.product_uom._compute_quantity(line.new_qty - line.old_qty, move.product_uom)
            new_demand[move] = move.product_uom_qty + added
        for qty, moves in self.env["stock.move"].concat(*new_demand).grouped(lambda m: new_demand[m]).items():
            moves.write({"product_uom_qty": qty})
        if to_procure:
            to_procure.sale_line_id._action_launch_stock_rule(
                previous_product_uom_qty={line.sale_line_id.id: line.old_qty for line in to_procure}
            )

    def _decrease(self, lines, notes):
        SaleOrder = self.env["sale.order"]
        productions = SaleOrder._fulfilment_productions_by_line(lines.sale_line_id)
        open_moves = self._open_moves_by_line(lines.sale_line_id)
        tops_by_line = {
            line.id: productions[line.sale_line_id.id].filtered(
                lambda mo, sale_line=line.sale_line_id: mo.product_id == sale_line.product_id
            )
            for line in lines
        }
        sub_productions = SaleOrder._fulfilment_sub_productions(
            self.env["mrp.production"].union(*tops_by_line.values())
        )
        new_demand = {}
        to_cancel = self.env["stock.move"]
        for line in lines:
            sale_line = line.sale_line_id
            remaining = line.old_qty - line.new_qty
            for move in open_moves[sale_line.id].sorted("id", reverse=True):
                if float_is_zero(remaining, precision_rounding=sale_line.product_uom.rounding):
                    break
                move_remaining = sale_line.product_uom._compute_quantity(remaining, move.product_uom)
                if (
                    float_compare(
                        move_remaining, move.product_uom_qty, precision_rounding=move.product_uom.rounding
                    )
                    >= 0
                ):
                    to_cancel |= move
                    remaining -= move.product_uom._compute_quantity(
                        move.product_uom_qty, sale_line.product_uom
                    )
                else:
                    new_demand[move] = move.product_uom_qty - move_remaining
                    remaining = 0.0
            tops = tops_by_line[line.id]
            if tops:
                delta = sale_line.product_uom._compute_quantity(
                    line.new_qty - line.old_qty, tops[0].product_uom_id
                )
                left = self._resize_productions(tops, delta, notes, sub_productions)
                if not float_is_zero(left, precision_rounding=tops[0].product_uom_id.rounding):
                    notes.append(
                        self.env._(
                            "%(qty)s %(product)s are already in production; production decides what to "
                            "do with them.",
                            qty=-left,
                            product=sale_line.product_id.display_name,
                        )
                    )
        for qty, moves in self.env["stock.move"].concat(*new_demand).grouped(lambda m: new_demand[m]).items():
            moves.write({"product_uom_qty": qty})
        if to_cancel:
            to_cancel._action_cancel()

    def _apply_price(self):
        changed = self.line_ids.filtered("is_changed")
        rows = [
            (line.sale_line_id.product_id.display_name, line.old_price_unit, line.new_price_unit)
            for line in changed
        ]
        for price, lines in changed.grouped("new_price_unit").items():
            lines.sale_line_id.write({"price_unit": price})
        return rows, []

    def _apply_product(self):
        rows, notes = [], []
        changed = self.line_ids.filtered("is_changed")
        productions = self.env["sale.order"]._fulfilment_productions_by_line(changed.sale_line_id)
        open_moves = self._open_moves_by_line(changed.sale_line_id)
        moves = self.env["stock.move"]
        mos = self.env["mrp.production"]
        for line in changed:
            rows.append(
                (line.sale_line_id.name, line.old_product_id.display_name, line.new_product_id.display_name)
            )
            moves |= open_moves[line.sale_line_id.id]
            line_mos = productions[line.sale_line_id.id]
            mos |= line_mos.filtered(lambda mo: mo.state in UNSTARTED_MO_STATES)
            started = line_mos.filtered(lambda mo: mo.state in STARTED_MO_STATES)
            if started:
                notes.append(
                    self.env._(
                        "Started manufacturing orders kept for production to decide: %(mos)s",
                        mos=", ".join(started.mapped("name")),
                    )
                )
        if moves:
            moves._action_cancel()
        if mos:
            mos.action_cancel()
            notes.append(
                self.env._("Manufacturing orders cancelled: %(mos)s", mos=", ".join(mos.mapped("name")))
            )
        changed.sale_line_id.with_context(skip_procurement=True).write({"product_uom_qty": 0.0})
        self.env["sale.order.line"].create(
            [
                {
                    "order_id": self.order_id.id,
                    "sequence": line.sale_line_id.sequence,
                    "product_id": line.new_product_id.id,
                    "product_uom_qty": line.old_qty,
                    "price_unit": line.new_price_unit,
                    "discount": line.sale_line_id.discount,
                }
                for line in changed
            ]
        )
        return rows, notes

    def _apply_date(self):
        order = self.order_id
        old = order.commitment_date
        new = self.new_commitment_date
        order.write({"commitment_date": new})
        pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if pickings:
            pickings.write({"scheduled_date": new})
            pickings.move_ids.filtered(lambda m: m.state not in ("done", "cancel")).write(
                {"date_deadline": new}
            )
        rows = [(self.env._("Delivery date"), self._format_date(old), self._format_date(new))]
        notes = []
        if pickings:
            notes.append(
                self.env._(
                    "Deliveries rescheduled: %(pickings)s", pickings=", ".join(pickings.mapped("name"))
                )
            )
        return rows, notes

    def _apply_cancel(self):
        order = self.order_id
        mos = self.affected_production_ids
        started = mos.filtered(lambda mo: mo.state in STARTED_MO_STATES and mo.state != "done")
        unstarted = mos.filtered(lambda mo: mo.state in UNSTARTED_MO_STATES)
        labels = dict(order._fields["state"]._description_selection(self.env))
        before = labels[order.state]
        open_pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        order._action_cancel()
        unstarted = unstarted.filtered(lambda mo: mo.state in UNSTARTED_MO_STATES)
        if unstarted:
            unstarted.action_cancel()
        rows = [(self.env._("Order"), before, labels[order.state])]
        notes = []
        if open_pickings:
            notes.append(
                self.env._(
                    "Deliveries cancelled: %(pickings)s", pickings=", ".join(open_pickings.mapped("name"))
                )
            )
        if unstarted:
            notes.append(
                self.env._("Manufacturing orders cancelled: %(mos)s", mos=", ".join(unstarted.mapped("name")))
            )
        if started:
            notes.append(
                self.env._(
                    "Manufacturing orders already started, for production to decide: %(mos)s",
                    mos=", ".join(started.mapped("name")),
                )
            )
        return rows, notes
