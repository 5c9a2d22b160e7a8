from odoo import fields, models


class MrpProduction(models.Model):
    """The inspections and nonconformities of a manufacturing order, for its smart buttons."""

    _inherit = "mrp.production"

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
        # One grouped count per model for all the orders shown; the counts only cover records the
        # user already sees (these orders), so they are read as superuser.
        checks, todo, ncs = {}, {}, {}
        ids = [mo_id for mo_id in self.ids if mo_id]
        if ids:
            for production, state, count in (
                self.env["fulfilment.quality.check"]
                .sudo()
                ._read_group([("production_id", "in", ids)], ["production_id", "state"], ["__count"])
            ):
                checks[production.id] = checks.get(production.id, 0) + count
                if state == "todo":
                    todo[production.id] = count
            ncs = {
                production.id: count
                for production, count in self.env["fulfilment.nonconformity"]
                .sudo()
                ._read_group([("production_id", "in", ids)], ["production_id"], ["__count"])
            }
        for production in self:
            production.fulfilment_quality_check_count = checks.get(production.id, 0)
            production.fulfilment_quality_todo_count = todo.get(production.id, 0)
            production.fulfilment_quality_to_inspect = bool(production.fulfilment_quality_todo_count)
            production.fulfilment_nonconformity_count = ncs.get(production.id, 0)

    def _search_fulfilment_quality_to_inspect(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Search on To Inspect with = or != True/False only."))
        todo = (
            self.env["fulfilment.quality.check"]
            .sudo()
            ._search([("state", "=", "todo"), ("production_id", "!=", False)])
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", todo.subselect("production_id"))]

    def action_fulfilment_view_quality_checks(self):
        self.ensure_one()
        return self.env["fulfilment.quality.check"]._fulfilment_action([("production_id", "=", self.id)])

    def action_fulfilment_view_nonconformities(self):
        self.ensure_one()
        return self.env["fulfilment.nonconformity"]._fulfilment_action([("production_id", "=", self.id)])
