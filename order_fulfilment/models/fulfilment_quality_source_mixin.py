from odoo import fields, models


class FulfilmentQualitySourceMixin(models.AbstractModel):
    """A document inspections point to (a manufacturing order, a receipt or a delivery): the
    counts of its inspections and nonconformities, its *To Inspect* filter and its smart buttons.
    A model opts in with the name of the inspection's many2one to it (``_fulfilment_quality_field``,
    the nonconformity's field has the same name)."""

    _name = "fulfilment.quality.source.mixin"
    _description = "Document of Quality Inspections"
    _fulfilment_quality_field = None

    fulfilment_quality_check_count = fields.Integer(
        "Inspections", compute="_compute_fulfilment_quality_counts"
    )
    fulfilment_quality_todo_count = fields.Integer(
        "Inspections To Do", compute="_compute_fulfilment_quality_counts"
    )
    fulfilment_quality_to_inspect = fields.Boolean(
        "To Inspect",
        compute="_compute_fulfilment_quality_counts",
        search="_search_fulfilment_quality_to_inspect",
        help="An inspection of these goods is still to do.",
    )
    fulfilment_nonconformity_count = fields.Integer(
        "Nonconformities", compute="_compute_fulfilment_quality_counts"
    )

    def _compute_fulfilment_quality_counts(self):
        # One grouped count per model for all the documents shown, read as superuser: the counts
        # only cover these documents, which the user already sees.
        field = self._fulfilment_quality_field
        checks, todo, ncs = {}, {}, {}
        ids = [record_id for record_id in self.ids if record_id]
        if ids:
            for record, state, count in (
                self.env["fulfilment.quality.check"]
                .sudo()
                ._read_group([(field, "in", ids)], [field, "state"], ["__count"])
            ):
                checks[record.id] = checks.get(record.id, 0) + count
                if state == "todo":
                    todo[record.id] = count
            ncs = {
                record.id: count
                for record, count in self.env["fulfilment.nonconformity"]
                .sudo()
                ._read_group([(field, "in", ids)], [field], ["__count"])
            }
        for record in self:
            record.fulfilment_quality_check_count = checks.get(record.id, 0)
            record.fulfilment_quality_todo_count = todo.get(record.id, 0)
            record.fulfilment_quality_to_inspect = bool(record.fulfilment_quality_todo_count)
            record.fulfilment_nonconformity_count = ncs.get(record.id, 0)

    def _search_fulfilment_quality_to_inspect(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Search on To Inspect with = or != True/False only."))
        field = self._fulfilment_quality_field
        todo = (
            self.env["fulfilment.quality.check"]
            .sudo()
            ._search([("state", "=", "todo"), (field, "!=", False)])
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", todo.subselect(field))]

    def action_fulfilment_view_quality_checks(self):
        self.ensure_one()
        return self.env["fulfilment.quality.check"]._fulfilment_action(
            [(self._fulfilment_quality_field, "=", self.id)]
        )

    def action_fulfilment_view_nonconformities(self):
        self.ensure_one()
        return self.env["fulfilment.nonconformity"]._fulfilment_action(
            [(self._fulfilment_quality_field, "=", self.id)]
        )
