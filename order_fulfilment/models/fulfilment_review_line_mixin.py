from odoo import api, models


class FulfilmentReviewLineMixin(models.AbstractModel):
    """Lines of a reviewed record (``fulfilment.review.mixin``), e.g. the lines of a quotation.

    Adding or removing a line, or changing one of the sub-fields the parent watches
    (``_review_watched_fields``), makes the parent check its sign-offs again
    (``_review_reconcile``), whether the line is written through its parent or on its own.
    A line model opts in by naming its parent's field in ``_review_parent_field``. Section and
    note lines do not count.
    """

    _name = "fulfilment.review.line.mixin"
    _description = "Fulfilment Review Line Mixin"
    _review_parent_field = None

    def _review_parents(self):
        """The parents under review of these lines, unless a write of the parents themselves
        already watches them (it reconciles once, after all its lines)."""
        if self.env.context.get("fulfilment_review_parent_watches"):
            return None
        parents = self[self._review_parent_field]._review_under_review()
        return parents or None

    @api.model
    def _review_line_fields(self):
        parent = self.env[self._fields[self._review_parent_field].comodel_name]
        for name, sub_fields in parent._review_watched_fields.items():
            if sub_fields and parent._fields[name].comodel_name == self._name:
                return sub_fields
        return ()

    @api.model_create_multi
    def create(self, vals_list):
        field = self._fields[self._review_parent_field]
        parent_ids = {vals[field.name] for vals in vals_list if vals.get(field.name)}
        parents = None
        if not self.env.context.get("fulfilment_review_parent_watches"):
            parents = self.env[field.comodel_name].browse(parent_ids)._review_under_review() or None
        before = parents._review_capture() if parents else {}
        lines = super().create(vals_list)
        if parents:
            parents._review_reconcile(before)
        return lines

    def write(self, vals):
        parents = self._review_parents() if set(vals) & set(self._review_line_fields()) else None
        before = parents._review_capture() if parents else {}
        result = super().write(vals)
        if parents:
            parents._review_reconcile(before)
        return result

    def unlink(self):
        parents = self._review_parents()
        before = parents._review_capture() if parents else {}
        result = super().unlink()
        if parents:
            parents._review_reconcile(before)
        return result
