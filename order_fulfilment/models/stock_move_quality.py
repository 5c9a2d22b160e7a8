from collections import defaultdict

from odoo import models
from odoo.exceptions import UserError


class StockMove(models.Model):
    """Quality inspection on the stock moves: the inspections are created when a receipt or a
    delivery is ready and when a manufacturing order is done, and the quality gate refuses goods
    not inspected or failed from leaving the company (or failed purchased goods from being used in
    production). With no control point in the company, nothing here costs a query."""

    _inherit = "stock.move"

    def _fulfilment_quality_moves(self):
        """The moves of companies with control points (cached: no query when there are none)."""
        Point = self.env["fulfilment.quality.point"]
        if not self or not Point._fulfilment_quality_company_ids():
            return self.browse()
        in_use = Point._fulfilment_quality_company_ids()
        return self.filtered(lambda move: move.company_id.id in in_use)

    # ------------------------------------------------------------------
    # Receipts and deliveries ready: their inspections
    # ------------------------------------------------------------------
    def _action_assign(self, force_qty=False):
        result = super()._action_assign(force_qty=force_qty)
        moves = self._fulfilment_quality_moves()
        if moves:
            moves._fulfilment_quality_create_ready_checks()
        return result

    def _fulfilment_quality_create_ready_checks(self):
        """One inspection per receipt line from a supplier, and per delivery line to a customer,
        once it is ready (assigned)."""
        ready = self.filtered(lambda move: move.state == "assigned" and move.picking_id)
        candidates = defaultdict(list)
        for move in ready:
            if move.location_id.usage == "supplier" and move.location_dest_id.usage != "supplier":
                operation = "receipt"
            elif move.location_dest_id.usage == "customer":
                operation = "delivery"
            else:
                continue
            lots = move.move_line_ids.lot_id
            candidates[operation].append(
                {
                    "company_id": move.company_id.id,
                    "product_id": move.product_id.id,
                    "lot_id": lots.id if len(lots) == 1 else False,
                    "picking_id": move.picking_id.id,
                    "move_id": move.id,
                    "partner_id": (move.picking_id.partner_id or move.partner_id).id,
                    "qty_inspected": move.product_qty,
                }
            )
        Check = self.env["fulfilment.quality.check"]
        for operation, values in candidates.items():
            Check._fulfilment_create_for(operation, values)

    # ------------------------------------------------------------------
    # Done: the gate first, then the inspections of finished goods
    # ------------------------------------------------------------------
    def _action_done(self, cancel_backorder=False):
        moves = self._fulfilment_quality_moves()
        if moves:
            moves._fulfilment_quality_gate()
        done = super()._action_done(cancel_backorder=cancel_backorder)
        finished = done._fulfilment_quality_moves() if moves else done.browse()
        if finished:
            finished._fulfilment_quality_create_production_checks()
            finished._fulfilment_quality_fill_receipt_lots()
        return done

    def _fulfilment_quality_fill_receipt_lots(self):
        """The lot of a receipt line's inspection, once the receipt is validated: a lot typed at
        validation (or changed since the line was reserved) is not known when the receipt gets
        ready and its inspection is created. One search, one write per lot."""
        receipts = self.filtered(
            lambda move: (
                move.state == "done"
                and move.location_id.usage == "supplier"
                and move.location_dest_id.usage != "supplier"
            )
        )
        if not receipts:
            return
        checks = (
            self.env["fulfilment.quality.check"]
            .sudo()
            .search([("move_id", "in", receipts.ids), ("operation", "=", "receipt"), ("lot_id", "=", False)])
        )
        by_lot = defaultdict(lambda: self.env["fulfilment.quality.check"].sudo())
        for check in checks:
            lots = check.move_id.move_line_ids.lot_id
            if len(lots) == 1:
                by_lot[lots] |= check
        for lot, lot_checks in by_lot.items():
            lot_checks.write({"lot_id": lot.id})

    def _fulfilment_quality_create_production_checks(self):
        """One inspection per finished manufacturing order and lot (one per order when untracked)."""
        finished = self.filtered(
            lambda move: (
                move.state == "done"
                and move.production_id
                and move.product_id == move.production_id.product_id
            )
        )
        quantities = defaultdict(float)
        for move in finished:
            lines = move.move_line_ids
            if not lines.lot_id:
                quantities[move.production_id, move.product_id, self.env["stock.lot"]] += move.quantity
                continue
            for line in lines:
                quantities[move.production_id, move.product_id, line.lot_id] += line.quantity
        values = []
        for (production, product, lot), qty in quantities.items():
            values.append(
                {
                    "company_id": production.company_id.id,
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "production_id": production.id,
                    "workcenter_id": production.workorder_ids[-1:].workcenter_id.id,
                    "qty_inspected": qty,
                }
            )
        if values:
            self.env["fulfilment.quality.check"]._fulfilment_create_for("production", values)

    def _fulfilment_quality_gate(self):
        """Refuse goods not inspected or failed from leaving the company, and failed purchased
        goods from being consumed in production, until a disposition is decided."""
        moves = self.filtered(lambda move: move.company_id.fulfilment_quality_gate and move.state != "done")
        shipped = moves.filtered(lambda move: move.location_dest_id.usage == "customer")
        consumed = moves.filtered(lambda move: move.raw_material_production_id)
        blocking = self.env["fulfilment.quality.check"]
        if shipped:
            blocking |= shipped._fulfilment_quality_blocking_checks(only_failed=False)
        if consumed:
            blocking |= consumed._fulfilment_quality_blocking_checks(only_failed=True)
        if blocking:
            raise UserError(self._fulfilment_quality_gate_message(blocking))

    def _fulfilment_quality_blocking_checks(self, only_failed):
        """The inspections that hold the goods of these moves: by lot, by the manufacturing order
        or receipt they come from (untracked goods), or on the delivery itself."""
        lines = self.move_line_ids.filtered(lambda line: line.quantity)
        lots = lines.lot_id
        # The moves the goods come from: the finished move of their MO, their receipt line...
        origins = self.browse()
        frontier = self.move_orig_ids
        while frontier:
            origins |= frontier
            frontier = frontier.move_orig_ids - origins
        productions = origins.production_id
        parts = []
        if lots:
            parts += [
                [("lot_id", "in", lots.ids)],
                [("operation", "=", "receipt"), ("move_id.move_line_ids.lot_id", "in", lots.ids)],
            ]
        if origins:
            parts.append([("move_id", "in", origins.ids)])
        if productions:
            parts.append([("production_id", "in", productions.ids), ("lot_id", "=", False)])
        if not only_failed:
            parts.append([("move_id", "in", self.ids)])
        if not parts:
            return self.env["fulfilment.quality.check"]
        domain = ["|"] * (len(parts) - 1)
        for part in parts:
            domain += ["&"] * (len(part) - 1) + part
        domain = [("is_blocking", "=", True), ("state", "=", "fail") if only_failed else (1, "=", 1), *domain]
        return self.env["fulfilment.quality.check"].sudo().search(domain, order="id")

    def _fulfilment_quality_gate_message(self, checks):
        labels = dict(checks._fields["state"]._description_selection(self.env))
        details = []
        for check in checks:
            lot = f" ({check.lot_id.name})" if check.lot_id else ""
            details.append(
                self.env._(
                    "- %(check)s: %(product)s%(lot)s, %(state)s",
                    check=check.name,
                    product=check.product_id.display_name,
                    lot=lot,
                    state=labels[check.state],
                )
            )
        return self.env._(
            "These goods are held by quality inspection (质量检验) and cannot leave the company or be "
            "used in production:\n%(checks)s\nInspect them, or have the quality manager decide the "
            "disposition of the nonconforming goods, then try again.",
            checks="\n".join(details),
        )
