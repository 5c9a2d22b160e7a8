from odoo import fields, models


class StockPicking(models.Model):
    """The inspections and nonconformities of a receipt or a delivery, for its smart buttons."""

    _inherit = "stock.picking"

    fulfilment_quality_check_count = fields.Integer(
        string="Inspections", compute="_compute_fulfilment_quality_counts"
    )
    fulfilment_quality_todo_count = fields.Integer(
        string="Inspections To Do", compute="_compute_fulfilment_quality_counts"
    )
    fulfilment_quality_to_inspect = fields.Boolean(
        string="To Inspect",
        compute="_compute_fulfilment_quality_counts",
        search="_search_fulfilment_quality_to_inspect",
        help="An inspection of these goods is still to do.",
    )
    fulfilment_nonconformity_count = fields.Integer(
        string="Nonconformities", compute="_compute_fulfilment_quality_counts"
    )

    def _compute_fulfilment_quality_counts(self):
        # One grouped count per model for all the transfers shown, read as superuser: the counts
        # only cover these transfers, which the user already sees.
        checks, todo, ncs = {}, {}, {}
        ids = [picking_id for picking_id in self.ids if picking_id]
        if ids:
            for picking, state, count in (
                self.env["fulfilment.quality.check"]
                .sudo()
                ._read_group([("picking_id", "in", ids)], ["picking_id", "state"], ["__count"])
            ):
                checks[picking.id] = checks.get(picking.id, 0) + count
                if state == "todo":
                    todo[picking.id] = count
            ncs = {
                picking.id: count
                for picking, count in self.env["fulfilment.nonconformity"]
                .sudo()
                ._read_group([("picking_id", "in", ids)], ["picking_id"], ["__count"])
            }
        for picking in self:
            picking.fulfilment_quality_check_count = checks.get(picking.id, 0)
            picking.fulfilment_quality_todo_count = todo.get(picking.id, 0)
            picking.fulfilment_quality_to_inspect = bool(picking.fulfilment_quality_todo_count)
            picking.fulfilment_nonconformity_count = ncs.get(picking.id, 0)

    def _search_fulfilment_quality_to_inspect(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Search on To Inspect with = or != True/False only."))
        todo = (
            self.env["fulfilment.quality.check"]
            .sudo()
            ._search([("state", "=", "todo"), ("picking_id", "!=", False)])
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", todo.subselect("picking_id"))]

    def action_fulfilment_view_quality_checks(self):
        self.ensure_one()
        return self.env["fulfilment.quality.check"]._fulfilment_action([("picking_id", "=", self.id)])

    def action_fulfilment_view_nonconformities(self):
        self.ensure_one()
        return self.env["fulfilment.nonconformity"]._fulfilment_action([("picking_id", "=", self.id)])
